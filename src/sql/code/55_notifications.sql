-- ====== Notifications and the sweeps ======
-- Every notification goes to people of its organization (staff, and for the
-- deliverables' approvals and replies its portal users) on the channels its
-- settings enable, at the time its notification_frequency says. One path makes
-- those about deliverables (send_notifications): the overdue and due-soon
-- sweeps, and the events the database itself sees (assigned, completed,
-- approved, needs review or approval, comment added, mention); another
-- (send_notices) those about clients, projects and integrations, and the
-- operator's maintenance announcement. docs/notifications.md describes who gets
-- what.

-- Notifications go out at 08:00 local time in daily and weekly digests.
-- immediate: as_of itself; daily: the next 08:00 in the zone after as_of; weekly:
-- the next 08:00 on the organization's first day of the week (0 = Sunday).
CREATE OR REPLACE FUNCTION mycelium_internal.next_delivery_time(as_of timestamptz, frequency text, time_zone text,
                                            week_starts_on integer)
    RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE frequency
        WHEN 'immediate' THEN as_of
        ELSE (SELECT (slot + make_interval(days => CASE WHEN frequency = 'weekly'
                                                        THEN (week_starts_on - extract(dow FROM slot)::integer + 7) % 7
                                                        ELSE 0 END)) AT TIME ZONE time_zone
              FROM (SELECT date_trunc('day', local) + CASE WHEN local < date_trunc('day', local) + interval '8 hours'
                                                           THEN interval '8 hours'
                                                           ELSE interval '1 day 8 hours' END AS slot
                    FROM (SELECT as_of AT TIME ZONE time_zone AS local) l) s)
    END;
$$;
COMMENT ON FUNCTION mycelium_internal.next_delivery_time(timestamptz, text, text, integer) IS
    'When a notification made at as_of goes out: now (immediate), or the next 08:00 local daily or weekly digest';

-- The people around deliverables, as (organization_id, deliverable_id, user_id)
-- rows, at least one per deliverable (user_id NULL when there is nobody), for the
-- members asked for: 'assignee', 'creator', 'primary' (the client's active
-- PRIMARY assignee for the service) and 'admins' (the organization's ACTIVE
-- ADMINs). Set-based: one join per kind of member, not a look-up per deliverable.
-- A caller that has the deliverables' rows already (the overdue sweep, from its
-- UPDATE) passes their assignees, creators, clients and service types, aligned
-- with ids, and the deliverables are not read again; clients NULL: they are read.
CREATE OR REPLACE FUNCTION mycelium_internal.deliverable_audience(orgs uuid[], ids uuid[], members text[],
                                                                  assignees uuid[] DEFAULT NULL,
                                                                  creators uuid[] DEFAULT NULL,
                                                                  clients uuid[] DEFAULT NULL,
                                                                  service_types uuid[] DEFAULT NULL)
    RETURNS TABLE (organization_id uuid, deliverable_id uuid, user_id uuid)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH d AS MATERIALIZED (
        SELECT d.organization_id, d.id, d.assigned_user_id, d.created_by_id, d.client_id, d.service_type_id
        FROM unnest(orgs, ids) AS x(org, id)
        JOIN mycelium.deliverables d ON d.organization_id = x.org AND d.id = x.id
        WHERE clients IS NULL
        UNION ALL
        SELECT x.org, x.id, x.assignee, x.creator, x.client, x.service_type
        FROM unnest(orgs, ids, assignees, creators, clients, service_types)
             AS x(org, id, assignee, creator, client, service_type)
        WHERE clients IS NOT NULL
    )
    SELECT d.organization_id, d.id, NULL::uuid FROM d
    UNION ALL
    SELECT d.organization_id, d.id, d.assigned_user_id FROM d
    WHERE 'assignee' = ANY (members) AND d.assigned_user_id IS NOT NULL
    UNION ALL
    SELECT d.organization_id, d.id, d.created_by_id FROM d
    WHERE 'creator' = ANY (members)
    UNION ALL
    SELECT d.organization_id, d.id, a.user_id FROM d
    JOIN mycelium.client_assignments a
      ON a.organization_id = d.organization_id AND a.client_id = d.client_id
     AND a.service_type_id = d.service_type_id AND a.role = 'PRIMARY' AND a.is_active
    WHERE 'primary' = ANY (members)
    UNION ALL
    SELECT d.organization_id, d.id, u.id FROM d
    JOIN mycelium.users u ON u.organization_id = d.organization_id AND u.role = 'ADMIN' AND u.status = 'ACTIVE'
    WHERE 'admins' = ANY (members);
$$;

-- The form of the due date that DUE_SOON and OVERDUE notifications carry in
-- metadata.due_date, on which notifications_deliverable_due_key makes them once
-- per deliverable and due date: to_char(due_date AT TIME ZONE 'UTC', this). The
-- one source of the format for the code that writes the key and the code that
-- looks for it; a constant, which the planner folds in before running either.
CREATE OR REPLACE FUNCTION mycelium_internal.due_key_format() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'YYYY-MM-DD"T"HH24:MI:SS"Z"'
$$;

