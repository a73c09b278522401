-- Notifications, the overdue and due-soon sweeps, and productivity scores.
\i sql/include/helpers.psql

-- Each file starts from an empty schema.
SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO';

-- Who got which notification, on which channels: one line per notification.
CREATE FUNCTION pg_temp.inbox() RETURNS TABLE (type text, message text, recipients text)
    LANGUAGE sql AS $$
    SELECT n.type::text, n.message,
           (SELECT string_agg(u.name || ':' || r.channel, ' ' ORDER BY u.name, r.channel)
            FROM mycelium.notification_recipients r
            JOIN mycelium.users u ON u.organization_id = r.organization_id AND u.id = r.user_id
            WHERE r.organization_id = n.organization_id AND r.notification_id = n.id)
    FROM mycelium.notifications n
    ORDER BY n.type, n.message;
$$;

-- ------ Delivery times ------
-- immediate: at once; daily: the next 08:00 local; weekly: the next 08:00 on the
-- first day of the week (1 = Monday). 2026-12-02 is a Wednesday.
SELECT f, mycelium_internal.next_delivery_time(t, f, 'Europe/Berlin', 1) AT TIME ZONE 'Europe/Berlin' AS local
FROM (VALUES ('2026-12-02 06:00 Europe/Berlin'::timestamptz), ('2026-12-02 09:00 Europe/Berlin')) AS a(t),
     (VALUES ('immediate'), ('daily'), ('weekly')) AS b(f)
ORDER BY t, f;
-- A Monday before 08:00 is delivered that morning; after it, the next Monday.
SELECT mycelium_internal.next_delivery_time('2026-12-07 07:59 Europe/Berlin', 'weekly', 'Europe/Berlin', 1)
           AT TIME ZONE 'Europe/Berlin' AS monday_early,
       mycelium_internal.next_delivery_time('2026-12-07 08:00 Europe/Berlin', 'weekly', 'Europe/Berlin', 1)
           AT TIME ZONE 'Europe/Berlin' AS monday_at_eight;

-- Bad input: an unknown zone is refused; NULLs give no time.
SELECT regress.try($$SELECT mycelium_internal.next_delivery_time(now(), 'daily', 'Mars/Olympus', 1)$$) AS unknown_zone;
SELECT mycelium_internal.next_delivery_time(NULL, 'daily', 'UTC', 1) IS NULL AS null_as_of,
       mycelium_internal.next_delivery_time(now(), 'daily', NULL, 1) IS NULL AS null_zone;

-- ------ An agency ------
SELECT id AS org FROM mycelium.create_organization('Studio Nord', timezone => 'Europe/Berlin') \gset
SELECT id AS social FROM mycelium.service_types WHERE organization_id = :'org' AND slug = 'social' \gset
UPDATE mycelium.organization_settings SET notification_frequency = 'immediate', enable_slack_notifications = true
WHERE organization_id = :'org';
-- Slack is queued only for an organization with a connected Slack integration.
INSERT INTO mycelium.integrations (organization_id, type, name, is_enabled, is_connected, config)
VALUES (:'org', 'SLACK', 'Slack', true, true, '{"webhook_url": "https://hooks.slack.com/services/T/B/nord"}');
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000c-0000-7000-8000-0000000000a1', :'org', 'ada@nord.test', 'Ada', 'ADMIN', 'ACTIVE'),
    ('0000000c-0000-7000-8000-0000000000a2', :'org', 'zoe@nord.test', 'Zoe', 'ADMIN', 'INACTIVE'),
    ('0000000c-0000-7000-8000-0000000000e1', :'org', 'eve@nord.test', 'Eve', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000c-0000-7000-8000-0000000000e2', :'org', 'max@nord.test', 'Max', 'VIDEO_EDITOR', 'ACTIVE');
INSERT INTO mycelium.clients (id, organization_id, name)
VALUES ('0000000c-0000-7000-8000-0000000000c1', :'org', 'Kaffee');
INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id, role)
VALUES (:'org', '0000000c-0000-7000-8000-0000000000c1', '0000000c-0000-7000-8000-0000000000e1', :'social', 'PRIMARY');
-- Past due in every status; one draft lacks its required fields; one is due soon.
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, status, assigned_user_id,
                                   created_by_id, due_date, custom_fields)
