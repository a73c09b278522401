-- The workloads: for each, up to three columns, measured on the same data in the
-- same run (docs/performance.md explains each):
--   mycelium  the extension's own function or view, as an application calls it;
--   document  the design document's PL/pgSQL or view (bench/reference/document.sql);
--   limit     the bare set-based SQL that does the same reads or writes and nothing
--             else: the floor that no implementation can beat by much.
-- A column that does not exist has no row (the document has no validation or
-- row-level security to compare; the bare SQL of an idle sweep needs no document).
--
-- Placeholders ({org}, {admin}, {editor}, {editor_role}, {month}) are replaced by
-- bench.expand() (bench/harness.sql). Every statement runs in a subtransaction
-- that is rolled back, so writing workloads leave the data as they found it.
--
-- Each group of workloads is followed by its answers (bench.workloads.answer,
-- answer_note): what each column computed, checked on the warm-up; the columns
-- must agree on every part they share (docs/performance.md, "Checking the
-- answers").

\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- The application role of the row-level security workloads: no superuser, no
-- BYPASSRLS, granted what an application gets.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_app') THEN
        CREATE ROLE bench_app NOLOGIN;
    END IF;
END;
$$;
SELECT mycelium.grant_access('bench_app', 'app');

TRUNCATE bench.workloads;

-- ------ Monthly recurring generation ------
-- document: generate_monthly_deliverables(org, month), one INSERT per client and
-- recurring service. mycelium: generate_recurring_deliverables, with its
-- exactly-once keys, custom-field defaults and statement-level activity log.
-- limit: one INSERT ... SELECT of the same rows (active, unpaused clients x their
-- active recurring services, PRIMARY assignee or ADMIN, the month's words in the
-- organization's locale) into the same table, its user triggers disabled (the
-- foreign keys and indexes stay): the floor the issue measures against.
INSERT INTO bench.workloads (ord, workload, title, col, writes, setup, sql, rows_mode) VALUES
(10, 'generation_one', 'Monthly recurring generation, one organization', 'document', true, NULL,
 $q$SELECT docref.generate_monthly_deliverables({org}, {month})$q$, 'value'),
(10, 'generation_one', 'Monthly recurring generation, one organization', 'mycelium', true, NULL,
 $q$SELECT count(*) FROM mycelium.generate_recurring_deliverables({org}, {month})$q$, 'value'),
(10, 'generation_one', 'Monthly recurring generation, one organization', 'limit', true,
 ARRAY['ALTER TABLE mycelium.deliverables DISABLE TRIGGER USER'],
 $q$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, status, assigned_user_id,
                                   created_by_id, due_date, start_date, is_recurring, recurrence_period)
SELECT c.organization_id, c.id, st.id, st.name || ' – ' || plan.words, 'PENDING',
       coalesce(pa.user_id, CASE WHEN plan.auto_assign_to_admin THEN plan.admin_id END), plan.admin_id,
       plan.period_end - interval '1 second', plan.period_start, true, {month}
FROM (SELECT s.organization_id, s.auto_assign_to_admin, mycelium.date_label({month}, s.locale) AS words,
             {month}::timestamp AT TIME ZONE s.timezone AS period_start,
             ({month} + interval '1 month')::timestamp AT TIME ZONE s.timezone AS period_end,
             (SELECT u.id FROM mycelium.users u WHERE u.organization_id = s.organization_id AND u.role = 'ADMIN'
                 AND u.status = 'ACTIVE' ORDER BY u.created_at, u.id LIMIT 1) AS admin_id
      FROM mycelium.organization_settings s WHERE s.organization_id = {org}) plan
JOIN mycelium.clients c ON c.organization_id = plan.organization_id
JOIN mycelium.service_types st ON st.organization_id = plan.organization_id
LEFT JOIN mycelium.client_assignments pa
       ON pa.organization_id = c.organization_id AND pa.client_id = c.id AND pa.service_type_id = st.id
      AND pa.role = 'PRIMARY' AND pa.is_active
WHERE c.status = 'ACTIVE' AND NOT c.is_paused AND st.workflow_type = 'RECURRING' AND st.is_active
  AND EXISTS (SELECT FROM mycelium.client_assignments ca
              WHERE ca.organization_id = c.organization_id AND ca.client_id = c.id AND ca.service_type_id = st.id
                AND ca.is_active)$q$,
 'count'),
(11, 'generation_all', 'Monthly recurring generation, all organizations', 'document', true, NULL,
 $q$SELECT sum(docref.generate_monthly_deliverables(o.id, {month}))::bigint FROM mycelium.organizations o$q$, 'value'),
(11, 'generation_all', 'Monthly recurring generation, all organizations', 'mycelium', true, NULL,
 $q$SELECT count(*) FROM mycelium.generate_recurring_deliverables(NULL, {month})$q$, 'value'),
(11, 'generation_all', 'Monthly recurring generation, all organizations', 'limit', true,
 ARRAY['ALTER TABLE mycelium.deliverables DISABLE TRIGGER USER'],
 $q$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, status, assigned_user_id,
                                   created_by_id, due_date, start_date, is_recurring, recurrence_period)
SELECT c.organization_id, c.id, st.id, st.name || ' – ' || plan.words, 'PENDING',
       coalesce(pa.user_id, CASE WHEN plan.auto_assign_to_admin THEN plan.admin_id END), plan.admin_id,
       plan.period_end - interval '1 second', plan.period_start, true, {month}
FROM (SELECT s.organization_id, s.auto_assign_to_admin, mycelium.date_label({month}, s.locale) AS words,
             {month}::timestamp AT TIME ZONE s.timezone AS period_start,
             ({month} + interval '1 month')::timestamp AT TIME ZONE s.timezone AS period_end,
             (SELECT u.id FROM mycelium.users u WHERE u.organization_id = s.organization_id AND u.role = 'ADMIN'
                 AND u.status = 'ACTIVE' ORDER BY u.created_at, u.id LIMIT 1) AS admin_id
      FROM mycelium.organization_settings s ) plan
JOIN mycelium.clients c ON c.organization_id = plan.organization_id
JOIN mycelium.service_types st ON st.organization_id = plan.organization_id
LEFT JOIN mycelium.client_assignments pa
       ON pa.organization_id = c.organization_id AND pa.client_id = c.id AND pa.service_type_id = st.id
      AND pa.role = 'PRIMARY' AND pa.is_active
WHERE c.status = 'ACTIVE' AND NOT c.is_paused AND st.workflow_type = 'RECURRING' AND st.is_active
  AND EXISTS (SELECT FROM mycelium.client_assignments ca
              WHERE ca.organization_id = c.organization_id AND ca.client_id = c.id AND ca.service_type_id = st.id
                AND ca.is_active)$q$,
 'count');

-- Answers (docs/performance.md, "Checking the answers"): the rows the measurement
-- inserted (bench.mine). Mycelium and the limit write the same rows; the
-- document's titles, due dates, creator and (absent) assignees differ by design
-- (docs/differences.md, "Recurring generation"), so with it only which clients
-- and services got a deliverable is compared.
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'clients and services', bench.digest($d$SELECT organization_id, client_id, service_type_id, status::text, is_recurring
                                            FROM mycelium.deliverables WHERE bench.mine(xmin)$d$),
    'rows', bench.digest($d$SELECT organization_id, client_id, service_type_id, title, status::text, assigned_user_id,
                                   created_by_id, due_date, start_date, is_recurring, recurrence_period
                            FROM mycelium.deliverables WHERE bench.mine(xmin)$d$))$a$
WHERE workload IN ('generation_one', 'generation_all') AND col IN ('mycelium', 'limit');
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'clients and services', bench.digest($d$SELECT organization_id, client_id, service_type_id, status::text, is_recurring
                                            FROM mycelium.deliverables WHERE bench.mine(xmin)$d$))$a$,
    answer_note = 'its titles (English "Month YYYY", joined with " - "), due dates (midnight before the last day), '
                  'creator (any ADMIN) and assignees (none) differ by design (docs/differences.md, "Recurring '
                  'generation"): only the clients and services that got a deliverable are compared'
WHERE workload IN ('generation_one', 'generation_all') AND col = 'document';

-- ------ Productivity of every user ------
-- document: calculate_user_productivity(user, 30) once per user. mycelium:
-- productivity_scores, every user in one call. limit: the same GROUP BY and
-- formula as one bare query (the cohort of docs/notifications.md: deliverables
-- created in the period, not cancelled). mycelium and limit score as of one
-- moment, fixed here ({as_of}): at the wide scale they run a minute apart, and
-- deliverables falling due in between made their answers differ.
INSERT INTO bench.params (key, value) VALUES ('as_of', now()::text);
INSERT INTO bench.workloads (ord, workload, title, col, sql) VALUES
(20, 'productivity_one', 'Productivity of every user, one organization', 'document',
 $q$SELECT docref.calculate_user_productivity(u.id, 30) FROM mycelium.users u WHERE u.organization_id = {org}$q$),
(20, 'productivity_one', 'Productivity of every user, one organization', 'mycelium',
 $q$SELECT * FROM mycelium.productivity_scores({org}, 30, {as_of})$q$),
