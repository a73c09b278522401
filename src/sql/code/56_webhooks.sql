-- ====== Webhook events ======
-- Integrations of type WEBHOOKS and ZAPIER hear of what changes in their
-- organization: each change an integration may care about becomes one row of
-- mycelium.webhook_deliveries per subscribed integration, written by the
-- statement-level triggers below in the transaction of the change (a rolled-back
-- change leaves none) and in one INSERT per statement (a bulk update of
-- deliverables pays one pass, like the activity log and the notifications). A
-- worker outside the database then POSTs them under the lease protocol of the
-- notifications (56_delivery.sql): claim_webhook_deliveries hands out a batch,
-- signed by the database as the Standard Webhooks specification does it, and
-- finish_webhook_delivery reports each outcome. docs/integrations.md, "Events"
-- and "Signatures".

-- The event types, the one list: what the triggers make, what an integration's
-- config->'events' may name, what docs/integrations.md catalogues.
CREATE OR REPLACE FUNCTION mycelium.webhook_event_types() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['deliverable.created', 'deliverable.status_changed', 'deliverable.completed',
                 'deliverable.approved', 'client.created', 'client.updated', 'project.created',
                 'project.completed', 'comment.created']
$$;
COMMENT ON FUNCTION mycelium.webhook_event_types() IS
    'The event types a WEBHOOKS or ZAPIER integration may subscribe to (config->''events'')';

-- A WEBHOOKS or ZAPIER integration subscribes with config->'events', an array of
-- distinct names of webhook_event_types() (none, or the key absent: it hears
-- nothing). Anything else is refused with 23514, naming what is wrong.
CREATE OR REPLACE FUNCTION mycelium_internal.check_webhook_subscription() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    events jsonb := NEW.config -> 'events';
    unknown text;
