-- The demo agency of the design document's seed data, loaded through plain SQL
-- as an application would, then shown through the dashboard views.
--
-- Loads into any database, also one with organizations of its own:
--   psql "$DATABASE_URL" -f demo/demo.sql      (or scripts/load-demo "$DATABASE_URL")
-- as a superuser (it writes the agency's rows without a context, which row-level
-- security allows only a role that bypasses it). It creates the extension if the
-- database has none, stops at the first error, and refuses, before writing
-- anything, a database that already has an organization with the slug isemedia.
-- It sets the token key (set_jwt_secret) only where none is set, and shows only
-- the demo agency's rows.
\set ON_ERROR_STOP on
\set QUIET on
\pset footer off
SET client_min_messages = warning;
DO $$
BEGIN
    IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
        RAISE EXCEPTION 'demo: loading the demo agency needs a superuser, and % is not one', current_user
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'It writes the agency''s users, clients and deliverables without a tenant context, '
                           'which row-level security allows only a role that bypasses it.',
                  HINT = 'Connect as a superuser (on a development server, usually the postgres role).';
    END IF;
END;
$$;
CREATE EXTENSION IF NOT EXISTS mycelium;
RESET client_min_messages;
BEGIN;

-- Nothing is written if the demo agency (or another organization with its slug)
-- is there already; the unique slug stops a concurrent load as well.
DO $$
BEGIN
    IF EXISTS (SELECT FROM mycelium.organizations o WHERE o.slug = 'isemedia') THEN
        RAISE EXCEPTION 'demo: this database already has an organization with the slug isemedia'
            USING ERRCODE = 'duplicate_object',
                  DETAIL = 'The demo agency is loaded once per database; nothing was changed.',
                  HINT = 'Load it into another database, or delete that organization first '
                         '(DELETE FROM mycelium.organizations WHERE slug = ''isemedia'').';
    END IF;
END;
$$;

SELECT id AS org FROM mycelium.create_organization(
    'IseMedia Agency', 'isemedia',
    description => 'Creative agency specializing in social media and digital marketing',
    timezone => 'America/Chicago') \gset

INSERT INTO mycelium.users (id, organization_id, email, name, role, status, email_verified) VALUES
    ('550e8400-e29b-41d4-a716-446655440001', :'org', 'christiaan@isemediaagency.com', 'Christiaan Bullock', 'ADMIN', 'ACTIVE', true),
    ('550e8400-e29b-41d4-a716-446655440002', :'org', 'caleb@isemediaagency.com', 'Caleb Isemann', 'ADMIN', 'ACTIVE', true),
    ('550e8400-e29b-41d4-a716-446655440003', :'org', 'maya@isemediaagency.com', 'Maya Ortiz', 'VIDEO_EDITOR', 'ACTIVE', true),
    ('550e8400-e29b-41d4-a716-446655440004', :'org', 'sam@isemediaagency.com', 'Sam Reyes', 'SEO_STRATEGIST', 'ACTIVE', true);

-- Slugs are left empty: the trigger makes them from the names.
INSERT INTO mycelium.clients (id, organization_id, name, slug, contact_email, contact_person) VALUES
    ('550e8400-e29b-41d4-a716-446655440010', :'org', 'GTG Builders', '', 'contact@gtgbuilders.com', 'John Smith'),
    ('550e8400-e29b-41d4-a716-446655440011', :'org', 'Ort Farms', '', 'info@ortfarms.com', 'Sarah Johnson'),
    ('550e8400-e29b-41d4-a716-446655440012', :'org', 'Hennebry Pest Solutions', '', 'admin@hennebrpest.com', 'Mike Hennebry'),
    ('550e8400-e29b-41d4-a716-446655440013', :'org', 'Café Münster', '', 'hallo@cafe-muenster.de', 'Lena Vogel');

-- Every client gets social media, edited by Maya; GTG also buys SEO from Sam.
INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id, role, assigned_by)
SELECT :'org', c.id, '550e8400-e29b-41d4-a716-446655440003', st.id, 'PRIMARY', '550e8400-e29b-41d4-a716-446655440001'
FROM mycelium.clients c JOIN mycelium.service_types st ON st.organization_id = c.organization_id AND st.slug = 'social'
WHERE c.organization_id = :'org';
INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id, role)
SELECT :'org', '550e8400-e29b-41d4-a716-446655440010', '550e8400-e29b-41d4-a716-446655440004', st.id, 'PRIMARY'
FROM mycelium.service_types st WHERE st.organization_id = :'org' AND st.slug = 'seo';

