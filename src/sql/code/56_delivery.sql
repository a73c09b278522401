-- ====== Delivering notifications ======
-- The notifications of 55_notifications.sql reach people through a worker
-- outside the database (it sends the e-mail, posts to Slack). Its whole protocol
-- is two calls: claim_deliveries hands out a batch of due recipient rows of one
-- channel, finish_delivery reports each one's outcome (finish_deliveries many
-- outcomes at once). Every recipient row is one
-- delivery: on the external channels (email, slack, push) it is in the outbox
-- (notification_recipients_outbox_idx) until it is delivered or has failed for
-- good. in_app rows are not delivered by a worker: the application shows them
-- and sets read_at. docs/notifications.md has the worker's loop.
--
-- Exactly one worker holds a delivery at a time: a claim locks the rows it picks
-- (SKIP LOCKED, so workers never wait on each other) and leases them until
-- next_attempt_at. A worker that dies loses its lease when it runs out, and the
-- delivery is handed out again. Each claim counts an attempt, and the attempt
-- number is the fence: a report is ignored when it comes from a worker whose
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
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium',
                  HINT = 'The application shows them and sets notification_recipients.read_at.';
    END IF;
    IF wanted IS NULL OR wanted NOT IN ('email', 'slack', 'push') THEN
        RAISE EXCEPTION '%: channel must be email, slack or push, not %', fn, coalesce(quote_literal(wanted), 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF how_many IS NULL OR how_many NOT BETWEEN 1 AND 10000 THEN
        RAISE EXCEPTION '%: batch_size must be between 1 and 10000, not %', fn, coalesce(how_many::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF held IS NULL OR held < interval '1 second' OR held > interval '1 day' THEN
        RAISE EXCEPTION '%: lease must be between 1 second and 1 day, not %', fn, coalesce(held::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;

    RETURN QUERY
    WITH picked AS (
        -- The outbox alone, in its order, up to the batch: a claim reads its batch,
        -- not every tenant's backlog (with the notifications joined here, the
        -- planner read the whole due range and sorted it). The outbox holds the
        -- deliveries of pending notifications only (end_cancelled_deliveries),
        -- each due from its scheduled_for; checked below.
        SELECT r.organization_id, r.id, r.notification_id
        FROM mycelium.notification_recipients r
        -- channel <> 'in_app' repeats the outbox index's predicate, so that the
        -- planner may use it for a channel it only knows at run time.
        WHERE r.channel = wanted AND r.channel <> 'in_app'
          AND r.delivered_at IS NULL AND r.failed_at IS NULL
          AND coalesce(r.next_attempt_at, '-infinity'::timestamptz) <= now()
        ORDER BY coalesce(r.next_attempt_at, '-infinity'::timestamptz), r.id
        LIMIT how_many
        FOR UPDATE OF r SKIP LOCKED
    ),
    -- A delivery written past the triggers (by the table's owner, or with them
    -- disabled) may belong to a notification that is not pending, or not due
    -- yet: it is not handed out, but ended as a cancellation ends it, or left to
    -- wait for its time.
    checked AS (
        SELECT p.organization_id, p.id, n.status,
               n.status = 'PENDING' AND coalesce(n.scheduled_for, '-infinity'::timestamptz) <= now() AS due,
               n.scheduled_for
        FROM picked p
        JOIN mycelium.notifications n ON n.organization_id = p.organization_id AND n.id = p.notification_id
    ),
    claimed AS (
        UPDATE mycelium.notification_recipients r
        SET attempts = r.attempts + CASE WHEN k.due THEN 1 ELSE 0 END,
            next_attempt_at = CASE WHEN k.due THEN now() + held WHEN k.status = 'PENDING' THEN k.scheduled_for END,
            failed_at = CASE WHEN k.status <> 'PENDING' THEN now() END,
            last_error = CASE WHEN k.status <> 'PENDING' THEN mycelium_internal.ended_delivery(k.status)
                              ELSE r.last_error END
        FROM checked k
        WHERE r.organization_id = k.organization_id AND r.id = k.id
        RETURNING r.organization_id, r.id, r.notification_id, r.attempts, r.channel, r.user_id, r.client_user_id,
                  r.email_address, r.next_attempt_at, k.due
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
    WHERE c.due
    ORDER BY c.next_attempt_at, c.id;
END;
$$;
COMMENT ON FUNCTION mycelium.claim_deliveries(text, integer, interval) IS
    'Hands a worker up to batch_size due deliveries of one channel, leased to it for lease';

-- Why a delivery of a notification that is no longer pending ended without
-- being made: its last_error. One wording for the cancellation's trigger and
-- the claim. STABLE, as an enum's label is (ALTER TYPE ... RENAME VALUE).
CREATE OR REPLACE FUNCTION mycelium_internal.ended_delivery(status mycelium.notification_status) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'the notification is ' || lower(status::text) || ', so it is not delivered'
$$;

-- The outbox holds only what a worker may be handed. When an ADMIN cancels a
-- pending notification, its open deliveries end (failed_at, with the reason):
-- they leave the outbox instead of waiting in it for every claim to read past.
-- A worker that holds one when it ends has its report answered 'stale'. SENT and
-- FAILED are set by the reports when no delivery is open. Definer: the ADMIN
-- ends deliveries it may not write.
CREATE OR REPLACE FUNCTION mycelium_internal.end_cancelled_deliveries() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE mycelium.notification_recipients r
    SET failed_at = now(), next_attempt_at = NULL, last_error = mycelium_internal.ended_delivery(NEW.status)
    WHERE r.organization_id = NEW.organization_id AND r.notification_id = NEW.id
      AND r.channel <> 'in_app' AND r.delivered_at IS NULL AND r.failed_at IS NULL;
    RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER end_cancelled_deliveries AFTER UPDATE OF status ON mycelium.notifications
    FOR EACH ROW WHEN (NEW.status = 'CANCELLED' AND OLD.status <> 'CANCELLED')
    EXECUTE FUNCTION mycelium_internal.end_cancelled_deliveries();

-- How long a delivery that failed on its attempt-th try waits before the next:
-- 1, 4, 16, then 64 minutes; NULL after the fifth, which was the last. The one
-- retry schedule of the notifications' and the webhooks' deliveries.
CREATE OR REPLACE FUNCTION mycelium_internal.delivery_backoff(attempt integer) RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN attempt < 5 THEN interval '1 minute' * power(4, greatest(attempt, 1) - 1) END
$$;

-- The outcome of claimed deliveries, the one source of the rules of a report for
-- finish_delivery (one report) and finish_deliveries (a batch): fn names the
-- caller in messages, and the batch's also name the report (its position).
-- Report i says that attempt tries[i] of delivery ids[i] of organization
-- orgs[i] was delivered (errors[i] NULL) or failed (permanents[i]: for good,
-- NULL array: none permanent). A failure is tried again after a back-off (1, 4,
-- 16, then 64 minutes: delivery_backoff) and fails for good on the fifth attempt, or at once when
-- permanent (a bounced address). When the last external delivery of a
-- notification is done, the notification becomes SENT (or FAILED, when any
-- failed for good). Returns each report's position and what became of it:
-- 'delivered', 'retrying', 'failed', or 'stale' (the attempt is not the current
-- one, or the delivery is already done: nothing was changed). Set-based: one
-- statement checks the reports, one locks the notifications and updates the
-- deliveries, one settles the notifications. Private: called by the two
-- SECURITY DEFINER functions, which check that writing is allowed.
CREATE OR REPLACE FUNCTION mycelium_internal.report_deliveries(fn text, orgs uuid[], ids uuid[], tries integer[],
                                                               errors text[], permanents boolean[])
    RETURNS TABLE (report integer, organization_id uuid, recipient_id uuid, outcome text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    -- A batch of at most as many reports as a claim hands out.
    max_reports constant integer := 10000;
    batch constant boolean := fn = 'finish_deliveries';
    how_many integer;
    bad record;
    found_reports integer;
    done_reports integer[];
    done_outcomes text[];
    done_orgs uuid[];
    done_notifications uuid[];
    lock_wait_before constant text := current_setting('lock_timeout');
    plan_mode_before constant text := current_setting('plan_cache_mode');
BEGIN
    -- Every statement below reads the reports by primary key, whatever the arrays
    -- hold, so one generic plan serves every call. The plan cache would plan the
    -- first five calls of each backend for their arrays: at 100 reports that
    -- planning costs about what the work does (10 against 5.5 ms a batch).
    PERFORM set_config('plan_cache_mode', 'force_generic_plan', true);
    -- The arrays: one element per report, errors and permanents optional.
    IF orgs IS NULL OR ids IS NULL OR tries IS NULL THEN
        RAISE EXCEPTION '%: organization_ids, recipient_ids and attempts are required', fn
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF greatest(array_ndims(orgs), array_ndims(ids), array_ndims(tries), array_ndims(errors),
                array_ndims(permanents)) > 1 THEN
        RAISE EXCEPTION '%: the reports are one-dimensional arrays', fn
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    how_many := cardinality(ids);
    IF how_many = 0 THEN
        RAISE EXCEPTION '%: no reports (recipient_ids is empty)', fn
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF how_many > max_reports THEN
        RAISE EXCEPTION '%: at most % reports at a time, not %', fn, max_reports, how_many
            USING ERRCODE = 'program_limit_exceeded', SCHEMA = 'mycelium';
    END IF;
    IF cardinality(orgs) <> how_many OR cardinality(tries) <> how_many
       OR (errors IS NOT NULL AND cardinality(errors) <> how_many)
       OR (permanents IS NOT NULL AND cardinality(permanents) <> how_many) THEN
        RAISE EXCEPTION '%: one element per report in every array: % recipient_ids, % organization_ids, % attempts, '
                        '% errors, % permanent', fn, how_many, cardinality(orgs), cardinality(tries),
                        coalesce(cardinality(errors)::text, 'no'), coalesce(cardinality(permanents)::text, 'no')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;

    -- Each report, the first bad one refused (in the order of finish_delivery's
    -- checks): nothing is changed unless every report is well formed.
    SELECT r.i,
           CASE WHEN r.org IS NULL OR r.id IS NULL OR r.tried IS NULL
                    THEN 'organization_id, recipient_id and attempt are required'
                WHEN permanents IS NOT NULL AND r.perm IS NULL THEN 'permanent must be true or false, not NULL'
                -- An error text is the worker's diagnosis, kept for people to
                -- read: an empty one would read as success.
                WHEN btrim(r.reason) = '' THEN 'error must describe the failure (NULL means delivered)'
                WHEN r.reason IS NULL AND r.perm THEN 'a permanent failure needs an error'
           END AS problem
      INTO bad
      FROM unnest(orgs, ids, tries, errors, permanents) WITH ORDINALITY AS r(org, id, tried, reason, perm, i)
     WHERE r.org IS NULL OR r.id IS NULL OR r.tried IS NULL OR (permanents IS NOT NULL AND r.perm IS NULL)
        OR btrim(r.reason) = '' OR (r.reason IS NULL AND r.perm)
     ORDER BY r.i
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: %', fn, bad.problem || CASE WHEN batch THEN format(' (report %s)', bad.i) ELSE '' END
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF batch THEN
        SELECT r.org, r.id, min(r.i) AS first, max(r.i) AS second INTO bad
          FROM unnest(orgs, ids) WITH ORDINALITY AS r(org, id, i)
         GROUP BY r.org, r.id
        HAVING count(*) > 1
         ORDER BY min(r.i)
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION '%: delivery % of organization % is reported twice (reports % and %)', fn, bad.id,
                bad.org, bad.first, bad.second
                USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
        END IF;
    END IF;

    -- A worker reports every organization's deliveries one after the other, and
    -- the rows it changes are also the tenant's (a recipient marks theirs read, an
    -- ADMIN edits the notification): a lock its staff keep would stop every report
    -- behind this one. So the wait is bounded (mycelium_internal.job_lock_timeout()); when it
    -- runs out the report fails with 55P03, changes nothing, and the worker goes on
    -- and reports these deliveries again later.
    PERFORM set_config('lock_timeout', mycelium_internal.job_lock_timeout(), true);
    -- The notifications' locks first (in one order, so that two batches do not
    -- deadlock): deliveries of one notification finish one after the other, so
    -- that the last one sees all the others and settles it. Then compare and
    -- set: only the current attempt of an undone delivery changes it (a claim may
    -- have handed it out again since it was read).
    WITH reports AS (
        SELECT r.i::integer AS i, r.org, r.id, r.tried,
               CASE WHEN length(r.reason) > 1000 THEN left(r.reason, 999) || '…' ELSE r.reason END AS reason,
               CASE WHEN r.reason IS NULL THEN 'delivered'
                    WHEN coalesce(r.perm, false) OR mycelium_internal.delivery_backoff(r.tried) IS NULL THEN 'failed'
                    ELSE 'retrying' END AS outcome
        FROM unnest(orgs, ids, tries, errors, permanents) WITH ORDINALITY AS r(org, id, tried, reason, perm, i)
    ),
    locked AS (
        SELECT r.i, r.org, r.id, r.tried, r.reason, r.outcome
        FROM reports r
        JOIN mycelium.notification_recipients x
          ON x.organization_id = r.org AND x.id = r.id AND x.channel <> 'in_app'
        JOIN mycelium.notifications n ON n.organization_id = x.organization_id AND n.id = x.notification_id
        ORDER BY n.organization_id, n.id
        FOR UPDATE OF n
    ),
    done AS (
        UPDATE mycelium.notification_recipients x
        SET delivered_at = CASE WHEN l.outcome = 'delivered' THEN now() END,
            failed_at = CASE WHEN l.outcome = 'failed' THEN now() END,
            next_attempt_at = CASE WHEN l.outcome = 'retrying'
                                   THEN now() + mycelium_internal.delivery_backoff(l.tried) END,
            last_error = l.reason,
            email_status = CASE WHEN l.outcome = 'delivered' AND x.channel = 'email' THEN 'sent'
                                ELSE x.email_status END
        FROM locked l
        WHERE x.organization_id = l.org AND x.id = l.id
          AND x.attempts = l.tried AND x.delivered_at IS NULL AND x.failed_at IS NULL
        RETURNING l.i, l.outcome, x.organization_id, x.notification_id
    )
    SELECT (SELECT count(*) FROM locked), array_agg(d.i), array_agg(d.outcome), array_agg(d.organization_id),
           array_agg(d.notification_id)
      INTO found_reports, done_reports, done_outcomes, done_orgs, done_notifications
      FROM done d;
    IF found_reports < how_many THEN
        -- An unknown delivery, one of another organization, or an in_app one:
        -- the error undoes the statement above.
        SELECT r.i, r.org, r.id INTO bad
          FROM unnest(orgs, ids) WITH ORDINALITY AS r(org, id, i)
         WHERE NOT EXISTS (SELECT FROM mycelium.notification_recipients x
                            WHERE x.organization_id = r.org AND x.id = r.id AND x.channel <> 'in_app')
         ORDER BY r.i
         LIMIT 1;
        RAISE EXCEPTION '%: no delivery % in organization %', fn, bad.id,
            bad.org || CASE WHEN batch THEN format(' (report %s)', bad.i) ELSE '' END
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium', TABLE = 'notification_recipients';
    END IF;

    -- Each notification of a delivery done here, once: settled when none of its
    -- external deliveries is still open.
    IF done_reports IS NOT NULL THEN
        UPDATE mycelium.notifications n
        SET retry_count = s.retries,
            status = CASE WHEN s.open > 0 THEN n.status WHEN s.failed > 0 THEN 'FAILED' ELSE 'SENT' END,
            sent_at = CASE WHEN s.open > 0 THEN n.sent_at ELSE s.last_delivered END,
            failure_reason = CASE WHEN s.failed > 0 THEN s.reason ELSE n.failure_reason END
        FROM (SELECT x.organization_id, x.notification_id,
                     count(*) FILTER (WHERE x.delivered_at IS NULL AND x.failed_at IS NULL) AS open,
                     count(*) FILTER (WHERE x.failed_at IS NOT NULL) AS failed,
                     coalesce(sum(greatest(x.attempts - 1, 0)), 0)::integer AS retries,
                     max(x.delivered_at) AS last_delivered,
                     (array_agg(x.last_error ORDER BY x.failed_at DESC)
                          FILTER (WHERE x.failed_at IS NOT NULL))[1] AS reason
              FROM (SELECT DISTINCT t.org, t.id FROM unnest(done_orgs, done_notifications) AS t(org, id)) t
              JOIN mycelium.notification_recipients x
                ON x.organization_id = t.org AND x.notification_id = t.id AND x.channel <> 'in_app'
              GROUP BY x.organization_id, x.notification_id) s
        WHERE n.organization_id = s.organization_id AND n.id = s.notification_id AND n.status = 'PENDING';
    END IF;
    PERFORM set_config('lock_timeout', lock_wait_before, true);
    PERFORM set_config('plan_cache_mode', plan_mode_before, true);

    RETURN QUERY
    SELECT r.i::integer, r.org, r.id, coalesce(d.outcome, 'stale')
    FROM unnest(orgs, ids) WITH ORDINALITY AS r(org, id, i)
    LEFT JOIN unnest(done_reports, done_outcomes) AS d(i, outcome) ON d.i = r.i
    ORDER BY r.i;
END;
$$;

-- The outcome of one claimed delivery: error NULL means it was delivered; a
-- failure is tried again after a back-off, or fails for good (permanent, or the
-- fifth attempt). Returns 'delivered', 'retrying', 'failed' or 'stale'
-- (report_deliveries above has the rules).
CREATE OR REPLACE FUNCTION mycelium.finish_delivery(organization_id uuid, recipient_id uuid, attempt integer,
                                         error text DEFAULT NULL, permanent boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fn constant text := 'finish_delivery';
    outcome text;
BEGIN
    PERFORM mycelium.require_writable(fn);
    SELECT r.outcome INTO outcome
      FROM mycelium_internal.report_deliveries(fn, ARRAY[finish_delivery.organization_id],
                                               ARRAY[finish_delivery.recipient_id], ARRAY[finish_delivery.attempt],
                                               ARRAY[finish_delivery.error], ARRAY[finish_delivery.permanent]) r;
    RETURN outcome;
END;
$$;
COMMENT ON FUNCTION mycelium.finish_delivery(uuid, uuid, integer, text, boolean) IS
    'Reports the outcome of a claimed delivery (error NULL: delivered); settles the notification when it was the last';

-- The outcomes of many claimed deliveries in one call, by the rules of
-- finish_delivery: report i is (organization_ids[i], recipient_ids[i],
-- attempts[i], errors[i], permanent[i]); errors NULL means all were delivered,
-- permanent NULL that no failure is permanent. Returns one row per report, in
-- their order, with its outcome ('delivered', 'retrying', 'failed' or 'stale').
-- A malformed report, a delivery reported twice or one that does not exist
-- fails the whole call and changes nothing.
CREATE OR REPLACE FUNCTION mycelium.finish_deliveries(organization_ids uuid[], recipient_ids uuid[], attempts integer[],
                                                      errors text[] DEFAULT NULL, permanent boolean[] DEFAULT NULL)
    RETURNS TABLE (organization_id uuid, recipient_id uuid, outcome text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fn constant text := 'finish_deliveries';
BEGIN
    PERFORM mycelium.require_writable(fn);
    RETURN QUERY
    SELECT r.organization_id, r.recipient_id, r.outcome
      FROM mycelium_internal.report_deliveries(fn, finish_deliveries.organization_ids,
                                               finish_deliveries.recipient_ids, finish_deliveries.attempts,
                                               finish_deliveries.errors, finish_deliveries.permanent) r
     ORDER BY r.report;
END;
$$;
COMMENT ON FUNCTION mycelium.finish_deliveries(uuid[], uuid[], integer[], text[], boolean[]) IS
    'Reports the outcomes of many claimed deliveries at once, by the rules of finish_delivery';
