-- The four views: correct where the document's were not, and security_invoker.

-- Each file starts from an empty schema.
SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
RESET client_min_messages;

INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.organization_settings (organization_id, timezone) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Pacific/Kiritimati'),
    ('0000000b-0000-7000-8000-000000000000', 'Pacific/Pago_Pago');
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.test', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'eve@a.test', 'Eve', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-000000000000', 'old@a.test', 'Old', 'FILMER', 'INACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bob@b.test', 'Bob', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.clients (id, organization_id, name, slug, status) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Acme', 'acme', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000c2', '0000000a-0000-7000-8000-000000000000', 'Globex', 'globex', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000c3', '0000000a-0000-7000-8000-000000000000', 'Initech', 'initech', 'PAUSED'),
    ('0000000b-0000-7000-8000-0000000000c1', '0000000b-0000-7000-8000-000000000000', 'Umbrella', 'umbrella', 'ACTIVE');
INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type) VALUES
    ('0000000a-0000-7000-8000-0000000000e1', '0000000a-0000-7000-8000-000000000000', 'Social Media', 'social', 'RECURRING'),
    ('0000000a-0000-7000-8000-0000000000e2', '0000000a-0000-7000-8000-000000000000', 'SEO', 'seo', 'PROJECT'),
    ('0000000b-0000-7000-8000-0000000000e1', '0000000b-0000-7000-8000-000000000000', 'Social Media', 'social', 'RECURRING');
INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id, role, is_active) VALUES
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-0000000000e1', 'PRIMARY', true),
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-0000000000e1', 'SECONDARY', true),
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-0000000000e2', 'PRIMARY', true),
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2', '0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-0000000000e2', 'PRIMARY', false);
INSERT INTO mycelium.projects (organization_id, client_id, name) VALUES
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', 'Rebrand'),
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2', 'Launch');
-- Eve's plate, due relative to now: the organization's "today" is its own
-- calendar day, whatever the session's time zone.
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, status, assigned_user_id,
                                   created_by_id, due_date)
SELECT '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-0000000000e1',
       v.title, v.status::mycelium.deliverable_status, '0000000a-0000-7000-8000-0000000000a2',
       '0000000a-0000-7000-8000-0000000000a1', now() + v.due
FROM (VALUES ('late', 'OVERDUE', interval '-3 days'),
             ('today, open', 'IN_PROGRESS', interval '0'),
             ('today, done', 'COMPLETED', interval '0'),
             ('in 3 days', 'PENDING', interval '3 days'),
             ('in 3 days, cancelled', 'CANCELLED', interval '3 days'),
             ('in 30 days', 'PENDING', interval '30 days'),
             ('past, done', 'COMPLETED', interval '-40 days')) AS v(title, status, due);
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id, due_date)
VALUES ('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000c1',
        '0000000b-0000-7000-8000-0000000000e1', 'B work', '0000000b-0000-7000-8000-0000000000b1', now() + interval '1 day');

-- user_dashboard_data: active users only; "due today" and "this week" count open
-- work only (the document counted the completed "today, done" too).
SET TIME ZONE 'Pacific/Pago_Pago';  -- 25 hours behind Kiritimati: a different calendar day
SELECT user_name, role, pending_tasks, active_tasks, overdue_tasks, due_today, due_this_week
FROM mycelium.user_dashboard_data ORDER BY organization_id, user_name;
RESET TIME ZONE;

-- client_overview: next_deadline is the earliest open due date still ahead (the
-- document took the latest due date ever: for Acme, the one in 30 days); services
-- are the client's active assignments, each named once.
SELECT name, service_types, total_deliverables, completed_deliverables, overdue_deliverables,
       round(extract(epoch FROM next_deadline - now()) / 86400) AS next_deadline_in_days
FROM mycelium.client_overview ORDER BY organization_id, name;

-- organization_analytics: each count from its own table. Joined all at once as in
-- the document, A's 2 active users x 2 active clients x 7 deliverables x 2
-- projects x 2 service types would be 112 rows to de-duplicate per organization.
SELECT organization_name, active_users, active_clients, total_deliverables, completed_deliverables,
       overdue_deliverables, completion_rate, total_projects, service_types_count
FROM mycelium.organization_analytics ORDER BY organization_name;
-- An organization with nothing yet has zeros and no rate, not an error.
INSERT INTO mycelium.organizations (name, slug) VALUES ('Empty', 'empty');
SELECT organization_name, active_users, total_deliverables, completion_rate
FROM mycelium.organization_analytics WHERE organization_name = 'Empty';
-- The same numbers as counting each table directly.
SELECT bool_and(a.total_deliverables = (SELECT count(*) FROM mycelium.deliverables d WHERE d.organization_id = a.organization_id)
            AND a.active_users = (SELECT count(*) FROM mycelium.users u WHERE u.organization_id = a.organization_id AND u.status = 'ACTIVE')
            AND a.total_projects = (SELECT count(*) FROM mycelium.projects p WHERE p.organization_id = a.organization_id))
       AS matches_direct_counts
FROM mycelium.organization_analytics a;

-- recent_activity: newest first, with the resource's current name, or the name
-- it was logged under once it is gone.
UPDATE mycelium.clients SET name = 'Acme Corp' WHERE slug = 'acme';
DELETE FROM mycelium.projects WHERE name = 'Launch';
SELECT action, resource_type, resource_name FROM mycelium.recent_activity
WHERE resource_type IN ('client', 'project') AND organization_id = '0000000a-0000-7000-8000-000000000000'
ORDER BY resource_type, action, resource_name;

-- security_invoker: a role granted only the view cannot read through it, because
-- the view reads the tables with the caller's rights (the document's views ran
-- with their owner's, bypassing row-level security).
CREATE ROLE regress_mycelium_viewer;
GRANT USAGE ON SCHEMA mycelium TO regress_mycelium_viewer;
GRANT SELECT ON mycelium.user_dashboard_data, mycelium.client_overview, mycelium.organization_analytics,
    mycelium.recent_activity TO regress_mycelium_viewer;
SET ROLE regress_mycelium_viewer;
SELECT count(*) FROM mycelium.user_dashboard_data;
SELECT count(*) FROM mycelium.client_overview;
SELECT count(*) FROM mycelium.organization_analytics;
SELECT count(*) FROM mycelium.recent_activity;
RESET ROLE;
REVOKE ALL ON SCHEMA mycelium FROM regress_mycelium_viewer;
REVOKE ALL ON ALL TABLES IN SCHEMA mycelium FROM regress_mycelium_viewer;
DROP ROLE regress_mycelium_viewer;