-- This month's work, some done, some late, some due soon.
INSERT INTO mycelium.deliverables
    (organization_id, client_id, service_type_id, title, status, assigned_user_id, created_by_id,
     due_date, completed_at, completed_by_id, custom_fields)
SELECT :'org', c.id, st.id, st.name || ' – ' || c.name || ' – ' || v.label, v.status::mycelium.deliverable_status,
       '550e8400-e29b-41d4-a716-446655440003', '550e8400-e29b-41d4-a716-446655440001',
       now() + v.due, CASE WHEN v.status = 'COMPLETED' THEN now() + v.due - interval '1 day' END,
       CASE WHEN v.status = 'COMPLETED' THEN '550e8400-e29b-41d4-a716-446655440003'::uuid END,
       jsonb_build_object('deliverable_name', v.label,
                          'edit_by_date', to_char(now() + v.due - interval '2 days', 'YYYY-MM-DD'),
                          'dropbox_link', 'https://www.dropbox.com/home/' || c.slug)
FROM mycelium.clients c
JOIN mycelium.service_types st ON st.organization_id = c.organization_id AND st.slug = 'social'
CROSS JOIN (VALUES ('Week 1 reels', 'COMPLETED', interval '-10 days'),
                   ('Week 2 reels', 'OVERDUE', interval '-2 days'),
                   ('Week 3 reels', 'IN_PROGRESS', interval '2 hours'),
                   ('Week 4 reels', 'PENDING', interval '5 days')) AS v(label, status, due)
WHERE c.organization_id = :'org';

INSERT INTO mycelium.deliverables
    (organization_id, client_id, service_type_id, title, status, assigned_user_id, created_by_id, due_date)
SELECT :'org', '550e8400-e29b-41d4-a716-446655440010', st.id, 'Keyword research', 'NEEDS_REVIEW',
       '550e8400-e29b-41d4-a716-446655440004', '550e8400-e29b-41d4-a716-446655440002', now() + interval '3 days'
FROM mycelium.service_types st WHERE st.organization_id = :'org' AND st.slug = 'seo';

-- The agency tracks its time (off by default) and bills social media at 85.00
-- an hour.
UPDATE mycelium.organization_settings SET enable_time_tracking = true WHERE organization_id = :'org';
UPDATE mycelium.service_types SET default_rate = 85.00 WHERE organization_id = :'org' AND slug = 'social';

-- A change made by a signed-in user is logged as theirs, with what changed.
SELECT mycelium.set_context(:'org', '550e8400-e29b-41d4-a716-446655440003', 'VIDEO_EDITOR') \gset ignored_
UPDATE mycelium.deliverables SET status = 'COMPLETED', completed_at = now(),
                                 completed_by_id = '550e8400-e29b-41d4-a716-446655440003'
 WHERE organization_id = :'org' AND title LIKE '%Ort Farms – Week 3 reels';
-- Maya logs her time on this week's reels: the database derives the minutes
-- and the amount, and keeps each deliverable's actual_hours.
INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, description, start_time, end_time)
SELECT :'org', '550e8400-e29b-41d4-a716-446655440003', d.id, 'Editing',
       now() - interval '3 hours', now() - interval '1 hour 30 minutes'
FROM mycelium.deliverables d WHERE d.organization_id = :'org' AND d.title LIKE '%Week 3 reels';
COMMIT;

-- The main job: next month's recurring deliverables for every client, exactly
-- once. Caleb (an ADMIN) runs it twice; the second run creates nothing.
BEGIN;
SELECT mycelium.set_context(:'org', '550e8400-e29b-41d4-a716-446655440002', 'ADMIN') \gset ignored_
SELECT date_trunc('month', now() + interval '1 month')::date AS next_month \gset
\echo
\echo '== Recurring generation for' :next_month '(mycelium.generate_recurring_deliverables)'
SELECT d.title, c.name AS client, u.name AS assignee, d.due_date AT TIME ZONE 'America/Chicago' AS due_local
FROM mycelium.generate_recurring_deliverables(period => :'next_month') d
JOIN mycelium.clients c ON c.organization_id = d.organization_id AND c.id = d.client_id
LEFT JOIN mycelium.users u ON u.organization_id = d.organization_id AND u.id = d.assigned_user_id
ORDER BY c.name;
SELECT count(*) AS created_by_a_second_run FROM mycelium.generate_recurring_deliverables(period => :'next_month');
COMMIT;