(20, 'productivity_one', 'Productivity of every user, one organization', 'limit',
 $q$SELECT a.user_id, a.total_assigned, a.total_completed,
       CASE WHEN a.total_assigned > 0 THEN round(a.total_completed * 100.0 / a.total_assigned, 2) ELSE 0 END
           AS completion_rate,
       round((a.avg_seconds / 3600)::numeric, 2) AS avg_completion_hours, a.overdue_count,
       CASE WHEN a.total_assigned > 0
            THEN round(greatest(0, least(100, a.total_completed * 100.0 / a.total_assigned - a.overdue_count * 10)), 2)
            ELSE 0 END AS productivity_score
FROM (SELECT u.id AS user_id, count(d.id) AS total_assigned,
             count(d.id) FILTER (WHERE d.completed_at < {as_of}) AS total_completed,
             count(d.id) FILTER (WHERE d.due_date < {as_of}
                                   AND (d.completed_at IS NULL OR d.completed_at > d.due_date)) AS overdue_count,
             avg(extract(epoch FROM d.completed_at - d.created_at)) FILTER (WHERE d.completed_at < {as_of}) AS avg_seconds
      FROM mycelium.users u
      LEFT JOIN mycelium.deliverables d
             ON d.organization_id = u.organization_id AND d.assigned_user_id = u.id
            AND d.created_at >= {as_of} - interval '30 days' AND d.created_at < {as_of} AND d.status <> 'CANCELLED'
      WHERE u.organization_id = {org}
      GROUP BY u.organization_id, u.id) a$q$),
(21, 'productivity_all', 'Productivity of every user, all organizations', 'document',
 $q$SELECT docref.calculate_user_productivity(u.id, 30) FROM mycelium.users u$q$),
(21, 'productivity_all', 'Productivity of every user, all organizations', 'mycelium',
 $q$SELECT * FROM mycelium.productivity_scores(NULL, 30, {as_of})$q$),
(21, 'productivity_all', 'Productivity of every user, all organizations', 'limit',
 $q$SELECT a.user_id, a.total_assigned, a.total_completed,
       CASE WHEN a.total_assigned > 0 THEN round(a.total_completed * 100.0 / a.total_assigned, 2) ELSE 0 END
           AS completion_rate,
       round((a.avg_seconds / 3600)::numeric, 2) AS avg_completion_hours, a.overdue_count,
       CASE WHEN a.total_assigned > 0
            THEN round(greatest(0, least(100, a.total_completed * 100.0 / a.total_assigned - a.overdue_count * 10)), 2)
            ELSE 0 END AS productivity_score
FROM (SELECT u.id AS user_id, count(d.id) AS total_assigned,
             count(d.id) FILTER (WHERE d.completed_at < {as_of}) AS total_completed,
             count(d.id) FILTER (WHERE d.due_date < {as_of}
                                   AND (d.completed_at IS NULL OR d.completed_at > d.due_date)) AS overdue_count,
             avg(extract(epoch FROM d.completed_at - d.created_at)) FILTER (WHERE d.completed_at < {as_of}) AS avg_seconds
      FROM mycelium.users u
      LEFT JOIN mycelium.deliverables d
             ON d.organization_id = u.organization_id AND d.assigned_user_id = u.id
            AND d.created_at >= {as_of} - interval '30 days' AND d.created_at < {as_of} AND d.status <> 'CANCELLED'
      
      GROUP BY u.organization_id, u.id) a$q$);

-- Answers: the users scored, and (mycelium and limit) every figure of every
-- user, each cast to one type and rounded to the hundredth. The document's
-- figures use other windows (docs/differences.md, "Notifications, sweeps and
-- productivity"), so with it only the users scored are compared.
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'users', bench.digest($d$SELECT user_id FROM ({sql}) r$d$),
    'scores', bench.digest($d$SELECT user_id, total_assigned::bigint, total_completed::bigint,
                                     round(completion_rate::numeric, 2), round(avg_completion_hours::numeric, 2),
                                     overdue_count::bigint, round(productivity_score::numeric, 2)
                              FROM ({sql}) r$d$))$a$
WHERE workload IN ('productivity_one', 'productivity_all') AND col IN ('mycelium', 'limit');
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'users', bench.digest($d$SELECT (r.j ->> 'user_id')::uuid FROM (SELECT x::jsonb AS j FROM ({sql}) s(x)) r$d$))$a$,
    answer_note = 'its windows differ (assigned = created in the period, completed = completed in it, overdue = '
                  'every OVERDUE ever; docs/differences.md): only the users scored are compared, not the scores'
WHERE workload IN ('productivity_one', 'productivity_all') AND col = 'document';

-- ------ The overdue sweep ------
-- document: its only overdue mechanism is the BEFORE UPDATE trigger
-- check_overdue_deliverables, so its sweep is an UPDATE that touches the open
-- past-due deliverables; the trigger sets each one OVERDUE and inserts one
-- notification per row (without recipients). The trigger is created in the setup,
-- inside the rolled-back subtransaction.
-- mycelium: sweep_overdue, with its notifications, recipients, activity log and
-- event triggers.
-- limit: the bare UPDATE ... RETURNING of the same rows plus the inserts of the
-- same notifications and recipients (assignee, PRIMARY assignee and ADMINs on the
-- enabled channels) in one statement, with the table's user triggers disabled.
INSERT INTO bench.workloads (ord, workload, title, col, writes, setup, sql, rows_mode) VALUES
(30, 'overdue_sweep_one', 'Overdue sweep, one organization', 'document', true,
 ARRAY[$q$CREATE TRIGGER check_overdue_trigger BEFORE UPDATE ON mycelium.deliverables
           FOR EACH ROW EXECUTE FUNCTION docref.check_overdue_deliverables()$q$],
 $q$UPDATE mycelium.deliverables SET updated_at = CURRENT_TIMESTAMP
WHERE organization_id = {org}
  AND due_date < CURRENT_TIMESTAMP AND status IN ('PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL')$q$,
 'count'),
(30, 'overdue_sweep_one', 'Overdue sweep, one organization', 'mycelium', true, NULL,
 $q$SELECT count(*) FROM mycelium.sweep_overdue(now(), {org})$q$, 'value'),
(30, 'overdue_sweep_one', 'Overdue sweep, one organization', 'limit', true,
 ARRAY['ALTER TABLE mycelium.deliverables DISABLE TRIGGER USER'],
 $q$WITH swept AS (
    UPDATE mycelium.deliverables d SET status = 'OVERDUE'
    WHERE d.organization_id = {org} AND d.due_date < now() AND d.status IN ('PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL')
    RETURNING d.organization_id, d.id, d.title, d.assigned_user_id, d.client_id, d.service_type_id),
n AS (
    INSERT INTO mycelium.notifications (organization_id, type, title, message, channels, scheduled_for,
                                        related_id, related_type)
    SELECT s.organization_id, 'DELIVERABLE_OVERDUE', 'Deliverable overdue',
           'Deliverable "' || s.title || '" is overdue.',
           ARRAY['in_app'] || CASE WHEN st.enable_email_notifications THEN ARRAY['email'] ELSE '{}' END
           || CASE WHEN st.enable_slack_notifications THEN ARRAY['slack'] ELSE '{}' END, now(), s.id, 'deliverable'
    FROM swept s JOIN mycelium.organization_settings st ON st.organization_id = s.organization_id
    RETURNING id, organization_id, related_id, channels),
r AS (
    INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel, email_address)
    SELECT DISTINCT n.organization_id, n.id, u.id, ch.channel, CASE WHEN ch.channel = 'email' THEN u.email END
    FROM n
    JOIN swept s ON s.organization_id = n.organization_id AND s.id = n.related_id
    CROSS JOIN LATERAL (SELECT s.assigned_user_id
                        UNION SELECT a.user_id FROM mycelium.client_assignments a
                              WHERE a.organization_id = s.organization_id AND a.client_id = s.client_id
                                AND a.service_type_id = s.service_type_id AND a.role = 'PRIMARY' AND a.is_active
                        UNION SELECT x.id FROM mycelium.users x
                              WHERE x.organization_id = s.organization_id AND x.role = 'ADMIN'
                                AND x.status = 'ACTIVE') m(user_id)
    JOIN mycelium.users u ON u.organization_id = n.organization_id AND u.id = m.user_id AND u.status = 'ACTIVE'
    CROSS JOIN LATERAL unnest(n.channels) AS ch(channel)
    RETURNING 1)
SELECT count(*) FROM swept$q$, 'value'),
(31, 'overdue_sweep_all', 'Overdue sweep, all organizations', 'document', true,
 ARRAY[$q$CREATE TRIGGER check_overdue_trigger BEFORE UPDATE ON mycelium.deliverables
           FOR EACH ROW EXECUTE FUNCTION docref.check_overdue_deliverables()$q$],
 $q$UPDATE mycelium.deliverables SET updated_at = CURRENT_TIMESTAMP
WHERE due_date < CURRENT_TIMESTAMP AND status IN ('PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL')$q$,
 'count'),
(31, 'overdue_sweep_all', 'Overdue sweep, all organizations', 'mycelium', true, NULL,
 $q$SELECT count(*) FROM mycelium.sweep_overdue()$q$, 'value'),