BEGIN
    IF NEW.type NOT IN ('WEBHOOKS', 'ZAPIER') OR events IS NULL THEN
        RETURN NEW;
    END IF;
    IF jsonb_typeof(events) <> 'array' THEN
        RAISE EXCEPTION 'mycelium: integration "%": config.events must be an array of event type names, not a %',
            left(NEW.name, 100), jsonb_typeof(events)
            USING ERRCODE = 'check_violation', SCHEMA = 'mycelium', COLUMN = 'config', TABLE = 'integrations',
                  HINT = 'Event types: ' || array_to_string(mycelium.webhook_event_types(), ', ') || '.';
    END IF;
    SELECT left(e::text, 100) INTO unknown
    FROM jsonb_array_elements(events) AS e
    WHERE jsonb_typeof(e) <> 'string' OR NOT (e #>> '{}') = ANY (mycelium.webhook_event_types())
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'mycelium: integration "%": config.events names an unknown event type: %',
            left(NEW.name, 100), unknown
            USING ERRCODE = 'check_violation', SCHEMA = 'mycelium', COLUMN = 'config', TABLE = 'integrations',
                  HINT = 'Event types: ' || array_to_string(mycelium.webhook_event_types(), ', ') || '.';
    END IF;
    IF (SELECT count(DISTINCT e) <> count(*) FROM jsonb_array_elements_text(events) AS e) THEN
        RAISE EXCEPTION 'mycelium: integration "%": config.events names an event type twice', left(NEW.name, 100)
            USING ERRCODE = 'check_violation', SCHEMA = 'mycelium', COLUMN = 'config', TABLE = 'integrations';
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER check_webhook_subscription BEFORE INSERT OR UPDATE OF type, config ON mycelium.integrations
    FOR EACH ROW EXECUTE FUNCTION mycelium_internal.check_webhook_subscription();

-- The integrations that hear events in the organizations given: enabled
-- WEBHOOKS and ZAPIER integrations with a URL, and the events they listed.
CREATE OR REPLACE FUNCTION mycelium_internal.webhook_subscriptions(orgs uuid[])
    RETURNS TABLE (organization_id uuid, integration_id uuid, events jsonb)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT i.organization_id, i.id, i.config -> 'events'
    FROM mycelium.integrations i
    WHERE i.organization_id = ANY (orgs)
      AND i.type IN ('WEBHOOKS', 'ZAPIER') AND i.is_enabled AND i.webhook_url IS NOT NULL
      AND jsonb_typeof(i.config -> 'events') = 'array' AND jsonb_array_length(i.config -> 'events') > 0;
$$;

-- A time as every payload writes it: UTC, ISO 8601 to the microsecond
-- ('2026-12-07T09:30:00.000000Z'), whatever the session's time zone.
CREATE OR REPLACE FUNCTION mycelium_internal.webhook_time(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- Queues the events (orgs[i], types[i], data[i]): one delivery per event and
-- integration of its organization subscribed to its type, in one INSERT. The
-- payload's shape is version 1 (docs/integrations.md, "Events"); its timestamp
-- is the time of the change (the transaction's). Returns how many it queued.
CREATE OR REPLACE FUNCTION mycelium_internal.queue_webhook_events(orgs uuid[], types text[], data jsonb[])
    RETURNS integer
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH queued AS (
        INSERT INTO mycelium.webhook_deliveries (organization_id, integration_id, event_type, payload)
        SELECT e.org, s.integration_id, e.type,
               jsonb_build_object('type', e.type, 'version', 1,
                                  'timestamp', mycelium_internal.webhook_time(now()),
                                  'organization_id', e.org, 'data', e.data)
        FROM unnest(orgs, types, data) AS e(org, type, data)
        JOIN mycelium_internal.webhook_subscriptions(ARRAY(SELECT DISTINCT o FROM unnest(orgs) AS o)) s
          ON s.organization_id = e.org AND s.events ? e.type
        RETURNING 1
    )
    SELECT count(*)::integer FROM queued;
$$;

-- The organizations of a statement's rows that have a subscribed integration:
-- empty for most statements, which then cost one look-up.
CREATE OR REPLACE FUNCTION mycelium_internal.webhook_organizations(orgs uuid[]) RETURNS uuid[]
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY(SELECT DISTINCT s.organization_id
                 FROM mycelium_internal.webhook_subscriptions(ARRAY(SELECT DISTINCT o FROM unnest(orgs) AS o)) s);
$$;

-- ------ The events ------
-- What a receiver sees of a deliverable, client, project or comment: ids and
-- the fields it acts on, never a description, notes, custom fields or files
-- (docs/integrations.md lists them). A comment's content is sent unless the
-- comment is internal.

-- deliverable.created; deliverable.status_changed on any change of status (with
-- previous_status), and with it deliverable.completed or deliverable.approved
-- when the status becomes COMPLETED or APPROVED.
CREATE OR REPLACE FUNCTION mycelium_internal.webhook_deliverable_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    orgs uuid[];
    ev record;
BEGIN
    orgs := mycelium_internal.webhook_organizations(ARRAY(SELECT DISTINCT n.organization_id FROM new_rows n));
    IF cardinality(orgs) = 0 THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(n.organization_id) AS orgs, array_agg('deliverable.created'::text) AS types,
               array_agg(jsonb_build_object('deliverable', mycelium_internal.webhook_deliverable(n))) AS data
          INTO ev
          FROM new_rows n
         WHERE n.organization_id = ANY (orgs);
    ELSE
        SELECT array_agg(n.organization_id) AS orgs, array_agg(e.type) AS types,
               array_agg(jsonb_build_object('deliverable', mycelium_internal.webhook_deliverable(n),
                                            'previous_status', o.status)) AS data
          INTO ev
          FROM new_rows n
          JOIN old_rows o ON o.organization_id = n.organization_id AND o.id = n.id
          CROSS JOIN LATERAL (VALUES ('deliverable.status_changed'), ('deliverable.completed'),
                                     ('deliverable.approved')) AS e(type)
         WHERE n.organization_id = ANY (orgs) AND n.status <> o.status
           AND (e.type = 'deliverable.status_changed'
                OR (e.type = 'deliverable.completed' AND n.status = 'COMPLETED')
                OR (e.type = 'deliverable.approved' AND n.status = 'APPROVED'));
    END IF;
    IF ev.orgs IS NOT NULL THEN
        PERFORM mycelium_internal.queue_webhook_events(ev.orgs, ev.types, ev.data);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION mycelium_internal.webhook_deliverable(d mycelium.deliverables) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object('id', d.id, 'title', d.title, 'status', d.status, 'priority', d.priority,
                              'client_id', d.client_id, 'project_id', d.project_id,
                              'service_type_id', d.service_type_id, 'assigned_user_id', d.assigned_user_id,
                              'due_date', mycelium_internal.webhook_time(d.due_date),
                              'completed_at', mycelium_internal.webhook_time(d.completed_at),
                              'approved_at', mycelium_internal.webhook_time(d.approved_at))
$$;

CREATE OR REPLACE TRIGGER webhook_events_insert AFTER INSERT ON mycelium.deliverables
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_deliverable_events();
CREATE OR REPLACE TRIGGER webhook_events_update AFTER UPDATE ON mycelium.deliverables
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_deliverable_events();

-- client.created; client.updated when what CLIENT_UPDATED counts changes
-- (55_notifications.sql: name, company, status or pause, contact, how the
-- client wants to hear), with the changed fields' names.
CREATE OR REPLACE FUNCTION mycelium_internal.webhook_client_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    orgs uuid[];
    ev record;
BEGIN
    orgs := mycelium_internal.webhook_organizations(ARRAY(SELECT DISTINCT n.organization_id FROM new_rows n));
    IF cardinality(orgs) = 0 THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(n.organization_id) AS orgs, array_agg('client.created'::text) AS types,
               array_agg(jsonb_build_object('client', mycelium_internal.webhook_client(n))) AS data
          INTO ev
          FROM new_rows n
         WHERE n.organization_id = ANY (orgs);
    ELSE
        SELECT array_agg(c.organization_id) AS orgs, array_agg('client.updated'::text) AS types,
               array_agg(jsonb_build_object('client', c.client, 'changed', to_jsonb(c.fields))) AS data
          INTO ev
          FROM (SELECT n.organization_id, mycelium_internal.webhook_client(n) AS client,
                       array_remove(ARRAY[
                           CASE WHEN n.name IS DISTINCT FROM o.name THEN 'name' END,
                           CASE WHEN n.company_name IS DISTINCT FROM o.company_name THEN 'company_name' END,
                           CASE WHEN n.status IS DISTINCT FROM o.status THEN 'status' END,
                           CASE WHEN n.is_paused IS DISTINCT FROM o.is_paused THEN 'is_paused' END,
                           CASE WHEN n.contact_person IS DISTINCT FROM o.contact_person THEN 'contact_person' END,
                           CASE WHEN n.contact_email IS DISTINCT FROM o.contact_email THEN 'contact_email' END,
                           CASE WHEN n.contact_phone IS DISTINCT FROM o.contact_phone THEN 'contact_phone' END,
                           CASE WHEN n.notification_email IS DISTINCT FROM o.notification_email
                                THEN 'notification_email' END,
                           CASE WHEN n.preferred_contact_method IS DISTINCT FROM o.preferred_contact_method
                                THEN 'preferred_contact_method' END], NULL) AS fields
                  FROM new_rows n
                  JOIN old_rows o ON o.organization_id = n.organization_id AND o.id = n.id
                 WHERE n.organization_id = ANY (orgs)) c
         WHERE cardinality(c.fields) > 0;
    END IF;
    IF ev.orgs IS NOT NULL THEN
        PERFORM mycelium_internal.queue_webhook_events(ev.orgs, ev.types, ev.data);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION mycelium_internal.webhook_client(c mycelium.clients) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object('id', c.id, 'name', c.name, 'company_name', c.company_name, 'status', c.status,
                              'is_paused', c.is_paused, 'contact_person', c.contact_person,
                              'contact_email', c.contact_email, 'contact_phone', c.contact_phone,
                              'notification_email', c.notification_email,
                              'preferred_contact_method', c.preferred_contact_method)
$$;

CREATE OR REPLACE TRIGGER webhook_events_insert AFTER INSERT ON mycelium.clients
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_client_events();
CREATE OR REPLACE TRIGGER webhook_events_update AFTER UPDATE ON mycelium.clients
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_client_events();

-- project.created; project.completed when the status becomes COMPLETED.
CREATE OR REPLACE FUNCTION mycelium_internal.webhook_project_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    orgs uuid[];
    ev record;
BEGIN
    orgs := mycelium_internal.webhook_organizations(ARRAY(SELECT DISTINCT n.organization_id FROM new_rows n));
    IF cardinality(orgs) = 0 THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(n.organization_id) AS orgs, array_agg('project.created'::text) AS types,
               array_agg(jsonb_build_object('project', mycelium_internal.webhook_project(n))) AS data
          INTO ev
          FROM new_rows n
         WHERE n.organization_id = ANY (orgs);
    ELSE
        SELECT array_agg(n.organization_id) AS orgs, array_agg('project.completed'::text) AS types,
               array_agg(jsonb_build_object('project', mycelium_internal.webhook_project(n))) AS data
          INTO ev
          FROM new_rows n
          JOIN old_rows o ON o.organization_id = n.organization_id AND o.id = n.id
         WHERE n.organization_id = ANY (orgs) AND n.status = 'COMPLETED' AND o.status <> 'COMPLETED';
    END IF;
    IF ev.orgs IS NOT NULL THEN
        PERFORM mycelium_internal.queue_webhook_events(ev.orgs, ev.types, ev.data);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION mycelium_internal.webhook_project(p mycelium.projects) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object('id', p.id, 'name', p.name, 'client_id', p.client_id, 'status', p.status,
                              'priority', p.priority, 'manager_id', p.manager_id,
                              'start_date', mycelium_internal.webhook_time(p.start_date),
                              'end_date', mycelium_internal.webhook_time(p.end_date))
$$;

CREATE OR REPLACE TRIGGER webhook_events_insert AFTER INSERT ON mycelium.projects
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_project_events();
CREATE OR REPLACE TRIGGER webhook_events_update AFTER UPDATE ON mycelium.projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_project_events();

-- comment.created: its author (a staff user_id or a portal client_user_id), and
-- its content unless it is internal.
CREATE OR REPLACE FUNCTION mycelium_internal.webhook_comment_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    orgs uuid[];
    ev record;
BEGIN
    orgs := mycelium_internal.webhook_organizations(ARRAY(SELECT DISTINCT n.organization_id FROM new_rows n));
    IF cardinality(orgs) = 0 THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(n.organization_id) AS orgs, array_agg('comment.created'::text) AS types,
           array_agg(jsonb_build_object('comment', jsonb_build_object(
               'id', n.id, 'deliverable_id', n.deliverable_id, 'user_id', n.user_id,
               'client_user_id', n.client_user_id, 'parent_id', n.parent_id, 'type', n.type,
               'is_internal', n.is_internal, 'content', CASE WHEN NOT n.is_internal THEN n.content END,
               'created_at', mycelium_internal.webhook_time(n.created_at)))) AS data
      INTO ev
      FROM new_rows n
     WHERE n.organization_id = ANY (orgs);
    IF ev.orgs IS NOT NULL THEN
        PERFORM mycelium_internal.queue_webhook_events(ev.orgs, ev.types, ev.data);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER webhook_events_insert AFTER INSERT ON mycelium.comments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_comment_events();

-- An integration that can no longer be delivered to (disabled, or without a
-- URL) parks its open deliveries: out of the outbox's index, so that one
-- tenant's stuck backlog is not read past by every other tenant's claims. When
-- it can be delivered to again they are back, each due when it was. Both happen
-- in the update of the integration, which holds its row, so that no enabling
-- misses a parking; the claims and reports never write parked. A report that
-- changes the integration locks it first (finish_webhook_delivery). Definer: the
-- ADMIN moves deliveries it may not write.
CREATE OR REPLACE FUNCTION mycelium_internal.park_webhook_deliveries() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    park constant boolean := NOT (NEW.is_enabled AND NEW.webhook_url IS NOT NULL);
BEGIN
    UPDATE mycelium.webhook_deliveries w SET parked = park
    WHERE w.organization_id = NEW.organization_id AND w.integration_id = NEW.id
      AND w.delivered_at IS NULL AND w.failed_at IS NULL AND w.parked <> park;
    RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER park_webhook_deliveries AFTER UPDATE OF is_enabled, webhook_url ON mycelium.integrations
    FOR EACH ROW
    WHEN ((OLD.is_enabled AND OLD.webhook_url IS NOT NULL) IS DISTINCT FROM (NEW.is_enabled AND NEW.webhook_url IS NOT NULL))
    EXECUTE FUNCTION mycelium_internal.park_webhook_deliveries();

-- ------ Delivering them ------
-- The protocol of claim_deliveries and finish_delivery (56_delivery.sql): a
-- claim locks the due rows it picks (SKIP LOCKED) and leases them until
-- next_attempt_at, counting an attempt; the attempt number fences the report.
-- Only deliveries of an integration that is still enabled are handed out (a
-- disabled one's wait, parked, and go out once it is enabled again).
--
-- Each delivery is signed as Standard Webhooks does it: webhook_id is
-- 'msg_' || its id (the same on every retry, so that a receiver de-duplicates),
-- webhook_timestamp the claim's time in Unix seconds, and webhook_signature
-- 'v1,' || base64(HMAC-SHA256(key, webhook_id || '.' || webhook_timestamp || '.'
-- || body)) with the integration's signing_secret, which never leaves the
-- database. A delivery whose integration has no signing_secret is not sent
-- unsigned: it fails at once, saying so.
CREATE OR REPLACE FUNCTION mycelium.claim_webhook_deliveries(batch_size integer DEFAULT 100,
                                                             lease interval DEFAULT '5 minutes')
    RETURNS SETOF mycelium.webhook_delivery
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fn constant text := 'claim_webhook_deliveries';
    how_many constant integer := claim_webhook_deliveries.batch_size;
    held constant interval := claim_webhook_deliveries.lease;
    sent_at constant bigint := floor(extract(epoch FROM now()))::bigint;
BEGIN
    PERFORM mycelium.require_writable(fn);
    IF how_many IS NULL OR how_many NOT BETWEEN 1 AND 10000 THEN
        RAISE EXCEPTION '%: batch_size must be between 1 and 10000, not %', fn, coalesce(how_many::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF held IS NULL OR held < interval '1 second' OR held > interval '1 day' THEN
        RAISE EXCEPTION '%: lease must be between 1 second and 1 day, not %', fn, coalesce(held::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;

    RETURN QUERY
    WITH picked AS MATERIALIZED (
        SELECT w.organization_id, w.id, w.integration_id
        FROM mycelium.webhook_deliveries w
        WHERE w.delivered_at IS NULL AND w.failed_at IS NULL AND NOT w.parked
          AND coalesce(w.next_attempt_at, '-infinity'::timestamptz) <= now()
          -- A disabled integration's deliveries are parked (park_webhook_deliveries);
          -- this holds back any written past the trigger, or in the moment it ran.
          AND EXISTS (SELECT FROM mycelium.integrations i
                      WHERE i.organization_id = w.organization_id AND i.id = w.integration_id
                        AND i.is_enabled AND i.webhook_url IS NOT NULL)
        ORDER BY coalesce(w.next_attempt_at, '-infinity'::timestamptz), w.id
        LIMIT how_many
        FOR UPDATE OF w SKIP LOCKED
    ),
    -- One look-up of each integration's secret per claim, not one per delivery.
    keys AS MATERIALIZED (
        SELECT k.organization_id, k.integration_id,
               mycelium_internal.integration_secret(k.organization_id, k.integration_id, 'signing_secret') AS secret
        FROM (SELECT DISTINCT p.organization_id, p.integration_id FROM picked p) k
    ),
    claimed AS (
        UPDATE mycelium.webhook_deliveries w
        SET attempts = w.attempts + 1,
            next_attempt_at = CASE WHEN k.secret IS NOT NULL THEN now() + held END,
            failed_at = CASE WHEN k.secret IS NULL THEN now() END,
            last_error = CASE WHEN k.secret IS NULL THEN 'the integration has no signing_secret' ELSE w.last_error END
        FROM picked p
        JOIN keys k ON k.organization_id = p.organization_id AND k.integration_id = p.integration_id
        WHERE w.organization_id = p.organization_id AND w.id = p.id
        RETURNING w.organization_id, w.id, w.integration_id, w.attempts, w.event_type, w.payload::text AS body,
                  w.next_attempt_at, k.secret
    )
    SELECT c.id, c.organization_id, c.integration_id, c.attempts, i.webhook_url, c.event_type, 'msg_' || c.id,
           sent_at, c.body,
           mycelium_internal.webhook_signature(c.secret, 'msg_' || c.id, sent_at, c.body)
    FROM claimed c
    JOIN mycelium.integrations i ON i.organization_id = c.organization_id AND i.id = c.integration_id
    WHERE c.secret IS NOT NULL
    ORDER BY c.next_attempt_at, c.id;
END;
$$;
COMMENT ON FUNCTION mycelium.claim_webhook_deliveries(integer, interval) IS
    'Hands a worker up to batch_size due webhook deliveries, signed, leased to it for lease';

-- The outcome of one claimed webhook delivery, as finish_delivery reports a
-- notification's: error NULL means delivered (HTTP 2xx); a failure is tried
-- again after the back-off of mycelium_internal.delivery_backoff and fails for
-- good when it runs out, or at once when permanent (HTTP 410 Gone: the endpoint
-- is no more). Returns 'delivered', 'retrying', 'failed', or 'stale' (the
-- attempt is not the current one, or the delivery is already done: nothing was
-- changed).
-- The integration keeps count: a success sets error_count to 0; a failure adds
-- one and records last_error and last_error_at, and disables the integration
-- when it is permanent or when error_count reaches the setting
-- integration_failure_limit (20 by default) -- which tells its ADMINs
-- (INTEGRATION_ERROR, 55_notifications.sql).
CREATE OR REPLACE FUNCTION mycelium.finish_webhook_delivery(organization_id uuid, delivery_id uuid, attempt integer,
                                                            error text DEFAULT NULL, permanent boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    fn constant text := 'finish_webhook_delivery';
    org constant uuid := finish_webhook_delivery.organization_id;
    did constant uuid := finish_webhook_delivery.delivery_id;
    tried constant integer := finish_webhook_delivery.attempt;
    gone constant boolean := finish_webhook_delivery.permanent;
    reason text := finish_webhook_delivery.error;
    lock_wait_before constant text := current_setting('lock_timeout');
    failure_limit integer;
    integration uuid;
    touches_integration boolean;
    outcome text;
BEGIN
    PERFORM mycelium.require_writable(fn);
    IF org IS NULL OR did IS NULL OR tried IS NULL THEN
        RAISE EXCEPTION '%: organization_id, delivery_id and attempt are required', fn
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF gone IS NULL THEN
        RAISE EXCEPTION '%: permanent must be true or false, not NULL', fn
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF reason IS NOT NULL THEN
        IF btrim(reason) = '' THEN
            RAISE EXCEPTION '%: error must describe the failure (NULL means delivered)', fn
                USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
        END IF;
        IF length(reason) > 1000 THEN
            reason := left(reason, 999) || '…';
        END IF;
    ELSIF gone THEN
        RAISE EXCEPTION '%: a permanent failure needs an error', fn
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;

    -- A bounded wait for the rows' locks, as finish_delivery (an ADMIN editing
    -- the integration must not stop every report behind it).
    PERFORM set_config('lock_timeout', mycelium_internal.job_lock_timeout(), true);
    SELECT w.integration_id INTO integration
    FROM mycelium.webhook_deliveries w
    WHERE w.organization_id = org AND w.id = did;
    IF NOT FOUND THEN
        RAISE EXCEPTION '%: no webhook delivery % in organization %', fn, did, org
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium', TABLE = 'webhook_deliveries';
    END IF;

    outcome := CASE WHEN reason IS NULL THEN 'delivered'
                    WHEN gone OR mycelium_internal.delivery_backoff(tried) IS NULL THEN 'failed'
                    ELSE 'retrying' END;
    -- A report that will change the integration locks its row before the
    -- delivery's, in the order an ADMIN's update of the integration takes them
    -- (park_webhook_deliveries): the two wait for each other, never deadlock.
    touches_integration := outcome <> 'delivered'
                           OR EXISTS (SELECT FROM mycelium.integrations i
                                      WHERE i.organization_id = org AND i.id = integration AND i.error_count <> 0);
    IF touches_integration THEN
        PERFORM FROM mycelium.integrations i
        WHERE i.organization_id = org AND i.id = integration
        FOR NO KEY UPDATE;
    END IF;

    -- Compare and set: only the current attempt of an undone delivery changes it.
    UPDATE mycelium.webhook_deliveries w
    SET delivered_at = CASE WHEN outcome = 'delivered' THEN now() END,
        failed_at = CASE WHEN outcome = 'failed' THEN now() END,
        next_attempt_at = CASE WHEN outcome = 'retrying' THEN now() + mycelium_internal.delivery_backoff(tried) END,
        last_error = reason
    WHERE w.organization_id = org AND w.id = did
      AND w.attempts = tried AND w.delivered_at IS NULL AND w.failed_at IS NULL;
    IF NOT FOUND THEN
        PERFORM set_config('lock_timeout', lock_wait_before, true);
        RETURN 'stale';
    END IF;

    -- A success resets the count: an update only when there is one to reset, so
    -- that the usual report (all is well) fires none of the integration's triggers.
    IF outcome = 'delivered' THEN
        IF touches_integration THEN
            UPDATE mycelium.integrations i SET error_count = 0
            WHERE i.organization_id = org AND i.id = integration AND i.error_count <> 0;
        END IF;
    ELSE
        failure_limit := coalesce((SELECT s.value::integer FROM mycelium_internal.settings s
                                   WHERE s.name = 'integration_failure_limit'), 20);
        UPDATE mycelium.integrations i
        SET error_count = i.error_count + 1, last_error = reason, last_error_at = now(),
            is_enabled = i.is_enabled AND NOT gone AND i.error_count + 1 < failure_limit
        WHERE i.organization_id = org AND i.id = integration;
    END IF;
    PERFORM set_config('lock_timeout', lock_wait_before, true);
    RETURN outcome;
END;
$$;
COMMENT ON FUNCTION mycelium.finish_webhook_delivery(uuid, uuid, integer, text, boolean) IS
    'Reports the outcome of a claimed webhook delivery (error NULL: delivered); keeps the integration''s error count';