SELECT :'org', '0000000c-0000-7000-8000-0000000000c1', :'social', v.title, v.status::mycelium.deliverable_status,
       v.assignee::uuid, '0000000c-0000-7000-8000-0000000000a1', now() + v.due,
       CASE WHEN v.title = 'draft' THEN '{}'::jsonb
            ELSE '{"deliverable_name": "x", "edit_by_date": "2026-01-01"}'::jsonb END
FROM (VALUES ('draft', 'PENDING', '0000000c-0000-7000-8000-0000000000e2', interval '-2 days'),
             ('in progress', 'IN_PROGRESS', '0000000c-0000-7000-8000-0000000000e2', interval '-1 hour'),
             ('in review', 'NEEDS_REVIEW', NULL, interval '-3 days'),
             ('awaiting approval', 'NEEDS_APPROVAL', '0000000c-0000-7000-8000-0000000000e1', interval '-1 day'),
             ('completed late', 'COMPLETED', '0000000c-0000-7000-8000-0000000000e2', interval '-5 days'),
             ('cancelled', 'CANCELLED', NULL, interval '-5 days'),
             ('due soon', 'PENDING', '0000000c-0000-7000-8000-0000000000e2', interval '5 hours'),
             ('due later', 'PENDING', '0000000c-0000-7000-8000-0000000000e2', interval '5 days'))
     AS v(title, status, assignee, due);
-- Assigned on creation, with no actor: each assignee hears of it.
SELECT * FROM pg_temp.inbox();
DELETE FROM mycelium.notifications;

-- ------ sweep_overdue ------
-- Every open past-due deliverable, the draft included (OVERDUE does not demand
-- the required fields); completed and cancelled ones stay as they are.
SELECT d.title, s.previous_status, s.notification_id IS NOT NULL AS notified
FROM mycelium.sweep_overdue() s
JOIN mycelium.deliverables d ON d.organization_id = s.organization_id AND d.id = s.deliverable_id
ORDER BY d.title;
SELECT title, status FROM mycelium.deliverables ORDER BY title;
-- Recipients: the assignee, the PRIMARY assignee (Eve) and the ACTIVE admins (not
-- Zoe), each once, on in_app, email and slack.
SELECT * FROM pg_temp.inbox();
-- Exactly once.
SELECT count(*) AS second_sweep FROM mycelium.sweep_overdue();
SELECT count(*) AS notifications FROM mycelium.notifications;
-- The activity log has one row for the sweep, naming every deliverable it marked,
-- and none per deliverable.
SELECT action, resource_type, resource_name, metadata ->> 'count' AS count,
       jsonb_array_length(metadata -> 'deliverable_ids') AS ids
FROM mycelium.activity_logs WHERE action = 'marked_overdue';
SELECT count(*) AS logged_one_by_one FROM mycelium.activity_logs WHERE action = 'updated' AND changed_fields @> '{status}';
DELETE FROM mycelium.notifications;

-- ------ sweep_due_soon ------
SELECT d.title FROM mycelium.sweep_due_soon('1 day') s
JOIN mycelium.deliverables d ON d.organization_id = s.organization_id AND d.id = s.deliverable_id;
SELECT count(*) AS again FROM mycelium.sweep_due_soon('1 day');
-- A changed due date notifies again; a wider window finds the later one.
UPDATE mycelium.deliverables SET due_date = due_date + interval '1 hour' WHERE title = 'due soon';
SELECT d.title FROM mycelium.sweep_due_soon('7 days') s
JOIN mycelium.deliverables d ON d.organization_id = s.organization_id AND d.id = s.deliverable_id
ORDER BY 1;
SELECT * FROM pg_temp.inbox();
DELETE FROM mycelium.notifications;

-- Digests: with daily notifications they are scheduled for the next 08:00 Berlin time.
UPDATE mycelium.organization_settings SET notification_frequency = 'daily', enable_email_notifications = false,
                                          enable_slack_notifications = false
WHERE organization_id = :'org';
UPDATE mycelium.deliverables SET due_date = now() + interval '2 hours' WHERE title = 'due later';
SELECT count(*) AS due_soon FROM mycelium.sweep_due_soon();
SELECT n.channels, extract(hour FROM n.scheduled_for AT TIME ZONE 'Europe/Berlin') AS local_hour,
       n.scheduled_for > now() AS later