(31, 'overdue_sweep_all', 'Overdue sweep, all organizations', 'limit', true,
 ARRAY['ALTER TABLE mycelium.deliverables DISABLE TRIGGER USER'],
 $q$WITH swept AS (
    UPDATE mycelium.deliverables d SET status = 'OVERDUE'
    WHERE  d.due_date < now() AND d.status IN ('PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL')
    RETURNING d.organization_id, d.id, d.title, d.assigned_user_id, d.client_id, d.service_type_id),
n AS (
    INSERT INTO mycelium.notifications (organization_id, type, title, message, channels, scheduled_for,
                                        related_id, related_type)
    SELECT s.organization_id, 'DELIVERABLE_OVERDUE', 'Deliverable overdue',
           'Deliverable "' || s.title || '" is overdue.',
           ARRAY['in_app'] || CASE WHEN st.enable_email_notifications THEN ARRAY['email'] ELSE '{}' END
           || CASE WHEN st.enable_slack_notifications THEN ARRAY['slack'] ELSE '{}' END, now(), s.id, 'deliverable'
    FROM swept s JOIN mycelium.organization_settings st ON st.organization_id = s.organization_id
    RETURNING id, organization_id, related_id, channels),
r AS (
    INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel, email_address)
    SELECT DISTINCT n.organization_id, n.id, u.id, ch.channel, CASE WHEN ch.channel = 'email' THEN u.email END
    FROM n
    JOIN swept s ON s.organization_id = n.organization_id AND s.id = n.related_id
    CROSS JOIN LATERAL (SELECT s.assigned_user_id
                        UNION SELECT a.user_id FROM mycelium.client_assignments a
                              WHERE a.organization_id = s.organization_id AND a.client_id = s.client_id
                                AND a.service_type_id = s.service_type_id AND a.role = 'PRIMARY' AND a.is_active
                        UNION SELECT x.id FROM mycelium.users x
                              WHERE x.organization_id = s.organization_id AND x.role = 'ADMIN'
                                AND x.status = 'ACTIVE') m(user_id)
    JOIN mycelium.users u ON u.organization_id = n.organization_id AND u.id = m.user_id AND u.status = 'ACTIVE'
    CROSS JOIN LATERAL unnest(n.channels) AS ch(channel)
    RETURNING 1)
SELECT count(*) FROM swept$q$, 'value');

-- Answers: what the measurement wrote (bench.mine): the deliverables it set
-- OVERDUE, the deliverables it notified about, and (mycelium and limit) the
-- channels of those notifications and their recipients. The document's trigger
-- writes notifications without recipients, so with it only the first two are
-- compared.
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'overdue', bench.digest($d$SELECT organization_id, id FROM mycelium.deliverables
                               WHERE bench.mine(xmin) AND status = 'OVERDUE'$d$),
    'notified', bench.digest($d$SELECT organization_id, related_type, related_id, type::text
                                FROM mycelium.notifications WHERE bench.mine(xmin)$d$),
    'channels', bench.digest($d$SELECT related_id, channels FROM mycelium.notifications WHERE bench.mine(xmin)$d$),
    'recipients', bench.digest($d$SELECT n.related_id, r.user_id, r.channel, r.email_address
                                  FROM mycelium.notification_recipients r
                                  JOIN mycelium.notifications n
                                    ON n.organization_id = r.organization_id AND n.id = r.notification_id
                                  WHERE bench.mine(r.xmin)$d$))$a$
WHERE workload IN ('overdue_sweep_one', 'overdue_sweep_all') AND col IN ('mycelium', 'limit');
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'overdue', bench.digest($d$SELECT organization_id, id FROM mycelium.deliverables
                               WHERE bench.mine(xmin) AND status = 'OVERDUE'$d$),
    'notified', bench.digest($d$SELECT organization_id, related_type, related_id, type::text
                                FROM mycelium.notifications WHERE bench.mine(xmin)$d$))$a$,
    answer_note = 'its sweep (the BEFORE UPDATE trigger) writes no recipients, and its notifications no channels '
                  '(the default, {}): the deliverables set OVERDUE and notified are compared, not the channels '
                  'or recipients'
WHERE workload IN ('overdue_sweep_one', 'overdue_sweep_all') AND col = 'document';

-- ------ A sweep with nothing to do ------
-- The usual scheduled run: nothing is newly overdue. Both sweep up to the earliest
-- open due date (found in the untimed setup: the partial index of open, dated
-- deliverables leads with organization_id, so the earliest across organizations is
-- a scan of it, which no sweep makes), so nothing qualifies; the limit reads the
-- same organizations' ranges as the sweep. Goal: under 5 ms at the default scale.
INSERT INTO bench.workloads (ord, workload, title, col, writes, setup, sql, rows_mode) VALUES
(32, 'overdue_sweep_idle', 'Overdue sweep that finds nothing, all organizations', 'mycelium', true,
 ARRAY[$q$SELECT set_config('bench.idle_as_of', min(due_date)::text, true) FROM mycelium.deliverables
          WHERE status IN ('PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL')$q$],
 $q$SELECT count(*) FROM mycelium.sweep_overdue(current_setting('bench.idle_as_of')::timestamptz)$q$, 'value'),
(32, 'overdue_sweep_idle', 'Overdue sweep that finds nothing, all organizations', 'limit', true,
 ARRAY[$q$SELECT set_config('bench.idle_as_of', min(due_date)::text, true) FROM mycelium.deliverables
          WHERE status IN ('PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL')$q$],
 $q$UPDATE mycelium.deliverables SET status = 'OVERDUE'
WHERE due_date < current_setting('bench.idle_as_of')::timestamptz
  AND status IN ('PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL')
  AND organization_id = ANY (ARRAY(SELECT o.id FROM mycelium.organizations o))$q$, 'count');

-- Answers: nothing set OVERDUE, nothing notified.
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'overdue', bench.digest($d$SELECT organization_id, id FROM mycelium.deliverables
                               WHERE bench.mine(xmin) AND status = 'OVERDUE'$d$),
    'notified', bench.digest($d$SELECT organization_id, related_type, related_id, type::text
                                FROM mycelium.notifications WHERE bench.mine(xmin)$d$))$a$
WHERE workload = 'overdue_sweep_idle';

-- ------ Delivering notifications ------
-- The delivery worker's two calls on the data set's backlog (3% of its overdue
-- notifications still PENDING, their e-mail unsent, among all the delivered ones).
-- claim: mycelium's claim_deliveries('email', 100) against the bare statement
-- that does the same (pick 100 due e-mails with SKIP LOCKED, lease them, return
-- them with their notification and user) with the table's user triggers disabled.
-- finish: reporting those 100 as delivered, one finish_delivery call each as a
-- worker does (each settles its notification), against one set-based UPDATE of the
-- same deliveries and notifications; finish_deliveries: the same 100 reported in
-- one call, as a worker that reports its batch at once does, against the same
-- floor. The claim is in the untimed setup.
INSERT INTO bench.workloads (ord, workload, title, col, writes, setup, sql, rows_mode) VALUES
(33, 'delivery_claim', 'Claim 100 due e-mails (claim_deliveries)', 'mycelium', true, NULL,
 $q$SELECT count(*) FROM mycelium.claim_deliveries('email', 100)$q$, 'value'),
(33, 'delivery_claim', 'Claim 100 due e-mails (claim_deliveries)', 'limit', true,
 ARRAY['ALTER TABLE mycelium.notification_recipients DISABLE TRIGGER USER'],
 $q$WITH picked AS (
    SELECT r.organization_id, r.id FROM mycelium.notification_recipients r
    WHERE r.channel = 'email' AND r.channel <> 'in_app' AND r.delivered_at IS NULL AND r.failed_at IS NULL
      AND coalesce(r.next_attempt_at, '-infinity'::timestamptz) <= now()
    ORDER BY coalesce(r.next_attempt_at, '-infinity'::timestamptz), r.id
    LIMIT 100 FOR UPDATE OF r SKIP LOCKED),
claimed AS (
    UPDATE mycelium.notification_recipients r SET attempts = r.attempts + 1, next_attempt_at = now() + interval '5 minutes'
    FROM picked p WHERE r.organization_id = p.organization_id AND r.id = p.id
    RETURNING r.organization_id, r.notification_id, r.user_id)
SELECT count(n.title || u.name) FROM claimed c
JOIN mycelium.notifications n ON n.organization_id = c.organization_id AND n.id = c.notification_id
JOIN mycelium.users u ON u.organization_id = c.organization_id AND u.id = c.user_id$q$, 'value'),
(34, 'delivery_finish', 'Report 100 e-mails delivered (finish_delivery)', 'mycelium', true,
 ARRAY[$q$CREATE TEMP TABLE bench_claimed ON COMMIT DROP AS SELECT * FROM mycelium.claim_deliveries('email', 100)$q$],
 $q$SELECT count(*) FILTER (WHERE mycelium.finish_delivery(organization_id, recipient_id, attempt) = 'delivered')
FROM bench_claimed$q$, 'value'),
(34, 'delivery_finish', 'Report 100 e-mails delivered (finish_delivery)', 'limit', true,
 ARRAY[$q$CREATE TEMP TABLE bench_claimed ON COMMIT DROP AS SELECT * FROM mycelium.claim_deliveries('email', 100)$q$,
       'ALTER TABLE mycelium.notification_recipients DISABLE TRIGGER USER',
       'ALTER TABLE mycelium.notifications DISABLE TRIGGER USER'],
 $q$WITH done AS (
    UPDATE mycelium.notification_recipients r
    SET delivered_at = now(), next_attempt_at = NULL, last_error = NULL, email_status = 'sent'
    FROM bench_claimed c WHERE r.organization_id = c.organization_id AND r.id = c.recipient_id
    RETURNING r.organization_id, r.notification_id),
settled AS (
    UPDATE mycelium.notifications n SET status = 'SENT', sent_at = now()
    FROM done d WHERE n.organization_id = d.organization_id AND n.id = d.notification_id
    RETURNING 1)
SELECT count(*) FROM done$q$, 'value'),
(35, 'delivery_finish_batch', 'Report 100 e-mails delivered (finish_deliveries)', 'mycelium', true,
 ARRAY[$q$CREATE TEMP TABLE bench_claimed ON COMMIT DROP AS SELECT * FROM mycelium.claim_deliveries('email', 100)$q$],
 $q$SELECT count(*) FILTER (WHERE f.outcome = 'delivered')
FROM mycelium.finish_deliveries(ARRAY(SELECT organization_id FROM bench_claimed),
                                ARRAY(SELECT recipient_id FROM bench_claimed),
                                ARRAY(SELECT attempt FROM bench_claimed)) f$q$, 'value'),