-- Makes one notification of a kind per deliverable named in (orgs[i], ids[i])
-- and one recipient row per person named with it and channel: an ACTIVE user
-- (users[i]) or an active portal user (portal_users[i], when the organization's
-- enable_client_portal is on). The sender (the user whose action caused it:
-- senders[i] when given, else sender) is never a recipient of what they caused,
-- nor is the portal user whose action it was (the session's, in a CLIENT
-- context). Channels: staff get in_app always, email and slack when the
-- organization's settings enable them; portal users in_app always, and email
-- when the organization enables it and their client's preferred_contact_method
-- is 'email' or unset, at the client's notification_email (once per client and
-- notification, to its first recipient) or else their own address; never slack
-- or push, which are staff tools.
-- DUE_SOON and OVERDUE notifications carry their due date and are made at most
-- once per deliverable and due date (notifications_deliverable_due_key): a
-- conflict, also with a concurrent sweep, makes nothing. Returns what it made.
-- Its kinds are mycelium.database_notification_types() (50_rls.sql):
-- no application may make one, so no application can take their keys first.
-- The notification names the deliverable's title and (DUE_SOON, OVERDUE) its due
-- date: a caller that has them already (the overdue sweep, from its UPDATE)
-- passes them in titles and due_dates, aligned with ids, and the deliverables
-- are not read again; titles NULL: they are read.
CREATE OR REPLACE FUNCTION mycelium_internal.send_notifications(kind mycelium.notification_type, as_of timestamptz, sender uuid,
                                            orgs uuid[], ids uuid[], users uuid[], senders uuid[] DEFAULT NULL,
                                            portal_users uuid[] DEFAULT NULL, titles text[] DEFAULT NULL,
                                            due_dates timestamptz[] DEFAULT NULL)
    RETURNS TABLE (organization_id uuid, deliverable_id uuid, notification_id uuid)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH pairs AS MATERIALIZED (
        SELECT DISTINCT p.org, p.id, p.usr, p.cusr, coalesce(p.sender, send_notifications.sender) AS sender,
               p.title, p.due_date
        FROM unnest(orgs, ids, users, senders, portal_users, titles, due_dates)
             AS p(org, id, usr, sender, cusr, title, due_date)
        WHERE p.org IS NOT NULL AND p.id IS NOT NULL
    ),
    -- Channels and delivery time once per organization, not per notification.
    delivery AS MATERIALIZED (
        SELECT s.organization_id,
               ARRAY['in_app']
               || CASE WHEN s.enable_email_notifications THEN ARRAY['email'] ELSE '{}' END
               || CASE WHEN s.enable_slack_notifications
                            AND mycelium_internal.channel_connected(s.organization_id, 'slack')
                       THEN ARRAY['slack'] ELSE '{}' END AS channels,
               mycelium_internal.next_delivery_time(as_of, s.notification_frequency, s.timezone, s.week_starts_on)
                   AS scheduled_for,
               s.enable_client_portal AS portal
        FROM mycelium.organization_settings s
        WHERE s.organization_id IN (SELECT p.org FROM pairs p)
    ),
    -- The people someone is to tell, each once: an ACTIVE user who is not the
    -- actor (an ADMIN assigning work to themselves, a self-mention), an active
    -- portal user who is not the actor. A notification without recipients would
    -- stay PENDING for ever, so only deliverables with people get one.
    people AS MATERIALIZED (
        SELECT DISTINCT p.org, p.id, u.id AS usr, NULL::uuid AS cusr, u.email AS address, true AS by_email
        FROM pairs p
        JOIN mycelium.users u ON u.organization_id = p.org AND u.id = p.usr AND u.status = 'ACTIVE'
        WHERE p.usr IS DISTINCT FROM p.sender
        UNION ALL
        SELECT q.org, q.id, NULL, q.cusr, q.address,
               q.by_email AND (q.shared IS NULL
                               OR row_number() OVER (PARTITION BY q.org, q.id, q.client_id ORDER BY q.cusr) = 1)
        FROM (SELECT DISTINCT p.org, p.id, cu.id AS cusr, cu.client_id, c.notification_email AS shared,
                     coalesce(c.notification_email, cu.email) AS address,
                     coalesce(c.preferred_contact_method, 'email') = 'email' AS by_email
              FROM pairs p
              JOIN delivery o ON o.organization_id = p.org AND o.portal
              JOIN mycelium.client_users cu ON cu.organization_id = p.org AND cu.id = p.cusr AND cu.is_active
              JOIN mycelium.clients c ON c.organization_id = cu.organization_id AND c.id = cu.client_id
              WHERE cu.id IS DISTINCT FROM (CASE WHEN mycelium.current_app_role() = 'CLIENT'
                                                 THEN mycelium.current_app_user_id() END)) q
    ),
    events AS MATERIALIZED (
        SELECT mycelium.uuid_v7() AS notification_id, d.organization_id, d.id, d.title, d.due_date, e.sender,
               o.channels, o.scheduled_for
        FROM (SELECT p.org, p.id, min(p.sender::text)::uuid AS sender, min(p.title) AS title,
                     min(p.due_date) AS due_date
              FROM pairs p GROUP BY p.org, p.id) e
        CROSS JOIN LATERAL (SELECT x.organization_id, x.id, x.title, x.due_date
                            FROM mycelium.deliverables x
                            WHERE titles IS NULL AND x.organization_id = e.org AND x.id = e.id
                            UNION ALL
                            SELECT e.org, e.id, e.title, e.due_date WHERE titles IS NOT NULL) d
        JOIN delivery o ON o.organization_id = e.org
        WHERE EXISTS (SELECT FROM people a WHERE a.org = e.org AND a.id = e.id)
    ),
    created AS (
        INSERT INTO mycelium.notifications AS n
            (id, organization_id, type, title, message, sender_id, channels, scheduled_for, related_id,
             related_type, metadata)
        SELECT e.notification_id, e.organization_id, kind,
               CASE kind WHEN 'DELIVERABLE_OVERDUE' THEN 'Deliverable overdue'
                         WHEN 'DELIVERABLE_DUE_SOON' THEN 'Deliverable due soon'
                         WHEN 'DELIVERABLE_ASSIGNED' THEN 'Deliverable assigned to you'
                         WHEN 'DELIVERABLE_COMPLETED' THEN 'Deliverable completed'
                         WHEN 'DELIVERABLE_APPROVED' THEN 'Deliverable approved'
                         WHEN 'DELIVERABLE_NEEDS_REVIEW' THEN 'Deliverable needs review'
                         WHEN 'COMMENT_ADDED' THEN 'New comment'
                         WHEN 'MENTION_RECEIVED' THEN 'You were mentioned'
                         ELSE kind::text END,
               format(CASE kind WHEN 'DELIVERABLE_OVERDUE' THEN 'Deliverable "%s" is overdue.'
                                WHEN 'DELIVERABLE_DUE_SOON' THEN 'Deliverable "%s" is due soon.'
                                WHEN 'DELIVERABLE_ASSIGNED' THEN 'Deliverable "%s" was assigned to you.'
                                WHEN 'DELIVERABLE_COMPLETED' THEN 'Deliverable "%s" was completed.'
                                WHEN 'DELIVERABLE_APPROVED' THEN 'Deliverable "%s" was approved.'
                                WHEN 'DELIVERABLE_NEEDS_REVIEW' THEN 'Deliverable "%s" is ready for review.'
                                WHEN 'COMMENT_ADDED' THEN 'New comment on "%s".'
                                WHEN 'MENTION_RECEIVED' THEN 'You were mentioned in a comment on "%s".'
                                ELSE '%s' END, e.title),
               -- A portal user (or an actor of another organization) is no sender.
               CASE WHEN e.sender IS NOT NULL
                    THEN (SELECT u.id FROM mycelium.users u
                           WHERE u.organization_id = e.organization_id AND u.id = e.sender) END,
               e.channels, e.scheduled_for, e.id, 'deliverable',
               CASE WHEN kind IN ('DELIVERABLE_OVERDUE', 'DELIVERABLE_DUE_SOON')
                    THEN jsonb_build_object('due_date',
                                            to_char(e.due_date AT TIME ZONE 'UTC', mycelium_internal.due_key_format()))
               END
        FROM events e
        ORDER BY e.organization_id, e.id
        ON CONFLICT DO NOTHING
        RETURNING n.id, n.organization_id, n.related_id, n.channels, n.scheduled_for
    ),
    addressed AS (
        -- next_attempt_at: a digest's deliveries wait outside the outbox's due
        -- range until their time (claim_deliveries, 56_delivery.sql).
        INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, client_user_id,
                                                      channel, email_address, next_attempt_at)
        SELECT c.organization_id, c.id, a.usr, a.cusr, ch.channel, CASE WHEN ch.channel = 'email' THEN a.address END,
               CASE WHEN ch.channel <> 'in_app' THEN c.scheduled_for END
        FROM created c
        JOIN people a ON a.org = c.organization_id AND a.id = c.related_id
        CROSS JOIN LATERAL unnest(c.channels) AS ch(channel)
        WHERE a.cusr IS NULL OR ch.channel = 'in_app' OR (ch.channel = 'email' AND a.by_email)
        RETURNING 1
    )
    SELECT c.organization_id, c.related_id, c.id FROM created c;