FROM mycelium.notifications n;
DELETE FROM mycelium.notifications;

-- ------ Events ------
-- As Ada: assigning, reviewing, completing and approving notify the people
-- concerned, never Ada herself.
BEGIN;
SELECT mycelium.set_context(:'org', '0000000c-0000-7000-8000-0000000000a1', 'ADMIN');
UPDATE mycelium.deliverables SET assigned_user_id = '0000000c-0000-7000-8000-0000000000e1' WHERE title = 'in review';
UPDATE mycelium.deliverables SET status = 'NEEDS_REVIEW' WHERE title = 'due later';
UPDATE mycelium.deliverables SET status = 'COMPLETED', completed_at = now(),
                                 custom_fields = '{"deliverable_name": "x", "edit_by_date": "2026-01-01"}'
WHERE title = 'draft';
UPDATE mycelium.deliverables SET status = 'APPROVED', approved_at = now() WHERE title = 'completed late';
COMMIT;
SELECT * FROM pg_temp.inbox();
DELETE FROM mycelium.notifications;
-- As Eve: a comment tells the assignee, creator and PRIMARY (not Eve); a mention
-- tells Max.
BEGIN;
SELECT mycelium.set_context(:'org', '0000000c-0000-7000-8000-0000000000e1', 'VIDEO_EDITOR');
INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, mentions)
SELECT :'org', id, '0000000c-0000-7000-8000-0000000000e1', 'Looks good, @Max?', ARRAY['0000000c-0000-7000-8000-0000000000e2'::uuid]
FROM mycelium.deliverables WHERE title = 'awaiting approval';
COMMIT;
SELECT * FROM pg_temp.inbox();
-- A mention of someone who is not a user of the organization is refused.
SELECT regress.try(format($$INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, mentions)
    SELECT %L, id, '0000000c-0000-7000-8000-0000000000e1', 'hi', ARRAY['00000000-0000-0000-0000-0000000000ee'::uuid]
    FROM mycelium.deliverables WHERE title = 'awaiting approval'$$, :'org')) AS foreign_mention;
DELETE FROM mycelium.notifications;

-- ------ Bad input ------
SELECT regress.try($$SELECT mycelium.sweep_overdue(NULL)$$) AS null_as_of;
SELECT regress.try($$SELECT mycelium.sweep_overdue('infinity')$$) AS infinite_as_of;
SELECT regress.try($$SELECT mycelium.sweep_overdue(now() + interval '1 day')$$) AS future_as_of;
SELECT regress.try($$SELECT mycelium.sweep_overdue(organization_id => '00000000-0000-0000-0000-000000000000')$$)
    AS unknown_organization;
SELECT regress.try($$SELECT mycelium.sweep_due_soon(NULL)$$) AS null_within;
SELECT regress.try($$SELECT mycelium.sweep_due_soon('-1 hour')$$) AS negative_within;
SELECT regress.try($$SELECT mycelium.sweep_due_soon('1 year')$$) AS huge_within;
BEGIN TRANSACTION READ ONLY;
SELECT regress.try($$SELECT mycelium.sweep_overdue()$$) AS read_only;
ROLLBACK;
BEGIN TRANSACTION READ ONLY;
SELECT regress.try($$SELECT mycelium.sweep_due_soon()$$) AS read_only;
ROLLBACK;
SELECT count(*) AS notifications_after_bad_input FROM mycelium.notifications;

-- ------ productivity_scores ------
-- A fresh cohort for Max: four deliverables created this month, one completed in
-- a day, one completed late, one open past its due date, one cancelled (not counted).
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, status, assigned_user_id,
                                   created_by_id, created_at, due_date, completed_at, custom_fields)
SELECT :'org', '0000000c-0000-7000-8000-0000000000c1', :'social', v.title, v.status::mycelium.deliverable_status,
       '0000000c-0000-7000-8000-0000000000e2', '0000000c-0000-7000-8000-0000000000a1',
       now() - v.age, now() - v.age + v.due, now() - v.age + v.took,
       '{"deliverable_name": "x", "edit_by_date": "2026-01-01"}'