(35, 'delivery_finish_batch', 'Report 100 e-mails delivered (finish_deliveries)', 'limit', true,
 ARRAY[$q$CREATE TEMP TABLE bench_claimed ON COMMIT DROP AS SELECT * FROM mycelium.claim_deliveries('email', 100)$q$,
       'ALTER TABLE mycelium.notification_recipients DISABLE TRIGGER USER',
       'ALTER TABLE mycelium.notifications DISABLE TRIGGER USER'],
 $q$WITH done AS (
    UPDATE mycelium.notification_recipients r
    SET delivered_at = now(), next_attempt_at = NULL, last_error = NULL, email_status = 'sent'
    FROM bench_claimed c WHERE r.organization_id = c.organization_id AND r.id = c.recipient_id
    RETURNING r.organization_id, r.notification_id),
settled AS (
    UPDATE mycelium.notifications n SET status = 'SENT', sent_at = now()
    FROM done d WHERE n.organization_id = d.organization_id AND n.id = d.notification_id
    RETURNING 1)
SELECT count(*) FROM done$q$, 'value');

-- Answers: the deliveries claimed (attempt counted, leased for 5 minutes from the
-- transaction's now()); for the report, the deliveries' new state and the
-- notifications settled. The claim in the setup writes the same deliveries in
-- both columns; times are compared as "set or not" (each measurement has its own
-- now()).
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'claimed', bench.digest($d$SELECT organization_id, id, attempts, next_attempt_at - now()
                               FROM mycelium.notification_recipients WHERE bench.mine(xmin)$d$))$a$
WHERE workload = 'delivery_claim';
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'deliveries', bench.digest($d$SELECT organization_id, id, attempts, delivered_at IS NOT NULL, failed_at IS NOT NULL,
                                         next_attempt_at IS NULL, last_error, email_status
                                  FROM mycelium.notification_recipients WHERE bench.mine(xmin)$d$),
    'notifications', bench.digest($d$SELECT organization_id, id, status::text, sent_at IS NOT NULL
                                     FROM mycelium.notifications WHERE bench.mine(xmin)$d$))$a$
WHERE workload IN ('delivery_finish', 'delivery_finish_batch');

-- ------ Webhook events ------
-- The event outbox's cost on a bulk update (src/sql/code/56_webhooks.sql): one
-- organization's IN_PROGRESS deliverables completed in one UPDATE, with a WEBHOOKS
-- integration subscribed to every event type (mycelium: each row queues
-- deliverable.status_changed and deliverable.completed, in one INSERT) against
-- the same UPDATE with no integration subscribed (limit: the triggers only look
-- the integrations up). Every other trigger runs in both.
INSERT INTO bench.workloads (ord, workload, title, col, writes, setup, sql) VALUES
(35, 'webhook_events', 'Bulk status update queuing webhook events, one organization', 'mycelium', true,
 ARRAY[$q$INSERT INTO mycelium.integrations (organization_id, type, name, is_enabled, webhook_url, config)
          VALUES ({org}, 'WEBHOOKS', 'Bench hook', true, 'https://hooks.bench.example/in',
                  jsonb_build_object('events', to_jsonb(mycelium.webhook_event_types())))$q$],
 $q$UPDATE mycelium.deliverables SET status = 'COMPLETED' WHERE organization_id = {org} AND status = 'IN_PROGRESS'$q$),
(35, 'webhook_events', 'Bulk status update queuing webhook events, one organization', 'limit', true, NULL,
 $q$UPDATE mycelium.deliverables SET status = 'COMPLETED' WHERE organization_id = {org} AND status = 'IN_PROGRESS'$q$);

-- Answers: the deliverables completed (both columns); the events queued (the
-- mycelium column: two per deliverable, but for their new ids and times).
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'completed', bench.digest($d$SELECT organization_id, id, status::text FROM mycelium.deliverables
                                 WHERE bench.mine(xmin)$d$))$a$
WHERE workload = 'webhook_events' AND col = 'limit';
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'completed', bench.digest($d$SELECT organization_id, id, status::text FROM mycelium.deliverables
                                 WHERE bench.mine(xmin)$d$),
    'events', bench.digest($d$SELECT organization_id, event_type, payload #>> '{data,deliverable,id}'
                              FROM mycelium.webhook_deliveries WHERE bench.mine(xmin)$d$))$a$
WHERE workload = 'webhook_events' AND col = 'mycelium';

-- The worker's two calls on a backlog of 200 events of one organization (queued
-- in the untimed setup by the triggers' own function). claim: mycelium's
-- claim_webhook_deliveries(100), which also decrypts the integration's signing
-- secret once and signs each delivery, against the bare statement that picks 100
-- due deliveries with SKIP LOCKED, leases them and returns them with their URL
-- and body, unsigned. finish: reporting those 100 as delivered, one
-- finish_webhook_delivery call each as a worker does, against one set-based
-- UPDATE of the same deliveries and the integration's error count.
INSERT INTO bench.workloads (ord, workload, title, col, writes, setup, sql, rows_mode)
SELECT ord, workload, title, col, true,
       ARRAY[$q$INSERT INTO mycelium.integrations (organization_id, type, name, is_enabled, webhook_url, config)
                VALUES ({org}, 'WEBHOOKS', 'Bench hook', true, 'https://hooks.bench.example/in',
                        '{"events": ["deliverable.created"]}')$q$,
             $q$SELECT mycelium_internal.queue_webhook_events(
                    array_agg(d.organization_id), array_agg('deliverable.created'::text),
                    array_agg(jsonb_build_object('deliverable', mycelium_internal.webhook_deliverable(d))))
                FROM (SELECT * FROM mycelium.deliverables WHERE organization_id = {org} ORDER BY id LIMIT 200) d$q$]
       || extra, sql, 'value'
FROM (VALUES
(36, 'webhook_claim', 'Claim 100 due webhooks, signed (claim_webhook_deliveries)', 'mycelium', '{}'::text[],
 $q$SELECT count(webhook_signature) FROM mycelium.claim_webhook_deliveries(100)$q$),
(36, 'webhook_claim', 'Claim 100 due webhooks, signed (claim_webhook_deliveries)', 'limit',
 ARRAY['ALTER TABLE mycelium.webhook_deliveries DISABLE TRIGGER USER'],
 $q$WITH picked AS (
    SELECT w.organization_id, w.id FROM mycelium.webhook_deliveries w
    WHERE w.delivered_at IS NULL AND w.failed_at IS NULL
      AND coalesce(w.next_attempt_at, '-infinity'::timestamptz) <= now()
    ORDER BY coalesce(w.next_attempt_at, '-infinity'::timestamptz), w.id
    LIMIT 100 FOR UPDATE OF w SKIP LOCKED),
claimed AS (
    UPDATE mycelium.webhook_deliveries w SET attempts = w.attempts + 1, next_attempt_at = now() + interval '5 minutes'
    FROM picked p WHERE w.organization_id = p.organization_id AND w.id = p.id
    RETURNING w.organization_id, w.integration_id, w.id, w.payload::text AS body)
SELECT count(i.webhook_url || c.body) FROM claimed c
JOIN mycelium.integrations i ON i.organization_id = c.organization_id AND i.id = c.integration_id$q$),
(37, 'webhook_finish', 'Report 100 webhooks delivered (finish_webhook_delivery)', 'mycelium',
 ARRAY[$q$CREATE TEMP TABLE bench_claimed ON COMMIT DROP AS SELECT * FROM mycelium.claim_webhook_deliveries(100)$q$],
 $q$SELECT count(*) FILTER (WHERE mycelium.finish_webhook_delivery(organization_id, id, attempt) = 'delivered')
FROM bench_claimed$q$),
(37, 'webhook_finish', 'Report 100 webhooks delivered (finish_webhook_delivery)', 'limit',
 ARRAY[$q$CREATE TEMP TABLE bench_claimed ON COMMIT DROP AS SELECT * FROM mycelium.claim_webhook_deliveries(100)$q$,
       'ALTER TABLE mycelium.webhook_deliveries DISABLE TRIGGER USER',
       'ALTER TABLE mycelium.integrations DISABLE TRIGGER USER'],
 $q$WITH done AS (
    UPDATE mycelium.webhook_deliveries w SET delivered_at = now(), next_attempt_at = NULL, last_error = NULL
    FROM bench_claimed c WHERE w.organization_id = c.organization_id AND w.id = c.id AND w.attempts = c.attempt
    RETURNING w.organization_id, w.integration_id),
reset AS (
    UPDATE mycelium.integrations i SET error_count = 0
    WHERE (i.organization_id, i.id) IN (SELECT d.organization_id, d.integration_id FROM done d) AND i.error_count <> 0
    RETURNING 1)
SELECT count(*) FROM done$q$)
) AS v(ord, workload, title, col, extra, sql);