-- What follows is read as Caleb, an ADMIN of the agency: row-level security
-- shows the agency's rows only, whatever other organizations the database has.
BEGIN;
SELECT mycelium.set_context(:'org', '550e8400-e29b-41d4-a716-446655440002', 'ADMIN') \gset ignored_
\echo
\echo '== The demo agency''s clients (slugs made by mycelium.slugify)'
SELECT name, slug, status, contact_person FROM mycelium.clients ORDER BY name;

\echo '== Its service types'
SELECT name, slug, workflow_type, default_duration,
       (SELECT string_agg(f.slug || ':' || f.type, ', ' ORDER BY f.sort_order)
          FROM mycelium.deliverable_fields f
         WHERE f.organization_id = st.organization_id AND f.service_type_id = st.id) AS fields
FROM mycelium.service_types st ORDER BY sort_order;

\echo '== Dashboard: mycelium.user_dashboard_data'
SELECT user_name, role, pending_tasks, active_tasks, overdue_tasks, due_today, due_this_week
FROM mycelium.user_dashboard_data ORDER BY user_name;

\echo '== mycelium.client_overview'
SELECT name, service_types, total_deliverables, completed_deliverables, overdue_deliverables,
       next_deadline IS NOT NULL AS has_next_deadline
FROM mycelium.client_overview ORDER BY name;

\echo '== mycelium.organization_analytics'
SELECT organization_name, active_users, active_clients, total_deliverables, completed_deliverables,
       overdue_deliverables, completion_rate, service_types_count
FROM mycelium.organization_analytics;

\echo '== Time tracking: hours and billable amounts (mycelium.time_entries, deliverables.actual_hours)'
SELECT d.title, d.actual_hours, sum(e.duration) AS minutes, sum(e.billable_amount) AS billable
FROM mycelium.deliverables d
JOIN mycelium.time_entries e ON e.organization_id = d.organization_id AND e.deliverable_id = d.id
GROUP BY d.id, d.title, d.actual_hours ORDER BY d.title;

\echo '== mycelium.recent_activity (the last change, by whom, and what changed)'
SELECT r.action, r.resource_type, r.resource_name, r.user_name, l.changed_fields
FROM mycelium.recent_activity r JOIN mycelium.activity_logs l ON l.id = r.id
WHERE r.action <> 'created' ORDER BY r."timestamp" DESC LIMIT 3;

\echo '== Notifications waiting for delivery (made by the database itself), by type and channel'
SELECT n.type, r.channel, count(*) AS recipients, min(n.scheduled_for) AS first_delivery
FROM mycelium.notifications n
JOIN mycelium.notification_recipients r ON r.organization_id = n.organization_id AND r.notification_id = n.id
WHERE n.status = 'PENDING'
GROUP BY n.type, r.channel ORDER BY n.type, r.channel;

\echo '== Productivity over the last 30 days (mycelium.productivity_scores)'
SELECT u.name, p.total_assigned, p.total_completed, p.completion_rate, p.overdue_count, p.productivity_score
FROM mycelium.productivity_scores() p
JOIN mycelium.users u ON u.id = p.user_id
ORDER BY u.name;

COMMIT;

\echo '== Signing in (CALL mycelium.sign_in, outside a transaction): a token for mycelium.authenticate'
-- The database's token key, if it has one, is kept: tokens it signed stay valid.
SELECT NOT EXISTS (SELECT FROM mycelium_internal.auth_keys WHERE purpose = 'jwt') AS demo_sets_key \gset
\if :demo_sets_key
SELECT mycelium.set_jwt_secret('demo-token-key-of-at-least-thirty-two-bytes') \gset ignored_
\endif
SELECT mycelium.set_password('550e8400-e29b-41d4-a716-446655440002', 'caleb''s demo password',
                             must_change => false) \gset ignored_
CALL mycelium.sign_in(:'org', 'caleb@isemediaagency.com', 'caleb''s demo password') \gset signed_
SELECT :'signed_role' AS role, :'signed_expires_at'::timestamptz > now() AS token_valid,
       length(:'signed_token') > 100 AS token_made;