$$;

-- ------ The sweeps ------

-- Marks every open deliverable (mycelium.open_statuses(): PENDING, IN_PROGRESS,
-- NEEDS_REVIEW, NEEDS_APPROVAL) whose due date is before as_of OVERDUE, in one statement, and
-- notifies its assignee, PRIMARY assignee and the organization's admins.
-- Exactly once: a concurrent sweep waits for the rows this one changes and then
-- finds them no longer open.
CREATE OR REPLACE FUNCTION mycelium.sweep_overdue(as_of timestamptz DEFAULT now(), organization_id uuid DEFAULT NULL)
    RETURNS SETOF mycelium.overdue_sweep_row
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fn constant text := 'sweep_overdue';
    orgs uuid[];
    marked record;
    audience record;
BEGIN
    PERFORM mycelium.require_writable(fn);
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION '%: as_of must be a finite time, not %', fn, coalesce(as_of::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF as_of > now() THEN
        RAISE EXCEPTION '%: as_of is in the future', fn
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium',
                  HINT = 'A sweep marks what is overdue now or was at a past moment; omit as_of for now().';
    END IF;
    orgs := mycelium_internal.acting_organizations(fn, sweep_overdue.organization_id);
    -- Not for an organization whose subscription made it read-only (44_subscriptions.sql).
    orgs := mycelium_internal.writable_organizations(fn, orgs);

    -- One statement: the update, and one activity-log row per organization that
    -- names every deliverable it marked (instead of a row per deliverable).
    PERFORM set_config('mycelium.in_job_statement', 'on', true);
    -- The self-join only reads each row's status before the update. Exactly once
    -- comes from the condition on d itself: a row that a concurrent sweep changed
    -- is re-checked against its new version (no longer open) and left alone.
    -- (Locking the rows first with FOR UPDATE cost a tenth of the sweep.)
    WITH swept AS (
        UPDATE mycelium.deliverables d SET status = 'OVERDUE'
        FROM (SELECT o.organization_id, o.id, o.status
              FROM mycelium.deliverables o
              WHERE o.due_date < as_of
                AND o.status = ANY (mycelium.open_statuses())
                AND o.organization_id = ANY (orgs)) old
        WHERE d.organization_id = old.organization_id AND d.id = old.id
          AND d.due_date < as_of AND d.status = ANY (mycelium.open_statuses())
        RETURNING d.organization_id, d.id, old.status, d.title, d.due_date, d.assigned_user_id, d.client_id,
                  d.service_type_id
    ),
    logged AS (
        INSERT INTO mycelium.activity_logs (organization_id, user_id, action, resource_type, resource_id,
                                            resource_name, metadata)
        SELECT s.organization_id,
               (SELECT u.id FROM mycelium.users u
                 WHERE u.organization_id = s.organization_id AND u.id = mycelium.current_app_user_id()),
               'marked_overdue', 'organization', s.organization_id, g.name,
               jsonb_build_object('as_of', as_of, 'count', count(*),
                                  'deliverable_ids', jsonb_agg(s.id ORDER BY s.id))
        FROM swept s JOIN mycelium.organizations g ON g.id = s.organization_id
        GROUP BY s.organization_id, g.name
    )
    SELECT array_agg(s.organization_id) AS orgs, array_agg(s.id) AS ids, array_agg(s.status) AS before,
           array_agg(s.title) AS titles, array_agg(s.due_date) AS due_dates,
           array_agg(s.assigned_user_id) AS assignees, array_agg(s.client_id) AS clients,
           array_agg(s.service_type_id) AS service_types
      INTO marked
      FROM swept s;
    PERFORM set_config('mycelium.in_job_statement', 'off', true);
    IF marked.ids IS NULL THEN
        RETURN;
    END IF;

    -- Who to tell, and what, from the rows the UPDATE returned: the deliverables
    -- are not read again.
    SELECT array_agg(a.organization_id) AS orgs, array_agg(a.deliverable_id) AS ids, array_agg(a.user_id) AS users,
           array_agg(s.title) AS titles, array_agg(s.due_date) AS due_dates
      INTO audience
      FROM mycelium_internal.deliverable_audience(marked.orgs, marked.ids, ARRAY['assignee', 'primary', 'admins'],
                                                  marked.assignees, NULL, marked.clients, marked.service_types) a
      JOIN unnest(marked.orgs, marked.ids, marked.titles, marked.due_dates) AS s(org, id, title, due_date)
        ON s.org = a.organization_id AND s.id = a.deliverable_id;

    RETURN QUERY
    SELECT s.id, s.org, s.before, n.notification_id
    FROM unnest(marked.orgs, marked.ids, marked.before) AS s(org, id, before)
    LEFT JOIN mycelium_internal.send_notifications('DELIVERABLE_OVERDUE', as_of, NULL,
                                          audience.orgs, audience.ids, audience.users, NULL, NULL,
                                          audience.titles, audience.due_dates) n
           ON n.organization_id = s.org AND n.deliverable_id = s.id;
END;
$$;
COMMENT ON FUNCTION mycelium.sweep_overdue(timestamptz, uuid) IS
    'Marks open past-due deliverables OVERDUE, once, and notifies their people';

-- DELIVERABLE_DUE_SOON notifications for the open deliverables due within
-- `within` after as_of, once per deliverable and due date (a changed due date
-- may notify again).
CREATE OR REPLACE FUNCTION mycelium.sweep_due_soon(within interval DEFAULT '24 hours', as_of timestamptz DEFAULT now(),
                                        organization_id uuid DEFAULT NULL)
    RETURNS SETOF mycelium.due_soon_sweep_row
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fn constant text := 'sweep_due_soon';
    orgs uuid[];
    due record;
    audience record;
BEGIN
    PERFORM mycelium.require_writable(fn);
    IF within IS NULL OR within <= interval '0' OR within > interval '90 days' THEN
        RAISE EXCEPTION '%: within must be a positive interval of at most 90 days, not %', fn,
            coalesce(within::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION '%: as_of must be a finite time, not %', fn, coalesce(as_of::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF as_of > now() THEN
        RAISE EXCEPTION '%: as_of is in the future', fn
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium',
                  HINT = 'Omit as_of for now().';
    END IF;
    orgs := mycelium_internal.acting_organizations(fn, sweep_due_soon.organization_id);
    -- Not for an organization whose subscription made it read-only (44_subscriptions.sql).
    orgs := mycelium_internal.writable_organizations(fn, orgs);

    SELECT array_agg(d.organization_id) AS orgs, array_agg(d.id) AS ids, array_agg(d.title) AS titles,
           array_agg(d.due_date) AS due_dates, array_agg(d.assigned_user_id) AS assignees,
           array_agg(d.client_id) AS clients, array_agg(d.service_type_id) AS service_types
      INTO due
    FROM mycelium.deliverables d
    WHERE d.due_date >= as_of AND d.due_date < as_of + within
      AND d.status = ANY (mycelium.open_statuses())
      AND d.organization_id = ANY (orgs)
      AND NOT EXISTS (SELECT FROM mycelium.notifications n
                      WHERE n.organization_id = d.organization_id AND n.type = 'DELIVERABLE_DUE_SOON'
                        AND n.related_id = d.id
                        AND n.metadata ->> 'due_date'
                            = to_char(d.due_date AT TIME ZONE 'UTC', mycelium_internal.due_key_format()));
    IF due.ids IS NULL THEN
        RETURN;
    END IF;

    -- Who to tell, and what, from the rows read above: the deliverables are not
    -- read again.
    SELECT array_agg(a.organization_id) AS orgs, array_agg(a.deliverable_id) AS ids, array_agg(a.user_id) AS users,
           array_agg(s.title) AS titles, array_agg(s.due_date) AS due_dates
      INTO audience
      FROM mycelium_internal.deliverable_audience(due.orgs, due.ids, ARRAY['assignee', 'primary', 'admins'],
                                                  due.assignees, NULL, due.clients, due.service_types) a
      JOIN unnest(due.orgs, due.ids, due.titles, due.due_dates) AS s(org, id, title, due_date)
        ON s.org = a.organization_id AND s.id = a.deliverable_id;

    RETURN QUERY
    SELECT n.deliverable_id, n.organization_id, s.due_date, n.notification_id
    FROM mycelium_internal.send_notifications('DELIVERABLE_DUE_SOON', as_of, NULL,
                                     audience.orgs, audience.ids, audience.users, NULL, NULL,
                                     audience.titles, audience.due_dates) n
    JOIN unnest(due.orgs, due.ids, due.due_dates) AS s(org, id, due_date)
      ON s.org = n.organization_id AND s.id = n.deliverable_id;
END;
$$;
COMMENT ON FUNCTION mycelium.sweep_due_soon(interval, timestamptz, uuid) IS
    'Notifies the people of open deliverables due within the interval, once per deliverable and due date';

-- ------ Events the database sees ------
-- Statement-level, like the activity log: one pass over the statement's rows.
-- The actor (the session's application user) is the sender and is not notified
-- of their own action. Generated deliverables do not announce their assignment:
-- a month's work arrives on the dashboards, not as thousands of messages.

CREATE OR REPLACE FUNCTION mycelium_internal.notify_deliverable_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- The sender: staff only (notifications.sender_id names a user). A portal
    -- user's own action is kept from it by send_notifications.
    actor uuid := CASE WHEN mycelium.current_app_role() <> 'CLIENT' THEN mycelium.current_app_user_id() END;
    ev record;
    audience record;
BEGIN
    -- A job's own statement (the overdue sweep) notifies for itself.
    IF current_setting('mycelium.in_job_statement', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        FOR ev IN
            SELECT array_agg(n.organization_id) AS orgs, array_agg(n.id) AS ids, array_agg(n.assigned_user_id) AS users
            FROM new_rows n
            WHERE n.assigned_user_id IS NOT NULL AND n.recurrence_period IS NULL
            HAVING count(*) > 0
        LOOP
            PERFORM mycelium_internal.send_notifications('DELIVERABLE_ASSIGNED', now(), actor, ev.orgs, ev.ids, ev.users);
        END LOOP;
        RETURN NULL;
    END IF;

    -- A new assignee hears of it.
    FOR ev IN
        SELECT array_agg(n.organization_id) AS orgs, array_agg(n.id) AS ids, array_agg(n.assigned_user_id) AS users
        FROM new_rows n
        JOIN old_rows o ON o.organization_id = n.organization_id AND o.id = n.id
        WHERE n.assigned_user_id IS NOT NULL AND n.assigned_user_id IS DISTINCT FROM o.assigned_user_id
        HAVING count(*) > 0
    LOOP
        PERFORM mycelium_internal.send_notifications('DELIVERABLE_ASSIGNED', now(), actor, ev.orgs, ev.ids, ev.users);
    END LOOP;

    -- A status reached: completed (its creator, PRIMARY and admins hear), approved
    -- (the assignee and PRIMARY), needs review (PRIMARY and admins, who review),
    -- awaiting the client's approval (its active portal users who may approve,
    -- as mycelium.portal_can('approve') says: can_approve, and not a VIEWER).
    FOR ev IN
        SELECT n.status, array_agg(n.organization_id) AS orgs, array_agg(n.id) AS ids
        FROM new_rows n
        JOIN old_rows o ON o.organization_id = n.organization_id AND o.id = n.id
        WHERE n.status IN ('COMPLETED', 'APPROVED', 'NEEDS_REVIEW', 'NEEDS_APPROVAL') AND n.status <> o.status
        GROUP BY n.status
    LOOP
        IF ev.status = 'NEEDS_APPROVAL' THEN
            SELECT array_agg(d.organization_id) AS orgs, array_agg(d.id) AS ids, array_agg(cu.id) AS portal_users
              INTO audience
              FROM unnest(ev.orgs, ev.ids) AS x(org, id)
              JOIN mycelium.deliverables d ON d.organization_id = x.org AND d.id = x.id
              JOIN mycelium.client_users cu
                ON cu.organization_id = d.organization_id AND cu.client_id = d.client_id
               AND cu.is_active AND cu.can_approve AND cu.role <> 'VIEWER';
            IF audience.ids IS NOT NULL THEN
                PERFORM mycelium_internal.send_notifications('DELIVERABLE_NEEDS_REVIEW', now(), actor, audience.orgs,
                                                             audience.ids, NULL, NULL, audience.portal_users);
            END IF;
            CONTINUE;
        END IF;
        SELECT array_agg(a.organization_id) AS orgs, array_agg(a.deliverable_id) AS ids,
               array_agg(a.user_id) AS users
          INTO audience
          FROM mycelium_internal.deliverable_audience(ev.orgs, ev.ids,
                   CASE ev.status WHEN 'COMPLETED' THEN ARRAY['creator', 'primary', 'admins']
                                  WHEN 'APPROVED' THEN ARRAY['assignee', 'primary']
                                  ELSE ARRAY['primary', 'admins'] END) a;
        PERFORM mycelium_internal.send_notifications(
            CASE ev.status WHEN 'COMPLETED' THEN 'DELIVERABLE_COMPLETED'
                           WHEN 'APPROVED' THEN 'DELIVERABLE_APPROVED'
                           ELSE 'DELIVERABLE_NEEDS_REVIEW' END::mycelium.notification_type,
            now(), actor, audience.orgs, audience.ids, audience.users);
    END LOOP;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER notify_events_insert AFTER INSERT ON mycelium.deliverables
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_deliverable_events();
CREATE OR REPLACE TRIGGER notify_events_update AFTER UPDATE ON mycelium.deliverables
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_deliverable_events();

-- A comment tells the deliverable's assignee, creator and PRIMARY assignee, and
-- a reply (not internal) to a portal user's comment tells that portal user, if it
-- belongs to the deliverable's client; a mention tells the user mentioned (check_references, 22_references.sql, has made
-- sure that each is a user of the comment's organization).
CREATE OR REPLACE FUNCTION mycelium_internal.notify_comment_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    audience record;
BEGIN
    -- Set-based, so that a bulk load of comments costs one pass: each comment's
    -- author is the sender of its notifications and is not told of their own.
    -- A reply's portal author is one more recipient of the same notification
    -- (one per deliverable), unless it replied to itself.
    SELECT array_agg(x.org) AS orgs, array_agg(x.id) AS ids, array_agg(x.usr) AS users,
           array_agg(x.sender) AS senders, array_agg(x.cusr) AS portal_users
      INTO audience
      FROM (SELECT a.organization_id AS org, a.deliverable_id AS id, a.user_id AS usr, c.author AS sender,
                   NULL::uuid AS cusr
              FROM (SELECT DISTINCT n.organization_id, n.deliverable_id, n.user_id AS author FROM new_rows n) c
              JOIN mycelium_internal.deliverable_audience(
                       ARRAY(SELECT n.organization_id FROM new_rows n ORDER BY n.organization_id, n.deliverable_id),
                       ARRAY(SELECT n.deliverable_id FROM new_rows n ORDER BY n.organization_id, n.deliverable_id),
                       ARRAY['assignee', 'creator', 'primary']) a
                ON a.organization_id = c.organization_id AND a.deliverable_id = c.deliverable_id
            UNION ALL
            SELECT n.organization_id, n.deliverable_id, NULL, n.user_id, p.client_user_id
              FROM new_rows n
              JOIN mycelium.comments p ON p.organization_id = n.organization_id AND p.id = n.parent_id
              JOIN mycelium.client_users cu ON cu.organization_id = p.organization_id AND cu.id = p.client_user_id
              JOIN mycelium.deliverables d ON d.organization_id = n.organization_id AND d.id = n.deliverable_id
             WHERE n.parent_id IS NOT NULL AND NOT n.is_internal AND cu.client_id = d.client_id
               AND p.client_user_id IS DISTINCT FROM n.client_user_id) x;
    IF audience.ids IS NOT NULL THEN
        PERFORM mycelium_internal.send_notifications('COMMENT_ADDED', now(), NULL, audience.orgs, audience.ids,
                                            audience.users, audience.senders, audience.portal_users);
    END IF;

    SELECT array_agg(n.organization_id) AS orgs, array_agg(n.deliverable_id) AS ids,
           array_agg(m.user_id) AS users, array_agg(n.user_id) AS senders
      INTO audience
      FROM new_rows n CROSS JOIN LATERAL unnest(n.mentions) AS m(user_id);
    IF audience.ids IS NOT NULL THEN
        PERFORM mycelium_internal.send_notifications('MENTION_RECEIVED', now(), NULL, audience.orgs, audience.ids,
                                            audience.users, audience.senders);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER notify_events_insert AFTER INSERT ON mycelium.comments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_comment_events();

-- ------ Clients, projects, integrations, maintenance ------
-- The other types the database makes (docs/notifications.md, "Who hears what"):
-- CLIENT_ADDED and CLIENT_UPDATED, PROJECT_CREATED and PROJECT_COMPLETED,
-- INTEGRATION_ERROR and SYSTEM_MAINTENANCE. Statement-level triggers, like the
-- deliverables', so that a bulk write pays one pass.

-- Makes one notification of a kind per thing named in (orgs[i], ids[i]) of the
-- table related_type names (NULL: about nothing in particular), titled
-- titles[i], saying messages[i], with metadata[i], and one recipient row per
-- ACTIVE user named with it (users[i]) and channel: in_app always, email and
-- slack when the organization's settings enable them (an organization without
-- settings: in_app and email, at once), at its notification_frequency's time.
-- The sender (the session's staff user, or NULL) is never a recipient; a thing
-- nobody is left to hear of gets no notification. Returns how many it made.
CREATE OR REPLACE FUNCTION mycelium_internal.send_notices(kind mycelium.notification_type, related_type text,
                                                         sender uuid, orgs uuid[], ids uuid[], users uuid[],
                                                         titles text[], messages text[], metadata jsonb[])
    RETURNS integer
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH entries AS MATERIALIZED (
        SELECT e.org, e.id, e.usr, e.title, e.message, e.meta
        FROM unnest(orgs, ids, users, titles, messages, metadata) AS e(org, id, usr, title, message, meta)
        WHERE e.org IS NOT NULL
    ),
    delivery AS MATERIALIZED (
        SELECT o.id AS organization_id,
               ARRAY['in_app']
               || CASE WHEN coalesce(s.enable_email_notifications, true) THEN ARRAY['email'] ELSE '{}' END
               || CASE WHEN coalesce(s.enable_slack_notifications, false)
                            AND mycelium_internal.channel_connected(o.id, 'slack')
                       THEN ARRAY['slack'] ELSE '{}' END
                   AS channels,
               mycelium_internal.next_delivery_time(now(), coalesce(s.notification_frequency, 'immediate'),
                                                   coalesce(s.timezone, 'UTC'), coalesce(s.week_starts_on, 1))
                   AS scheduled_for
          FROM (SELECT DISTINCT e.org AS id FROM entries e) o
          LEFT JOIN mycelium.organization_settings s ON s.organization_id = o.id
    ),
    people AS MATERIALIZED (
        SELECT DISTINCT e.org, e.id, u.id AS usr, u.email
        FROM entries e
        JOIN mycelium.users u ON u.organization_id = e.org AND u.id = e.usr AND u.status = 'ACTIVE'
        WHERE u.id IS DISTINCT FROM sender
    ),
    events AS MATERIALIZED (
        SELECT DISTINCT ON (e.org, e.id) mycelium.uuid_v7() AS notification_id, e.org, e.id, e.title, e.message,
               e.meta
        FROM entries e
        WHERE EXISTS (SELECT FROM people p WHERE p.org = e.org AND p.id IS NOT DISTINCT FROM e.id)
        ORDER BY e.org, e.id
    ),
    created AS (
        INSERT INTO mycelium.notifications AS n (id, organization_id, type, title, message, sender_id, channels,
                                                 scheduled_for, related_id, related_type, metadata)
        SELECT v.notification_id, v.org, kind, v.title, v.message,
               (SELECT u.id FROM mycelium.users u WHERE u.organization_id = v.org AND u.id = sender),
               d.channels, d.scheduled_for, v.id, CASE WHEN v.id IS NOT NULL THEN related_type END, v.meta
        FROM events v JOIN delivery d ON d.organization_id = v.org
        ORDER BY v.org, v.id
        RETURNING n.id, n.organization_id, n.related_id, n.channels, n.scheduled_for
    ),
    addressed AS (
        INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel,
                                                      email_address, next_attempt_at)
        SELECT c.organization_id, c.id, p.usr, ch.channel, CASE WHEN ch.channel = 'email' THEN p.email END,
               CASE WHEN ch.channel <> 'in_app' THEN c.scheduled_for END
        FROM created c
        JOIN people p ON p.org = c.organization_id AND p.id IS NOT DISTINCT FROM c.related_id
        CROSS JOIN LATERAL unnest(c.channels) AS ch(channel)
        RETURNING 1
    )
    SELECT count(*)::integer FROM created;
$$;

-- The staff around clients, as (organization_id, client_id, user_id): the
-- organization's ACTIVE ADMINs and the client's active assignments (any role,
-- any service type). Set-based, one join per kind of member.
CREATE OR REPLACE FUNCTION mycelium_internal.client_audience(orgs uuid[], clients uuid[])
    RETURNS TABLE (organization_id uuid, client_id uuid, user_id uuid)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH c AS MATERIALIZED (
        SELECT DISTINCT x.org, x.id FROM unnest(orgs, clients) AS x(org, id) WHERE x.org IS NOT NULL
    )
    SELECT c.org, c.id, u.id FROM c
    JOIN mycelium.users u ON u.organization_id = c.org AND u.role = 'ADMIN' AND u.status = 'ACTIVE'
    UNION
    SELECT c.org, c.id, a.user_id FROM c
    JOIN mycelium.client_assignments a ON a.organization_id = c.org AND a.client_id = c.id AND a.is_active;
$$;

-- CLIENT_ADDED on insert, CLIENT_UPDATED when what people act on changes: the
-- name, the company, the status or pause, the contact person and addresses, how
-- the client wants to hear from the agency (not notes, tags, custom fields or a
-- bare updated_at). Metadata names the changed fields.
CREATE OR REPLACE FUNCTION mycelium_internal.notify_client_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    actor uuid := CASE WHEN mycelium.current_app_role() <> 'CLIENT' THEN mycelium.current_app_user_id() END;
    ev record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(n.organization_id) AS orgs, array_agg(n.id) AS ids, array_agg(a.user_id) AS users,
               array_agg('Client added'::text) AS titles,
               array_agg(format('Client "%s" was added.', n.name)) AS messages,
               array_agg(NULL::jsonb) AS metadata
          INTO ev
          FROM new_rows n
          JOIN mycelium_internal.client_audience(ARRAY(SELECT r.organization_id FROM new_rows r ORDER BY r.id),
                                                 ARRAY(SELECT r.id FROM new_rows r ORDER BY r.id)) a
            ON a.organization_id = n.organization_id AND a.client_id = n.id;
        IF ev.orgs IS NOT NULL THEN
            PERFORM mycelium_internal.send_notices('CLIENT_ADDED', 'client', actor, ev.orgs, ev.ids, ev.users,
                                                   ev.titles, ev.messages, ev.metadata);
        END IF;
        RETURN NULL;
    END IF;

    WITH changed AS MATERIALIZED (
        SELECT n.organization_id, n.id, n.name,
               array_remove(ARRAY[
                   CASE WHEN n.name IS DISTINCT FROM o.name THEN 'name' END,
                   CASE WHEN n.company_name IS DISTINCT FROM o.company_name THEN 'company_name' END,
                   CASE WHEN n.status IS DISTINCT FROM o.status THEN 'status' END,
                   CASE WHEN n.is_paused IS DISTINCT FROM o.is_paused THEN 'is_paused' END,
                   CASE WHEN n.contact_person IS DISTINCT FROM o.contact_person THEN 'contact_person' END,
                   CASE WHEN n.contact_email IS DISTINCT FROM o.contact_email THEN 'contact_email' END,
                   CASE WHEN n.contact_phone IS DISTINCT FROM o.contact_phone THEN 'contact_phone' END,
                   CASE WHEN n.notification_email IS DISTINCT FROM o.notification_email THEN 'notification_email' END,
                   CASE WHEN n.preferred_contact_method IS DISTINCT FROM o.preferred_contact_method
                        THEN 'preferred_contact_method' END], NULL) AS fields
        FROM new_rows n
        JOIN old_rows o ON o.organization_id = n.organization_id AND o.id = n.id
    ),
    relevant AS MATERIALIZED (
        SELECT * FROM changed c WHERE cardinality(c.fields) > 0
    )
    SELECT array_agg(r.organization_id) AS orgs, array_agg(r.id) AS ids, array_agg(a.user_id) AS users,
           array_agg('Client updated'::text) AS titles,
           array_agg(format('Client "%s" was updated (%s).', r.name, array_to_string(r.fields, ', '))) AS messages,
           array_agg(jsonb_build_object('changed', to_jsonb(r.fields))) AS metadata
      INTO ev
      FROM relevant r
      JOIN mycelium_internal.client_audience(ARRAY(SELECT x.organization_id FROM relevant x ORDER BY x.id),
                                             ARRAY(SELECT x.id FROM relevant x ORDER BY x.id)) a
        ON a.organization_id = r.organization_id AND a.client_id = r.id;
    IF ev.orgs IS NOT NULL THEN
        PERFORM mycelium_internal.send_notices('CLIENT_UPDATED', 'client', actor, ev.orgs, ev.ids, ev.users,
                                               ev.titles, ev.messages, ev.metadata);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER notify_events_insert AFTER INSERT ON mycelium.clients
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_client_events();
CREATE OR REPLACE TRIGGER notify_events_update AFTER UPDATE ON mycelium.clients
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_client_events();

-- PROJECT_CREATED on insert, PROJECT_COMPLETED when the status becomes
-- COMPLETED: to the project's manager, the client's assigned staff and the
-- organization's ADMINs.
CREATE OR REPLACE FUNCTION mycelium_internal.notify_project_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    actor uuid := CASE WHEN mycelium.current_app_role() <> 'CLIENT' THEN mycelium.current_app_user_id() END;
    created constant boolean := TG_OP = 'INSERT';
    projects record;
    ev record;
BEGIN
    -- The projects concerned, as arrays (old_rows exists for an update only).
    IF created THEN
        SELECT array_agg(n.organization_id) AS orgs, array_agg(n.id) AS ids, array_agg(n.client_id) AS clients,
               array_agg(n.name) AS names, array_agg(n.manager_id) AS managers
          INTO projects
          FROM new_rows n;
    ELSE
        SELECT array_agg(n.organization_id) AS orgs, array_agg(n.id) AS ids, array_agg(n.client_id) AS clients,
               array_agg(n.name) AS names, array_agg(n.manager_id) AS managers
          INTO projects
          FROM new_rows n
          JOIN old_rows o ON o.organization_id = n.organization_id AND o.id = n.id
         WHERE n.status = 'COMPLETED' AND o.status <> 'COMPLETED';
    END IF;
    IF projects.ids IS NULL THEN
        RETURN NULL;
    END IF;
    WITH p AS MATERIALIZED (
        SELECT x.organization_id, x.id, x.client_id, x.name, x.manager_id
        FROM unnest(projects.orgs, projects.ids, projects.clients, projects.names, projects.managers)
             AS x(organization_id, id, client_id, name, manager_id)
    ),
    people AS (
        SELECT p.organization_id, p.id, p.name, a.user_id
        FROM p
        JOIN mycelium_internal.client_audience(ARRAY(SELECT x.organization_id FROM p x ORDER BY x.id),
                                               ARRAY(SELECT x.client_id FROM p x ORDER BY x.id)) a
          ON a.organization_id = p.organization_id AND a.client_id = p.client_id
        UNION ALL
        SELECT p.organization_id, p.id, p.name, p.manager_id FROM p WHERE p.manager_id IS NOT NULL
    )
    SELECT array_agg(x.organization_id) AS orgs, array_agg(x.id) AS ids, array_agg(x.user_id) AS users,
           array_agg(CASE WHEN created THEN 'Project created' ELSE 'Project completed' END) AS titles,
           array_agg(format(CASE WHEN created THEN 'Project "%s" was created.' ELSE 'Project "%s" was completed.' END,
                            x.name)) AS messages,
           array_agg(NULL::jsonb) AS metadata
      INTO ev
      FROM people x;
    IF ev.orgs IS NOT NULL THEN
        PERFORM mycelium_internal.send_notices(CASE WHEN created THEN 'PROJECT_CREATED'
                                                    ELSE 'PROJECT_COMPLETED' END::mycelium.notification_type,
                                               'project', actor, ev.orgs, ev.ids, ev.users, ev.titles, ev.messages,
                                               ev.metadata);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER notify_events_insert AFTER INSERT ON mycelium.projects
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_project_events();
CREATE OR REPLACE TRIGGER notify_events_update AFTER UPDATE ON mycelium.projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_project_events();

-- INTEGRATION_ERROR when an integration is disabled for its failures: an
-- update that turns is_enabled off while it counts a failure (error_count
-- rises). finish_webhook_delivery does so after the setting
-- integration_failure_limit's consecutive failures, or at once on a 410 Gone;
-- so may the application or the service that runs another integration. A
-- failure that leaves the integration enabled (it will be tried again) tells
-- nobody, nor does an ADMIN turning it off by hand: the ADMINs hear when they
-- have something to do. To the organization's ACTIVE ADMINs, with the count and
-- the last error.
CREATE OR REPLACE FUNCTION mycelium_internal.notify_integration_errors() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    actor uuid := CASE WHEN mycelium.current_app_role() <> 'CLIENT' THEN mycelium.current_app_user_id() END;
    ev record;
BEGIN
    SELECT array_agg(n.organization_id) AS orgs, array_agg(n.id) AS ids, array_agg(u.id) AS users,
           array_agg('Integration error'::text) AS titles,
           array_agg(format('Integration "%s" failed and was disabled: %s', n.name,
                             coalesce(n.last_error, 'no error recorded')))
               AS messages,
           array_agg(jsonb_build_object('error_count', n.error_count, 'last_error', n.last_error,
                                        'integration_type', n.type)) AS metadata
      INTO ev
      FROM new_rows n
      JOIN old_rows o ON o.organization_id = n.organization_id AND o.id = n.id
      JOIN mycelium.users u ON u.organization_id = n.organization_id AND u.role = 'ADMIN' AND u.status = 'ACTIVE'
     WHERE o.is_enabled AND NOT n.is_enabled AND n.error_count > o.error_count;
    IF ev.orgs IS NOT NULL THEN
        PERFORM mycelium_internal.send_notices('INTEGRATION_ERROR', 'integration', actor, ev.orgs, ev.ids, ev.users,
                                               ev.titles, ev.messages, ev.metadata);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER notify_errors AFTER UPDATE ON mycelium.integrations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_integration_errors();

-- SYSTEM_MAINTENANCE: the operator announces a maintenance window to every
-- organization's ACTIVE ADMINs (whatever its subscription), in one statement.
-- Who may: the maintenance kind of grant_access, or a role that bypasses
-- row-level security; never a tenant context. Returns how many organizations
-- were told.
CREATE OR REPLACE FUNCTION mycelium.announce_maintenance(title text, message text, starts_at timestamptz,
                                                         ends_at timestamptz DEFAULT NULL)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fn constant text := 'announce_maintenance';
    ev record;
BEGIN
    PERFORM mycelium.require_writable(fn);
    IF mycelium.current_organization_id() IS NOT NULL THEN
        RAISE EXCEPTION '%: an announcement to every organization is the operator''s, not a tenant''s', fn
            USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium';
    END IF;
    IF title IS NULL OR btrim(title) = '' OR length(title) > 200 THEN
        RAISE EXCEPTION '%: title must be 1 to 200 characters', fn
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF message IS NULL OR btrim(message) = '' OR length(message) > 5000 THEN
        RAISE EXCEPTION '%: message must be 1 to 5000 characters', fn
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF starts_at IS NULL OR NOT isfinite(starts_at) THEN
        RAISE EXCEPTION '%: starts_at must be a finite time, not %', fn, coalesce(starts_at::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF ends_at IS NOT NULL AND (NOT isfinite(ends_at) OR ends_at <= starts_at) THEN
        RAISE EXCEPTION '%: ends_at must be a finite time after starts_at, not %', fn, ends_at
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    SELECT array_agg(u.organization_id) AS orgs, array_agg(NULL::uuid) AS ids, array_agg(u.id) AS users,
           array_agg(announce_maintenance.title) AS titles, array_agg(announce_maintenance.message) AS messages,
           array_agg(jsonb_build_object('starts_at', announce_maintenance.starts_at,
                                        'ends_at', announce_maintenance.ends_at)) AS metadata
      INTO ev
      FROM mycelium.users u
     WHERE u.role = 'ADMIN' AND u.status = 'ACTIVE';
    IF ev.orgs IS NULL THEN
        RETURN 0;
    END IF;
    RETURN mycelium_internal.send_notices('SYSTEM_MAINTENANCE', NULL, NULL, ev.orgs, ev.ids, ev.users, ev.titles,
                                          ev.messages, ev.metadata);
END;
$$;
COMMENT ON FUNCTION mycelium.announce_maintenance(text, text, timestamptz, timestamptz) IS
    'Tells every organization''s active ADMINs of a maintenance window (SYSTEM_MAINTENANCE); the operator''s';
REVOKE ALL ON FUNCTION mycelium.announce_maintenance(text, text, timestamptz, timestamptz) FROM PUBLIC;