-- Answers: the deliveries' state, but for their new ids (made in each
-- measurement's setup): how many were claimed (attempt counted, leased for 5
-- minutes from the transaction's now()), and delivered.
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'deliveries', bench.digest($d$SELECT organization_id, event_type, attempts, next_attempt_at - now(),
                                         delivered_at IS NOT NULL, failed_at IS NOT NULL, last_error
                                  FROM mycelium.webhook_deliveries WHERE bench.mine(xmin)$d$))$a$
WHERE workload IN ('webhook_claim', 'webhook_finish');

-- ------ The custom-field trigger on a bulk insert ------
-- The same INSERT ... SELECT of one organization's social deliverables (copies, with
-- new ids), with every trigger of the table in place (mycelium), and with only the
-- custom-field check disabled (limit): the difference is what the write-time check
-- costs a bulk insert (goal: at most 15%). Only the work of clients that have not
-- ended: new work for a TERMINATED or ARCHIVED client is refused (check_new_work).
INSERT INTO bench.workloads (ord, workload, title, col, writes, setup, sql) VALUES
(42, 'trigger_insert', 'Bulk insert with the custom-field check, one organization', 'mycelium', true, NULL,
 $q$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, status, priority,
                                    assigned_user_id, created_by_id, due_date, custom_fields)
SELECT organization_id, client_id, service_type_id, title, status, priority, assigned_user_id, created_by_id,
       due_date, custom_fields
FROM mycelium.deliverables
WHERE organization_id = {org} AND custom_fields IS NOT NULL
  AND client_id IN (SELECT c.id FROM mycelium.clients c
                    WHERE c.organization_id = {org} AND c.status NOT IN ('TERMINATED', 'ARCHIVED'))$q$),
(42, 'trigger_insert', 'Bulk insert with the custom-field check, one organization', 'limit', true,
 ARRAY[$q$ALTER TABLE mycelium.deliverables DISABLE TRIGGER check_custom_fields$q$],
 $q$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, status, priority,
                                    assigned_user_id, created_by_id, due_date, custom_fields)
SELECT organization_id, client_id, service_type_id, title, status, priority, assigned_user_id, created_by_id,
       due_date, custom_fields
FROM mycelium.deliverables
WHERE organization_id = {org} AND custom_fields IS NOT NULL
  AND client_id IN (SELECT c.id FROM mycelium.clients c
                    WHERE c.organization_id = {org} AND c.status NOT IN ('TERMINATED', 'ARCHIVED'))$q$);

-- Answers: the rows inserted, but for their new ids.
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'rows', bench.digest($d$SELECT organization_id, client_id, service_type_id, title, status::text, priority::text,
                                   assigned_user_id, created_by_id, due_date, custom_fields
                            FROM mycelium.deliverables WHERE bench.mine(xmin)$d$))$a$
WHERE workload = 'trigger_insert';

-- ------ Custom-field validation ------
-- "Could these values be submitted?" for every deliverable whose service type has
-- fields (the social ones), one row (valid or not) each; the PENDING drafts without
-- their required edit_by_date are the invalid ones. The document has no validation
-- (custom_fields is free JSON).
-- mycelium: mycelium.validate_custom_fields(service_type_id, custom_fields) per
-- deliverable (native; every rule of docs/custom-fields.md).
-- limit: one set-based check against deliverable_fields: unknown keys, required
-- keys, the JSON type per field type, DATE/URL/EMAIL shapes, length bounds, pattern.
-- It checks less than the native function (no calendar, IDNA or grapheme rules),
-- so it is a floor, not an equivalent.
INSERT INTO bench.workloads (ord, workload, title, col, sql) VALUES
(40, 'validation_one', 'Custom-field validation, one organization', 'mycelium',
 $q$SELECT d.id,
       NOT EXISTS (SELECT FROM mycelium.validate_custom_fields(d.service_type_id, d.custom_fields)) AS valid
FROM mycelium.deliverables d
WHERE d.organization_id = {org}
  AND EXISTS (SELECT FROM mycelium.deliverable_fields f
              WHERE f.organization_id = d.organization_id AND f.service_type_id = d.service_type_id)$q$),
