-- ====== Delivering notifications ======
-- The notifications of 55_notifications.sql reach people through a worker
-- outside the database (it sends the e-mail, posts to Slack). Its whole protocol
-- is two calls: claim_deliveries hands out a batch of due recipient rows of one
-- channel, finish_delivery reports each one's outcome. Every recipient row is one
-- delivery: on the external channels (email, slack, push) it is in the outbox
-- (notification_recipients_outbox_idx) until it is delivered or has failed for
-- good. in_app rows are not delivered by a worker: the application shows them
-- and sets read_at. docs/notifications.md has the worker's loop.
--
-- Exactly one worker holds a delivery at a time: a claim locks the rows it picks
-- (SKIP LOCKED, so workers never wait on each other) and leases them until
-- next_attempt_at. A worker that dies loses its lease when it runs out, and the
-- delivery is handed out again. Each claim counts an attempt, and the attempt
-- number is the fence: finish_delivery ignores the report of a worker whose
-- lease ran out and whose delivery was claimed again.

COMMENT ON TYPE mycelium.delivery IS
    'One delivery handed to a worker by claim_deliveries: who, on which channel, what, and its attempt number';

CREATE OR REPLACE FUNCTION mycelium.claim_deliveries(channel text, batch_size integer DEFAULT 100,
                                          lease interval DEFAULT '5 minutes')
    RETURNS SETOF mycelium.delivery
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    fn constant text := 'claim_deliveries';
    wanted constant text := claim_deliveries.channel;
    how_many constant integer := claim_deliveries.batch_size;
    held constant interval := claim_deliveries.lease;