FROM (VALUES ('p on time', 'COMPLETED', interval '10 days', interval '3 days', interval '1 day'),
             ('p late', 'COMPLETED', interval '10 days', interval '1 day', interval '2 days'),
             ('p open late', 'IN_PROGRESS', interval '10 days', interval '1 day', NULL),
             ('p cancelled', 'CANCELLED', interval '10 days', interval '1 day', NULL))
     AS v(title, status, age, due, took);
DELETE FROM mycelium.deliverables WHERE title NOT LIKE 'p %';
SELECT u.name, p.total_assigned, p.total_completed, p.completion_rate, p.avg_completion_hours, p.overdue_count,
       p.productivity_score
FROM mycelium.productivity_scores(:'org') p JOIN mycelium.users u ON u.id = p.user_id
ORDER BY u.name;
-- Ten days ago, the cohort was still empty.
SELECT p.total_assigned FROM mycelium.productivity_scores(:'org', 5, now() - interval '11 days') p
WHERE p.user_id = '0000000c-0000-7000-8000-0000000000e2';
SELECT mycelium.calculate_user_productivity('0000000c-0000-7000-8000-0000000000e2');
SELECT regress.try($$SELECT mycelium.calculate_user_productivity(NULL)$$) AS null_user;
SELECT regress.try($$SELECT mycelium.calculate_user_productivity('00000000-0000-0000-0000-000000000000')$$)
    AS unknown_user;
SELECT regress.try($$SELECT mycelium.calculate_user_productivity('0000000c-0000-7000-8000-0000000000e2', 0)$$)
    AS zero_days;
SELECT regress.try($$SELECT mycelium.productivity_scores(period_days => 100000)$$) AS absurd_period;
SELECT regress.try($$SELECT mycelium.productivity_scores(period_days => NULL)$$) AS null_period;
SELECT regress.try($$SELECT mycelium.productivity_scores(as_of => NULL)$$) AS null_as_of;
SELECT regress.try($$SELECT mycelium.productivity_scores(as_of => now() + interval '1 hour')$$) AS future_as_of;
SELECT regress.try($$SELECT mycelium.productivity_scores('00000000-0000-0000-0000-000000000000')$$)
    AS unknown_organization;

-- ------ Nobody to tell ------
-- An ADMIN who assigns work to herself, or mentions herself, tells nobody: no
-- notification is made, rather than one without recipients that would stay
-- PENDING for ever. Eve, mentioned beside her, is told.
DELETE FROM mycelium.notifications;
BEGIN;
SELECT mycelium.set_context(:'org', '0000000c-0000-7000-8000-0000000000a1', 'ADMIN');
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, assigned_user_id,
                                   created_by_id, custom_fields)
VALUES (:'org', '0000000c-0000-7000-8000-0000000000c1', :'social', 'for Ada', '0000000c-0000-7000-8000-0000000000a1',
        '0000000c-0000-7000-8000-0000000000a1', '{}');
INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, mentions)
SELECT :'org', id, '0000000c-0000-7000-8000-0000000000a1', 'Note to self and Eve',
       ARRAY['0000000c-0000-7000-8000-0000000000a1', '0000000c-0000-7000-8000-0000000000e1']::uuid[]
FROM mycelium.deliverables WHERE title = 'for Ada';
COMMIT;
SELECT n.type, count(r.id) AS recipients
FROM mycelium.notifications n
LEFT JOIN mycelium.notification_recipients r ON r.organization_id = n.organization_id AND r.notification_id = n.id
GROUP BY n.type ORDER BY n.type;
DELETE FROM mycelium.notifications;

-- ------ Only Mycelium's jobs summarise their own statements ------
-- The setting that makes the row-by-row activity log stand aside is for
-- superusers: an application cannot use it to write changes the log misses.
CREATE ROLE regress_mycelium_sneaky;
SET ROLE regress_mycelium_sneaky;
SELECT regress.try($$SET mycelium.in_job_statement = on$$) AS set_by_application;
SELECT regress.try($$SELECT set_config('mycelium.in_job_statement', 'on', true)$$) AS set_config_by_application;
RESET ROLE;
DROP ROLE regress_mycelium_sneaky;