(40, 'validation_one', 'Custom-field validation, one organization', 'limit',
 $q$SELECT d.id,
       bool_and(CASE WHEN v.value IS NULL OR v.value IN ('null', '""', '[]') THEN NOT f.is_required
                     WHEN f.type IN ('NUMBER', 'DECIMAL') THEN jsonb_typeof(v.value) = 'number'
                     WHEN f.type = 'CHECKBOX' THEN jsonb_typeof(v.value) = 'boolean'
                     WHEN f.type = 'MULTISELECT' THEN jsonb_typeof(v.value) = 'array'
                     WHEN jsonb_typeof(v.value) <> 'string' THEN false
                     WHEN f.type = 'DATE' THEN (v.value #>> '{}') ~ '^\d{4}-\d{2}-\d{2}$'
                     WHEN f.type = 'URL' THEN (v.value #>> '{}') ~ '^https?://\S+$'
                     WHEN f.type = 'EMAIL' THEN (v.value #>> '{}') ~ '^[^@\s]+@[^@\s]+$'
                     ELSE (f.min_length IS NULL OR length(v.value #>> '{}') >= f.min_length)
                      AND (f.max_length IS NULL OR length(v.value #>> '{}') <= f.max_length)
                      AND (f.pattern IS NULL OR (v.value #>> '{}') ~ f.pattern) END)
       AND NOT EXISTS (SELECT FROM jsonb_object_keys(coalesce(d.custom_fields, '{}')) AS k(key)
                       WHERE k.key <> ALL (array_agg(f.slug))) AS valid
FROM mycelium.deliverables d
JOIN mycelium.deliverable_fields f ON f.organization_id = d.organization_id AND f.service_type_id = d.service_type_id
CROSS JOIN LATERAL (SELECT d.custom_fields -> f.slug AS value) v
WHERE d.organization_id = {org}
GROUP BY d.organization_id, d.id$q$),
(41, 'validation_all', 'Custom-field validation, all organizations', 'mycelium',
 $q$SELECT d.id,
       NOT EXISTS (SELECT FROM mycelium.validate_custom_fields(d.service_type_id, d.custom_fields)) AS valid
FROM mycelium.deliverables d
WHERE EXISTS (SELECT FROM mycelium.deliverable_fields f
              WHERE f.organization_id = d.organization_id AND f.service_type_id = d.service_type_id)$q$),
(41, 'validation_all', 'Custom-field validation, all organizations', 'limit',
 $q$SELECT d.id,
       bool_and(CASE WHEN v.value IS NULL OR v.value IN ('null', '""', '[]') THEN NOT f.is_required
                     WHEN f.type IN ('NUMBER', 'DECIMAL') THEN jsonb_typeof(v.value) = 'number'
                     WHEN f.type = 'CHECKBOX' THEN jsonb_typeof(v.value) = 'boolean'
                     WHEN f.type = 'MULTISELECT' THEN jsonb_typeof(v.value) = 'array'
                     WHEN jsonb_typeof(v.value) <> 'string' THEN false
                     WHEN f.type = 'DATE' THEN (v.value #>> '{}') ~ '^\d{4}-\d{2}-\d{2}$'
                     WHEN f.type = 'URL' THEN (v.value #>> '{}') ~ '^https?://\S+$'
                     WHEN f.type = 'EMAIL' THEN (v.value #>> '{}') ~ '^[^@\s]+@[^@\s]+$'
                     ELSE (f.min_length IS NULL OR length(v.value #>> '{}') >= f.min_length)
                      AND (f.max_length IS NULL OR length(v.value #>> '{}') <= f.max_length)
                      AND (f.pattern IS NULL OR (v.value #>> '{}') ~ f.pattern) END)
       AND NOT EXISTS (SELECT FROM jsonb_object_keys(coalesce(d.custom_fields, '{}')) AS k(key)
                       WHERE k.key <> ALL (array_agg(f.slug))) AS valid
FROM mycelium.deliverables d
JOIN mycelium.deliverable_fields f ON f.organization_id = d.organization_id AND f.service_type_id = d.service_type_id
CROSS JOIN LATERAL (SELECT d.custom_fields -> f.slug AS value) v
GROUP BY d.organization_id, d.id$q$);

-- Answers: the deliverables found invalid, and the verdict on every one checked.
-- (The limit checks less than the native function; on this data they agree.)
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'invalid', bench.digest($d$SELECT id FROM ({sql}) r WHERE NOT valid$d$),
    'verdicts', bench.digest($d$SELECT id, valid FROM ({sql}) r$d$))$a$
WHERE workload IN ('validation_one', 'validation_all');

-- ------ The four dashboard views ------
-- mycelium: Mycelium's view (security_invoker; run here as the superuser, to whom
-- row-level security does not apply). document: the document's view as written.
-- limit: a bare set-based query giving Mycelium's answer (each table aggregated
-- once, then joined). "One organization" filters the view by organization_id.
INSERT INTO bench.workloads (ord, workload, title, col, sql) VALUES
(50, 'user_dashboard_one', 'View user_dashboard_data, one organization', 'mycelium',
 $q$SELECT * FROM mycelium.user_dashboard_data WHERE organization_id = {org}$q$),
(50, 'user_dashboard_one', 'View user_dashboard_data, one organization', 'document',
 $q$SELECT * FROM docref.user_dashboard_data WHERE organization_id = {org}$q$),
(50, 'user_dashboard_one', 'View user_dashboard_data, one organization', 'limit',
 $q$SELECT u.id AS user_id, u.organization_id, u.name AS user_name, u.role,
       count(d.id) FILTER (WHERE d.status = 'PENDING') AS pending_tasks,
       count(d.id) FILTER (WHERE d.status = 'IN_PROGRESS') AS active_tasks,
       count(d.id) FILTER (WHERE d.status = 'OVERDUE') AS overdue_tasks,
       count(d.id) FILTER (WHERE (d.due_date AT TIME ZONE s.timezone)::date
                                 = (now() AT TIME ZONE s.timezone)::date) AS due_today,
       count(d.id) FILTER (WHERE (d.due_date AT TIME ZONE s.timezone)::date
                                 BETWEEN (now() AT TIME ZONE s.timezone)::date + 1
                                     AND (now() AT TIME ZONE s.timezone)::date + 7) AS due_this_week
FROM mycelium.users u
JOIN mycelium.organization_settings s ON s.organization_id = u.organization_id
LEFT JOIN mycelium.deliverables d
       ON d.organization_id = u.organization_id AND d.assigned_user_id = u.id
      AND d.status IN ('PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL', 'OVERDUE')
WHERE u.status = 'ACTIVE' AND u.organization_id = {org}
GROUP BY u.organization_id, u.id, s.timezone$q$),
(51, 'user_dashboard_all', 'View user_dashboard_data, all organizations', 'mycelium',
 $q$SELECT * FROM mycelium.user_dashboard_data$q$),
(51, 'user_dashboard_all', 'View user_dashboard_data, all organizations', 'document',
 $q$SELECT * FROM docref.user_dashboard_data$q$),
(51, 'user_dashboard_all', 'View user_dashboard_data, all organizations', 'limit',
 $q$SELECT u.id AS user_id, u.organization_id, u.name AS user_name, u.role,
       count(d.id) FILTER (WHERE d.status = 'PENDING') AS pending_tasks,
       count(d.id) FILTER (WHERE d.status = 'IN_PROGRESS') AS active_tasks,
       count(d.id) FILTER (WHERE d.status = 'OVERDUE') AS overdue_tasks,
       count(d.id) FILTER (WHERE (d.due_date AT TIME ZONE s.timezone)::date
                                 = (now() AT TIME ZONE s.timezone)::date) AS due_today,
       count(d.id) FILTER (WHERE (d.due_date AT TIME ZONE s.timezone)::date
                                 BETWEEN (now() AT TIME ZONE s.timezone)::date + 1
                                     AND (now() AT TIME ZONE s.timezone)::date + 7) AS due_this_week
FROM mycelium.users u
JOIN mycelium.organization_settings s ON s.organization_id = u.organization_id
LEFT JOIN mycelium.deliverables d
       ON d.organization_id = u.organization_id AND d.assigned_user_id = u.id
      AND d.status IN ('PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL', 'OVERDUE')
WHERE u.status = 'ACTIVE'
GROUP BY u.organization_id, u.id, s.timezone$q$),

(52, 'client_overview_one', 'View client_overview, one organization', 'mycelium',
 $q$SELECT * FROM mycelium.client_overview WHERE organization_id = {org}$q$),
(52, 'client_overview_one', 'View client_overview, one organization', 'document',
 $q$SELECT * FROM docref.client_overview WHERE organization_id = {org}$q$),
(52, 'client_overview_one', 'View client_overview, one organization', 'limit',
 $q$SELECT c.id, c.organization_id, c.name, c.status, c.contact_email,
       coalesce(sv.service_types, '{}') AS service_types,
       coalesce(d.total, 0) AS total_deliverables, coalesce(d.completed, 0) AS completed_deliverables,
       coalesce(d.overdue, 0) AS overdue_deliverables, d.next_deadline
FROM mycelium.clients c
LEFT JOIN (SELECT ca.client_id, array_agg(DISTINCT st.name ORDER BY st.name) AS service_types
           FROM mycelium.client_assignments ca
           JOIN mycelium.service_types st ON st.organization_id = ca.organization_id AND st.id = ca.service_type_id
           WHERE ca.organization_id = {org} AND ca.is_active
           GROUP BY ca.client_id) sv ON sv.client_id = c.id
LEFT JOIN (SELECT client_id, count(*) AS total,
                  count(*) FILTER (WHERE status IN ('COMPLETED', 'ARCHIVED')) AS completed,
                  count(*) FILTER (WHERE status = 'OVERDUE') AS overdue,
                  min(due_date) FILTER (WHERE due_date >= now() AND status IN
                      ('PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL', 'OVERDUE')) AS next_deadline
           FROM mycelium.deliverables WHERE organization_id = {org}
           GROUP BY client_id) d ON d.client_id = c.id
WHERE c.organization_id = {org}$q$),
(53, 'client_overview_all', 'View client_overview, all organizations', 'mycelium',
 $q$SELECT * FROM mycelium.client_overview$q$),
(53, 'client_overview_all', 'View client_overview, all organizations', 'document',
 $q$SELECT * FROM docref.client_overview$q$),
(53, 'client_overview_all', 'View client_overview, all organizations', 'limit',
 $q$SELECT c.id, c.organization_id, c.name, c.status, c.contact_email,
       coalesce(sv.service_types, '{}') AS service_types,
       coalesce(d.total, 0) AS total_deliverables, coalesce(d.completed, 0) AS completed_deliverables,
       coalesce(d.overdue, 0) AS overdue_deliverables, d.next_deadline
FROM mycelium.clients c
LEFT JOIN (SELECT ca.organization_id, ca.client_id, array_agg(DISTINCT st.name ORDER BY st.name) AS service_types
           FROM mycelium.client_assignments ca
           JOIN mycelium.service_types st ON st.organization_id = ca.organization_id AND st.id = ca.service_type_id
           WHERE ca.is_active
           GROUP BY ca.organization_id, ca.client_id) sv
       ON sv.organization_id = c.organization_id AND sv.client_id = c.id
LEFT JOIN (SELECT organization_id, client_id, count(*) AS total,
                  count(*) FILTER (WHERE status IN ('COMPLETED', 'ARCHIVED')) AS completed,
                  count(*) FILTER (WHERE status = 'OVERDUE') AS overdue,
                  min(due_date) FILTER (WHERE due_date >= now() AND status IN
                      ('PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL', 'OVERDUE')) AS next_deadline
           FROM mycelium.deliverables
           GROUP BY organization_id, client_id) d
       ON d.organization_id = c.organization_id AND d.client_id = c.id$q$),

(54, 'analytics_one', 'View organization_analytics, one organization', 'mycelium',
 $q$SELECT * FROM mycelium.organization_analytics WHERE organization_id = {org}$q$),
(54, 'analytics_one', 'View organization_analytics, one organization', 'document',
 $q$SELECT * FROM docref.organization_analytics WHERE organization_id = {org}$q$),
(54, 'analytics_one', 'View organization_analytics, one organization', 'limit',
 $q$SELECT o.id AS organization_id, o.name AS organization_name,
       (SELECT count(*) FROM mycelium.users u WHERE u.organization_id = o.id AND u.status = 'ACTIVE') AS active_users,
       (SELECT count(*) FROM mycelium.clients c WHERE c.organization_id = o.id AND c.status = 'ACTIVE') AS active_clients,
       coalesce(d.total, 0) AS total_deliverables, coalesce(d.completed, 0) AS completed_deliverables,
       coalesce(d.overdue, 0) AS overdue_deliverables, round(d.completed * 100.0 / nullif(d.total, 0), 2) AS completion_rate,
       (SELECT count(*) FROM mycelium.projects p WHERE p.organization_id = o.id) AS total_projects,
       (SELECT count(*) FROM mycelium.service_types st WHERE st.organization_id = o.id) AS service_types_count
FROM mycelium.organizations o
LEFT JOIN (SELECT organization_id, count(*) AS total,
                  count(*) FILTER (WHERE status IN ('COMPLETED', 'ARCHIVED')) AS completed,
                  count(*) FILTER (WHERE status = 'OVERDUE') AS overdue
           FROM mycelium.deliverables WHERE organization_id = {org}
           GROUP BY organization_id) d ON d.organization_id = o.id
WHERE o.id = {org}$q$),
(55, 'analytics_all', 'View organization_analytics, all organizations', 'mycelium',
 $q$SELECT * FROM mycelium.organization_analytics$q$),
(55, 'analytics_all', 'View organization_analytics, all organizations', 'document',
 $q$SELECT * FROM docref.organization_analytics$q$),
(55, 'analytics_all', 'View organization_analytics, all organizations', 'limit',
 $q$SELECT o.id AS organization_id, o.name AS organization_name,
       (SELECT count(*) FROM mycelium.users u WHERE u.organization_id = o.id AND u.status = 'ACTIVE') AS active_users,
       (SELECT count(*) FROM mycelium.clients c WHERE c.organization_id = o.id AND c.status = 'ACTIVE') AS active_clients,
       coalesce(d.total, 0) AS total_deliverables, coalesce(d.completed, 0) AS completed_deliverables,
       coalesce(d.overdue, 0) AS overdue_deliverables, round(d.completed * 100.0 / nullif(d.total, 0), 2) AS completion_rate,
       (SELECT count(*) FROM mycelium.projects p WHERE p.organization_id = o.id) AS total_projects,
       (SELECT count(*) FROM mycelium.service_types st WHERE st.organization_id = o.id) AS service_types_count
FROM mycelium.organizations o
LEFT JOIN (SELECT organization_id, count(*) AS total,
                  count(*) FILTER (WHERE status IN ('COMPLETED', 'ARCHIVED')) AS completed,
                  count(*) FILTER (WHERE status = 'OVERDUE') AS overdue
           FROM mycelium.deliverables
           GROUP BY organization_id) d ON d.organization_id = o.id$q$),

(56, 'activity_one', 'View recent_activity, one organization (every row)', 'mycelium',
 $q$SELECT * FROM mycelium.recent_activity WHERE organization_id = {org}$q$),
(56, 'activity_one', 'View recent_activity, one organization (every row)', 'document',
 $q$SELECT * FROM docref.recent_activity WHERE organization_id = {org}$q$),
(56, 'activity_one', 'View recent_activity, one organization (every row)', 'limit',
 $q$SELECT al.id, al.organization_id, al.action, al.resource_type, al.resource_id, al."timestamp",
       u.name AS user_name, u.avatar_url AS user_avatar,
       coalesce(CASE al.resource_type WHEN 'deliverable' THEN d.title WHEN 'client' THEN c.name
                                      WHEN 'project' THEN p.name WHEN 'user' THEN ru.name END,
                al.resource_name) AS resource_name
FROM mycelium.activity_logs al
LEFT JOIN mycelium.users u ON u.organization_id = al.organization_id AND u.id = al.user_id
LEFT JOIN mycelium.deliverables d
       ON al.resource_type = 'deliverable' AND d.organization_id = al.organization_id AND d.id = al.resource_id
LEFT JOIN mycelium.clients c
       ON al.resource_type = 'client' AND c.organization_id = al.organization_id AND c.id = al.resource_id
LEFT JOIN mycelium.projects p
       ON al.resource_type = 'project' AND p.organization_id = al.organization_id AND p.id = al.resource_id
LEFT JOIN mycelium.users ru
       ON al.resource_type = 'user' AND ru.organization_id = al.organization_id AND ru.id = al.resource_id
WHERE al.organization_id = {org}
ORDER BY al."timestamp" DESC$q$),
(57, 'activity_all', 'View recent_activity, all organizations (every row)', 'mycelium',
 $q$SELECT * FROM mycelium.recent_activity$q$),
(57, 'activity_all', 'View recent_activity, all organizations (every row)', 'document',
 $q$SELECT * FROM docref.recent_activity$q$),
(57, 'activity_all', 'View recent_activity, all organizations (every row)', 'limit',
 $q$SELECT al.id, al.organization_id, al.action, al.resource_type, al.resource_id, al."timestamp",
       u.name AS user_name, u.avatar_url AS user_avatar,
       coalesce(CASE al.resource_type WHEN 'deliverable' THEN d.title WHEN 'client' THEN c.name
                                      WHEN 'project' THEN p.name WHEN 'user' THEN ru.name END,
                al.resource_name) AS resource_name
FROM mycelium.activity_logs al
LEFT JOIN mycelium.users u ON u.organization_id = al.organization_id AND u.id = al.user_id
LEFT JOIN mycelium.deliverables d
       ON al.resource_type = 'deliverable' AND d.organization_id = al.organization_id AND d.id = al.resource_id
LEFT JOIN mycelium.clients c
       ON al.resource_type = 'client' AND c.organization_id = al.organization_id AND c.id = al.resource_id
LEFT JOIN mycelium.projects p
       ON al.resource_type = 'project' AND p.organization_id = al.organization_id AND p.id = al.resource_id
LEFT JOIN mycelium.users ru
       ON al.resource_type = 'user' AND ru.organization_id = al.organization_id AND ru.id = al.resource_id
ORDER BY al."timestamp" DESC$q$),
(58, 'activity_feed_one', 'View recent_activity, one organization, newest 50', 'mycelium',
 $q$SELECT * FROM mycelium.recent_activity WHERE organization_id = {org} ORDER BY "timestamp" DESC LIMIT 50$q$),
(58, 'activity_feed_one', 'View recent_activity, one organization, newest 50', 'document',
 $q$SELECT * FROM docref.recent_activity WHERE organization_id = {org} ORDER BY "timestamp" DESC LIMIT 50$q$),
(58, 'activity_feed_one', 'View recent_activity, one organization, newest 50', 'limit',
 $q$SELECT al.id, al.organization_id, al.action, al.resource_type, al.resource_id, al."timestamp",
       u.name AS user_name, u.avatar_url AS user_avatar,
       coalesce(CASE al.resource_type WHEN 'deliverable' THEN d.title WHEN 'client' THEN c.name
                                      WHEN 'project' THEN p.name WHEN 'user' THEN ru.name END,
                al.resource_name) AS resource_name
FROM (SELECT * FROM mycelium.activity_logs WHERE organization_id = {org} ORDER BY "timestamp" DESC LIMIT 50) al
LEFT JOIN mycelium.users u ON u.organization_id = al.organization_id AND u.id = al.user_id
LEFT JOIN mycelium.deliverables d
       ON al.resource_type = 'deliverable' AND d.organization_id = al.organization_id AND d.id = al.resource_id
LEFT JOIN mycelium.clients c
       ON al.resource_type = 'client' AND c.organization_id = al.organization_id AND c.id = al.resource_id
LEFT JOIN mycelium.projects p
       ON al.resource_type = 'project' AND p.organization_id = al.organization_id AND p.id = al.resource_id
LEFT JOIN mycelium.users ru
       ON al.resource_type = 'user' AND ru.organization_id = al.organization_id AND ru.id = al.resource_id
ORDER BY al."timestamp" DESC$q$);

-- Answers: the rows returned (as a set: the views do not sort, or sort with ties),
-- which the view and the limit must give alike; and, also with the document's
-- view, the columns it computes the same way (docs/differences.md, "Views").
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'rows', bench.digest($d$SELECT * FROM ({sql}) r$d$),
    'users and counts by status', bench.digest($d$SELECT user_id, organization_id, user_name, role::text,
                                                         pending_tasks::bigint, active_tasks::bigint,
                                                         overdue_tasks::bigint FROM ({sql}) r$d$))$a$
WHERE workload IN ('user_dashboard_one', 'user_dashboard_all') AND col IN ('mycelium', 'limit');
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'users and counts by status', bench.digest($d$SELECT user_id, organization_id, user_name, role::text,
                                                         pending_tasks::bigint, active_tasks::bigint,
                                                         overdue_tasks::bigint FROM ({sql}) r$d$))$a$,
    answer_note = 'due_today and due_this_week count closed work too, on the server''s calendar: not compared'
WHERE workload IN ('user_dashboard_one', 'user_dashboard_all') AND col = 'document';

UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'rows', bench.digest($d$SELECT * FROM ({sql}) r$d$),
    'clients and counts', bench.digest($d$SELECT id, organization_id, name, status::text, contact_email,
                                                 total_deliverables::bigint, overdue_deliverables::bigint
                                          FROM ({sql}) r$d$))$a$
WHERE workload IN ('client_overview_one', 'client_overview_all') AND col IN ('mycelium', 'limit');
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'clients and counts', bench.digest($d$SELECT id, organization_id, name, status::text, contact_email,
                                                 total_deliverables::bigint, overdue_deliverables::bigint
                                          FROM ({sql}) r$d$))$a$,
    answer_note = 'service_types (inactive assignments too), completed_deliverables (COMPLETED only) and '
                  'next_deadline (the latest due date ever) differ by design: not compared'
WHERE workload IN ('client_overview_one', 'client_overview_all') AND col = 'document';

UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'rows', bench.digest($d$SELECT * FROM ({sql}) r$d$),
    'counts', bench.digest($d$SELECT organization_id, organization_name, active_users::bigint, active_clients::bigint,
                                     total_deliverables::bigint, overdue_deliverables::bigint, total_projects::bigint,
                                     service_types_count::bigint
                              FROM ({sql}) r$d$))$a$
WHERE workload IN ('analytics_one', 'analytics_all') AND col IN ('mycelium', 'limit');
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'counts', bench.digest($d$SELECT organization_id, organization_name, active_users::bigint, active_clients::bigint,
                                     total_deliverables::bigint, overdue_deliverables::bigint, total_projects::bigint,
                                     service_types_count::bigint
                              FROM ({sql}) r$d$))$a$,
    answer_note = 'completed_deliverables and completion_rate count COMPLETED only (not ARCHIVED): not compared'
WHERE workload IN ('analytics_one', 'analytics_all') AND col = 'document';

UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'rows', bench.digest($d$SELECT * FROM ({sql}) r$d$),
    'log rows and actors', bench.digest($d$SELECT id, organization_id, action, resource_type, resource_id, "timestamp",
                                                  user_name, user_avatar FROM ({sql}) r$d$))$a$
WHERE workload IN ('activity_one', 'activity_all') AND col IN ('mycelium', 'limit');
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'log rows and actors', bench.digest($d$SELECT id, organization_id, action, resource_type, resource_id, "timestamp",
                                                  user_name, user_avatar FROM ({sql}) r$d$))$a$,
    answer_note = 'resource_name names no user, and nothing deleted: not compared'
WHERE workload IN ('activity_one', 'activity_all') AND col = 'document';

-- The newest 50: the log's timestamps have ties (a statement logs all its rows at
-- one time), so which of the rows tied at the oldest timestamp returned make the
-- 50 is the plan's choice. Compared: the 50 timestamps; that each row returned is
-- a distinct row of the organization's log, as logged; and the rows newer than
-- the tie (whole with the limit, their log columns and actors with the document).
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'timestamps', bench.digest($d$SELECT "timestamp" FROM ({sql}) r$d$),
    'rows of the log', (SELECT count(DISTINCT r.id) FILTER (
                                   WHERE EXISTS (SELECT FROM mycelium.activity_logs al
                                                 WHERE al.organization_id = {org} AND al.organization_id = r.organization_id
                                                   AND al.id = r.id AND al.action = r.action
                                                   AND al.resource_type = r.resource_type
                                                   AND al.resource_id IS NOT DISTINCT FROM r.resource_id
                                                   AND al."timestamp" = r."timestamp"))
                               || ' distinct of ' || count(*) || ' returned'
                        FROM ({sql}) r),
    'log rows and actors newer than the tie',
        bench.digest($d$SELECT id, organization_id, action, resource_type, resource_id, "timestamp", user_name, user_avatar
                        FROM ({sql}) r WHERE r."timestamp" > (SELECT min(m."timestamp") FROM ({sql}) m)$d$))
    || CASE WHEN {whole} THEN jsonb_build_object(
    'rows newer than the tie', bench.digest($d$SELECT * FROM ({sql}) r
                                               WHERE r."timestamp" > (SELECT min(m."timestamp") FROM ({sql}) m)$d$))
            ELSE '{}' END$a$
WHERE workload = 'activity_feed_one';
UPDATE bench.workloads SET answer = replace(answer, '{whole}', (col <> 'document')::text)
WHERE workload = 'activity_feed_one';
UPDATE bench.workloads SET answer_note = 'resource_name names no user, and nothing deleted: not compared'
WHERE workload = 'activity_feed_one' AND col = 'document';

-- ------ Tenant-scoped dashboard under row-level security ------
-- mycelium: the application role bench_app (granted mycelium.grant_access(..,
-- 'app')) with a context set by mycelium.set_context (in the untimed setup) counts
-- the deliverables it can see, by status, with no WHERE: row-level security scopes
-- it. limit: the same query as the superuser (no row-level security) with the
-- scope written out. Rows: the deliverables counted.
INSERT INTO bench.workloads (ord, workload, title, col, setup, sql, rows_mode) VALUES
(60, 'rls_admin', 'Deliverables by status, one organization, ADMIN, RLS', 'mycelium',
 ARRAY['SET LOCAL ROLE bench_app', $q$SELECT mycelium.set_context({org}, {admin}, 'ADMIN')$q$],
 $q$SELECT sum(n)::bigint FROM (SELECT status, count(*) AS n FROM mycelium.deliverables GROUP BY status) s$q$,
 'value'),
(60, 'rls_admin', 'Deliverables by status, one organization, ADMIN, RLS', 'limit', NULL,
 $q$SELECT sum(n)::bigint FROM (SELECT status, count(*) AS n FROM mycelium.deliverables
                             WHERE organization_id = {org} GROUP BY status) s$q$,
 'value'),
(61, 'rls_editor', 'Deliverables by status, one organization, editor, RLS', 'mycelium',
 ARRAY['SET LOCAL ROLE bench_app', $q$SELECT mycelium.set_context({org}, {editor}, {editor_role})$q$],
 $q$SELECT sum(n)::bigint FROM (SELECT status, count(*) AS n FROM mycelium.deliverables GROUP BY status) s$q$,
 'value'),
(61, 'rls_editor', 'Deliverables by status, one organization, editor, RLS', 'limit', NULL,
 $q$SELECT sum(n)::bigint FROM (SELECT status, count(*) AS n FROM mycelium.deliverables
                             WHERE organization_id = {org}
                               AND (assigned_user_id = {editor}
                                    OR client_id IN (SELECT ca.client_id FROM mycelium.client_assignments ca
                                                     WHERE ca.organization_id = {org} AND ca.user_id = {editor}
                                                       AND ca.is_active))
                             GROUP BY status) s$q$,
 'value'),
(62, 'rls_portal', 'Deliverables by status, one organization, portal user, RLS', 'mycelium',
 ARRAY['SET LOCAL ROLE bench_app', $q$SELECT mycelium.set_context({org}, {portal}, 'CLIENT')$q$],
 $q$SELECT sum(n)::bigint FROM (SELECT status, count(*) AS n FROM mycelium.deliverables GROUP BY status) s$q$,
 'value'),
(62, 'rls_portal', 'Deliverables by status, one organization, portal user, RLS', 'limit', NULL,
 $q$SELECT sum(n)::bigint FROM (SELECT status, count(*) AS n FROM mycelium.deliverables
                             WHERE organization_id = {org} AND client_id = {client}
                             GROUP BY status) s$q$,
 'value');

-- Answers: the deliverables counted, by status, and which ones (the md5 of their
-- ids): under row-level security (as bench_app, which cannot read the bench
-- schema, so no bench.digest here) and with the same scope written as a WHERE.
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'by status', (SELECT string_agg(status || ' ' || n, ', ' ORDER BY status)
                  FROM (SELECT status::text, count(*) AS n FROM mycelium.deliverables GROUP BY status) s),
    'ids', (SELECT md5(string_agg(id::text, ',' ORDER BY id)) FROM mycelium.deliverables))$a$
WHERE workload IN ('rls_admin', 'rls_editor', 'rls_portal') AND col = 'mycelium';
UPDATE bench.workloads SET answer = $a$SELECT jsonb_build_object(
    'by status', (SELECT string_agg(status || ' ' || n, ', ' ORDER BY status)
                  FROM (SELECT status::text, count(*) AS n FROM mycelium.deliverables d WHERE {scope} GROUP BY status) s),
    'ids', (SELECT md5(string_agg(id::text, ',' ORDER BY id)) FROM mycelium.deliverables d WHERE {scope}))$a$
WHERE workload IN ('rls_admin', 'rls_editor', 'rls_portal') AND col = 'limit';
UPDATE bench.workloads SET answer = replace(answer, '{scope}', $s$d.organization_id = {org}$s$)
WHERE workload = 'rls_admin' AND col = 'limit';
UPDATE bench.workloads SET answer = replace(answer, '{scope}', $s$d.organization_id = {org}
    AND (d.assigned_user_id = {editor}
         OR d.client_id IN (SELECT ca.client_id FROM mycelium.client_assignments ca
                            WHERE ca.organization_id = {org} AND ca.user_id = {editor} AND ca.is_active))$s$)
WHERE workload = 'rls_editor' AND col = 'limit';
UPDATE bench.workloads SET answer = replace(answer, '{scope}', $s$d.organization_id = {org} AND d.client_id = {client}$s$)
WHERE workload = 'rls_portal' AND col = 'limit';

-- ------ Signing in ------
-- mycelium: CALL mycelium.sign_in with the right password, as an application
-- signs a user in: the account's row locked, its Argon2id hash (today's default
-- parameters) checked, the attempt recorded and committed, a token signed. A
-- procedure that commits, so bench/run measures it outside the rolled-back
-- subtransactions (bench.workloads.outside). limit: one bare Argon2id hash with
-- the same parameters, the work no sign-in can skip.
SELECT mycelium.set_jwt_secret('the benchmark''s token key, thirty-two bytes or more');
SELECT mycelium.set_password(bench.param('admin')::uuid, 'a benchmark password of some length', false);
INSERT INTO bench.workloads (ord, workload, title, col, outside, sql, rows_mode) VALUES
(95, 'sign_in', 'One sign-in, default Argon2id parameters', 'mycelium', true,
 $q$CALL mycelium.sign_in({org}, {admin_email}, 'a benchmark password of some length')$q$, 'value'),
(95, 'sign_in', 'One sign-in, default Argon2id parameters', 'limit', false,
 $q$SELECT mycelium_internal.hash_password('a benchmark password of some length')$q$, 'count');

-- Nothing to compare: a sign-in returns a token, the limit a bare hash.
UPDATE bench.workloads SET answer_note = 'a sign-in returns a signed token, the limit a bare hash: nothing to compare'
WHERE workload = 'sign_in' AND col = 'mycelium';

-- ------ Scope and cost per row ------
-- Whose work each workload does (bench.workloads.scope) and what its rows are
-- (per_row), for the report's per-organization and per-row tables
-- (docs/performance.md, "Cost per organization"). Every workload has a scope.
UPDATE bench.workloads SET scope = 'organization'
WHERE workload IN ('generation_one', 'productivity_one', 'overdue_sweep_one', 'validation_one', 'trigger_insert',
                   'user_dashboard_one', 'client_overview_one', 'analytics_one', 'activity_one',
                   'activity_feed_one', 'rls_admin', 'rls_editor', 'rls_portal', 'webhook_events');
UPDATE bench.workloads SET scope = 'fixed'
WHERE workload IN ('overdue_sweep_idle', 'delivery_claim', 'delivery_finish', 'delivery_finish_batch', 'sign_in',
                   'webhook_claim', 'webhook_finish');
UPDATE bench.workloads SET scope = 'all'
WHERE workload IN ('generation_all', 'productivity_all', 'overdue_sweep_all', 'validation_all',
                   'user_dashboard_all', 'client_overview_all', 'analytics_all', 'activity_all');
UPDATE bench.workloads SET per_row = 'generated' WHERE workload IN ('generation_one', 'generation_all');
UPDATE bench.workloads SET per_row = 'swept' WHERE workload IN ('overdue_sweep_one', 'overdue_sweep_all');
UPDATE bench.workloads SET per_row = 'validated' WHERE workload IN ('validation_one', 'validation_all', 'trigger_insert');
DO $$
BEGIN
    IF EXISTS (SELECT FROM bench.workloads WHERE scope IS NULL) THEN
        RAISE EXCEPTION 'bench/workloads.sql: workloads without a scope: %',
            (SELECT string_agg(DISTINCT workload, ', ') FROM bench.workloads WHERE scope IS NULL);
    END IF;
END;
$$;