BEGIN
    PERFORM mycelium.require_writable(fn);
    IF wanted = 'in_app' THEN
        RAISE EXCEPTION '%: in_app notifications are not delivered by a worker', fn
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The application shows them and sets notification_recipients.read_at.';
    END IF;
    IF wanted IS NULL OR wanted NOT IN ('email', 'slack', 'push') THEN
        RAISE EXCEPTION '%: channel must be email, slack or push, not %', fn, coalesce(quote_literal(wanted), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF how_many IS NULL OR how_many NOT BETWEEN 1 AND 10000 THEN
        RAISE EXCEPTION '%: batch_size must be between 1 and 10000, not %', fn, coalesce(how_many::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF held IS NULL OR held < interval '1 second' OR held > interval '1 day' THEN
        RAISE EXCEPTION '%: lease must be between 1 second and 1 day, not %', fn, coalesce(held::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    RETURN QUERY
    WITH picked AS (
        SELECT r.organization_id, r.id
        FROM mycelium.notification_recipients r
        JOIN mycelium.notifications n ON n.organization_id = r.organization_id AND n.id = r.notification_id
        -- channel <> 'in_app' repeats the outbox index's predicate, so that the
        -- planner may use it for a channel it only knows at run time.
        WHERE r.channel = wanted AND r.channel <> 'in_app'
          AND r.delivered_at IS NULL AND r.failed_at IS NULL
          AND coalesce(r.next_attempt_at, '-infinity'::timestamptz) <= now()
          AND n.status = 'PENDING' AND coalesce(n.scheduled_for, '-infinity'::timestamptz) <= now()
        ORDER BY coalesce(r.next_attempt_at, '-infinity'::timestamptz), r.id
        LIMIT how_many
        FOR UPDATE OF r SKIP LOCKED
    ),
    claimed AS (
        UPDATE mycelium.notification_recipients r
        SET attempts = r.attempts + 1, next_attempt_at = now() + held
        FROM picked p
        WHERE r.organization_id = p.organization_id AND r.id = p.id
        RETURNING r.organization_id, r.id, r.notification_id, r.attempts, r.channel, r.user_id, r.client_user_id,
                  r.email_address, r.next_attempt_at
    )
    -- The recipient is a staff user or a portal user (client_user_id; user_id is
    -- then NULL); an e-mail carries the organization's branding.
    SELECT c.id, c.organization_id, c.notification_id, c.attempts, c.channel, c.user_id, coalesce(u.name, cu.name),
           c.email_address, n.type, n.title, n.message, n.related_type, n.related_id, n.metadata, n.scheduled_for,
           c.client_user_id, b.email_header_html, b.email_footer_html, b.email_signature,
           -- Slack: the incoming-webhook URL of the organization's enabled,
           -- connected SLACK integration, decrypted here (and recorded), or NULL
           -- when it has none any more (the worker reports a permanent failure).
           CASE WHEN si.id IS NOT NULL
                THEN mycelium_internal.integration_secret(c.organization_id, si.id, 'webhook_url') END
    FROM claimed c
    JOIN mycelium.notifications n ON n.organization_id = c.organization_id AND n.id = c.notification_id
    LEFT JOIN mycelium.users u ON u.organization_id = c.organization_id AND u.id = c.user_id
    LEFT JOIN mycelium.client_users cu ON cu.organization_id = c.organization_id AND cu.id = c.client_user_id
    LEFT JOIN mycelium.organization_branding b ON b.organization_id = c.organization_id AND c.channel = 'email'
    LEFT JOIN mycelium.integrations si ON si.organization_id = c.organization_id AND si.type = 'SLACK'
                                      AND c.channel = 'slack' AND si.is_enabled AND si.is_connected
    ORDER BY c.next_attempt_at, c.id;
END;
$$;
COMMENT ON FUNCTION mycelium.claim_deliveries(text, integer, interval) IS
    'Hands a worker up to batch_size due deliveries of one channel, leased to it for lease';

-- How long a delivery that failed on its attempt-th try waits before the next:
-- 1, 4, 16, then 64 minutes; NULL after the fifth, which was the last. The one
-- retry schedule of the notifications' and the webhooks' deliveries.
CREATE OR REPLACE FUNCTION mycelium_internal.delivery_backoff(attempt integer) RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN attempt < 5 THEN interval '1 minute' * power(4, greatest(attempt, 1) - 1) END
$$;

-- The outcome of one claimed delivery: error NULL means it was delivered. A
-- failure is tried again after a back-off (delivery_backoff: 1, 4, 16, then 64
-- minutes) and fails for good on the fifth attempt, or at once when permanent (a bounced address).
-- When the last external delivery of a notification is done, the notification
-- becomes SENT (or FAILED, when any failed for good). Returns what became of it:
-- 'delivered', 'retrying', 'failed', or 'stale' (the attempt is not the current
-- one, or the delivery is already done: nothing was changed).
CREATE OR REPLACE FUNCTION mycelium.finish_delivery(organization_id uuid, recipient_id uuid, attempt integer,
                                         error text DEFAULT NULL, permanent boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    fn constant text := 'finish_delivery';
    org constant uuid := finish_delivery.organization_id;
    rid constant uuid := finish_delivery.recipient_id;
    tried constant integer := finish_delivery.attempt;
    reason text := finish_delivery.error;
    lock_wait_before constant text := current_setting('lock_timeout');
    r mycelium.notification_recipients;
    outcome text;
BEGIN
    PERFORM mycelium.require_writable(fn);
    IF org IS NULL OR rid IS NULL OR tried IS NULL THEN
        RAISE EXCEPTION '%: organization_id, recipient_id and attempt are required', fn
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF permanent IS NULL THEN
        RAISE EXCEPTION '%: permanent must be true or false, not NULL', fn USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF reason IS NOT NULL THEN
        -- An error text is the worker's diagnosis, kept for people to read: an
        -- empty one would read as success, a huge one is cut to its start.
        IF btrim(reason) = '' THEN
            RAISE EXCEPTION '%: error must describe the failure (NULL means delivered)', fn
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF length(reason) > 1000 THEN
            reason := left(reason, 999) || '…';
        END IF;
    ELSIF permanent THEN
        RAISE EXCEPTION '%: a permanent failure needs an error', fn USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- A worker reports every organization's deliveries one after the other, and
    -- the rows it changes are also the tenant's (a recipient marks theirs read, an
    -- ADMIN edits the notification): a lock its staff keep would stop every report
    -- behind this one. So the wait is bounded (mycelium_internal.job_lock_timeout()); when it
    -- runs out the report fails with 55P03, changes nothing, and the worker goes on
    -- and reports this delivery again later.
    PERFORM set_config('lock_timeout', mycelium_internal.job_lock_timeout(), true);
    -- The notification's lock first: deliveries of one notification finish one
    -- after the other, so that the last one sees all the others and settles it.
    SELECT x.* INTO r
    FROM mycelium.notification_recipients x
    JOIN mycelium.notifications n ON n.organization_id = x.organization_id AND n.id = x.notification_id
    WHERE x.organization_id = org AND x.id = rid
    FOR UPDATE OF n;
    IF NOT FOUND OR r.channel = 'in_app' THEN
        RAISE EXCEPTION '%: no delivery % in organization %', fn, rid, org
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Compare and set: only the current attempt of an undone delivery changes it
    -- (a claim may have handed it out again since it was read).
    outcome := CASE WHEN reason IS NULL THEN 'delivered'
                    WHEN permanent OR mycelium_internal.delivery_backoff(tried) IS NULL THEN 'failed'
                    ELSE 'retrying' END;
    UPDATE mycelium.notification_recipients x
    SET delivered_at = CASE WHEN outcome = 'delivered' THEN now() END,
        failed_at = CASE WHEN outcome = 'failed' THEN now() END,
        next_attempt_at = CASE WHEN outcome = 'retrying' THEN now() + mycelium_internal.delivery_backoff(tried) END,
        last_error = reason,
        email_status = CASE WHEN outcome = 'delivered' AND x.channel = 'email' THEN 'sent' ELSE x.email_status END
    WHERE x.organization_id = org AND x.id = rid
      AND x.attempts = tried AND x.delivered_at IS NULL AND x.failed_at IS NULL;
    IF NOT FOUND THEN
        PERFORM set_config('lock_timeout', lock_wait_before, true);
        RETURN 'stale';
    END IF;

    UPDATE mycelium.notifications n
    SET retry_count = s.retries,
        status = CASE WHEN s.open > 0 THEN n.status WHEN s.failed > 0 THEN 'FAILED' ELSE 'SENT' END,
        sent_at = CASE WHEN s.open > 0 THEN n.sent_at ELSE s.last_delivered END,
        failure_reason = CASE WHEN s.failed > 0 THEN s.reason ELSE n.failure_reason END
    FROM (SELECT count(*) FILTER (WHERE x.delivered_at IS NULL AND x.failed_at IS NULL) AS open,
                 count(*) FILTER (WHERE x.failed_at IS NOT NULL) AS failed,
                 coalesce(sum(greatest(x.attempts - 1, 0)), 0)::integer AS retries,
                 max(x.delivered_at) AS last_delivered,
                 (array_agg(x.last_error ORDER BY x.failed_at DESC)
                      FILTER (WHERE x.failed_at IS NOT NULL))[1] AS reason
          FROM mycelium.notification_recipients x
          WHERE x.organization_id = org AND x.notification_id = r.notification_id AND x.channel <> 'in_app') s
    WHERE n.organization_id = org AND n.id = r.notification_id AND n.status = 'PENDING';
    PERFORM set_config('lock_timeout', lock_wait_before, true);
    RETURN outcome;
END;
$$;
COMMENT ON FUNCTION mycelium.finish_delivery(uuid, uuid, integer, text, boolean) IS
    'Reports the outcome of a claimed delivery (error NULL: delivered); settles the notification when it was the last';
