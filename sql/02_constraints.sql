-- Keys and constraints: a row can never reference another organization's row,
-- SET NULL never nulls organization_id, and values with an obvious domain are
-- checked, each by a constraint whose name says what it checks.
\i sql/include/helpers.psql

-- Each file starts from an empty schema.
SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
RESET client_min_messages;

-- Runs a statement and reports its outcome: 'ok', or the SQLSTATE and message.
-- Two agencies, A (ids 0000000a-…) and B (0000000b-…).
INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
-- B tracks time (A too, from its settings below), so that time entries reach
-- the keys and checks.
INSERT INTO mycelium.organization_settings (organization_id, enable_time_tracking)
VALUES ('0000000b-0000-7000-8000-000000000000', true);
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.test', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'eve@a.test', 'Eve', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bob@b.test', 'Bob', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.clients (id, organization_id, name, slug) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Client A', 'client-a'),
    ('0000000b-0000-7000-8000-0000000000c1', '0000000b-0000-7000-8000-000000000000', 'Client B', 'client-b');
INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type) VALUES
    ('0000000a-0000-7000-8000-0000000000e1', '0000000a-0000-7000-8000-000000000000', 'Social', 'social', 'RECURRING'),
    ('0000000b-0000-7000-8000-0000000000e1', '0000000b-0000-7000-8000-000000000000', 'Social', 'social', 'RECURRING');
INSERT INTO mycelium.projects (id, organization_id, client_id, name) VALUES
    ('0000000a-0000-7000-8000-0000000000f1', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', 'Launch');
INSERT INTO mycelium.deliverables (id, organization_id, client_id, project_id, service_type_id, title,
                                   assigned_user_id, created_by_id) VALUES
    ('0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     '0000000a-0000-7000-8000-0000000000f1', '0000000a-0000-7000-8000-0000000000e1', 'Reel', '0000000a-0000-7000-8000-0000000000a2',
     '0000000a-0000-7000-8000-0000000000a1'),
    ('0000000b-0000-7000-8000-0000000000d1', '0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000c1',
     NULL, '0000000b-0000-7000-8000-0000000000e1', 'Post', NULL, '0000000b-0000-7000-8000-0000000000b1');

-- ------ A row of A cannot point at a row of B, whatever the application does ------
-- The ids are real and exist, only in the other organization.
SELECT regress.try($$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000c1',
            '0000000a-0000-7000-8000-0000000000e1', 'Steal', '0000000a-0000-7000-8000-0000000000a1')$$) AS other_client;
SELECT regress.try($$UPDATE mycelium.deliverables SET assigned_user_id = '0000000b-0000-7000-8000-0000000000b1'
    WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$) AS other_user_as_assignee;
SELECT regress.try($$UPDATE mycelium.deliverables SET parent_id = '0000000b-0000-7000-8000-0000000000d1'
    WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$) AS other_parent;
SELECT regress.try($$INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000d1',
            '0000000a-0000-7000-8000-0000000000a1', 'Peek')$$) AS comment_on_other_deliverable;
SELECT regress.try($$INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
            '0000000a-0000-7000-8000-0000000000a2', '0000000b-0000-7000-8000-0000000000e1')$$) AS other_service_type;
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time)
    VALUES ('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1',
            '0000000a-0000-7000-8000-0000000000d1', now())$$) AS time_on_other_deliverable;
-- Moving a row to the other organization drags its references along, and fails.
SELECT regress.try($$UPDATE mycelium.deliverables SET organization_id = '0000000b-0000-7000-8000-000000000000'
    WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$) AS move_to_other_org;

-- ------ ON DELETE SET NULL nulls only the reference, never organization_id ------
DELETE FROM mycelium.projects WHERE id = '0000000a-0000-7000-8000-0000000000f1';
DELETE FROM mycelium.users WHERE id = '0000000a-0000-7000-8000-0000000000a2';
SELECT organization_id, project_id, assigned_user_id FROM mycelium.deliverables
WHERE id = '0000000a-0000-7000-8000-0000000000d1';

-- ------ Uniqueness ------
-- Logins are unique across the system, whatever the case.
SELECT regress.try($$INSERT INTO mycelium.users (organization_id, email, name, role)
    VALUES ('0000000b-0000-7000-8000-000000000000', 'ANN@A.test', 'Ann again', 'ADMIN')$$) AS same_login_other_org;
SELECT regress.try($$INSERT INTO mycelium.client_users (organization_id, client_id, email, name)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', 'Pat@Client.test', 'Pat')$$) AS portal_user;
SELECT regress.try($$INSERT INTO mycelium.client_users (organization_id, client_id, email, name)
    VALUES ('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000c1', 'pat@client.test', 'Pat')$$) AS same_portal_login;
-- Slugs are unique per organization: B may use A's client slug, A may not twice.
SELECT regress.try($$INSERT INTO mycelium.clients (organization_id, name, slug)
    VALUES ('0000000b-0000-7000-8000-000000000000', 'Other', 'client-a')$$) AS same_slug_other_org;
SELECT regress.try($$INSERT INTO mycelium.clients (organization_id, name, slug)
    VALUES ('0000000a-0000-7000-8000-000000000000', 'Other', 'client-a')$$) AS same_slug_same_org;
-- One active PRIMARY assignee per client and service.
INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id, role)
VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
        '0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-0000000000e1', 'PRIMARY');
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-000000000000', 'kim@a.test', 'Kim', 'FILMER', 'ACTIVE');
SELECT regress.try($$INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id, role)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
            '0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-0000000000e1', 'PRIMARY')$$) AS second_primary;
SELECT regress.try($$INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id, role)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
            '0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-0000000000e1', 'SECONDARY')$$) AS secondary;

-- ------ Domains ------
INSERT INTO mycelium.organization_branding (organization_id) VALUES ('0000000a-0000-7000-8000-000000000000');
INSERT INTO mycelium.organization_settings (organization_id, enable_time_tracking) VALUES ('0000000a-0000-7000-8000-000000000000', true);
SELECT primary_color, s.timezone, s.week_starts_on, s.notification_frequency
FROM mycelium.organization_branding b JOIN mycelium.organization_settings s USING (organization_id);
SELECT t.description, regress.try(t.statement) AS outcome
FROM (VALUES
    ('color not #RRGGBB', $$UPDATE mycelium.organization_branding SET primary_color = '#12345G'$$),
    ('color by name', $$UPDATE mycelium.organization_branding SET secondary_color = 'green'$$),
    ('color ok', $$UPDATE mycelium.organization_branding SET primary_color = '#00aa00', secondary_color = '#FFFFFF'$$),
    ('week starts on 7', $$UPDATE mycelium.organization_settings SET week_starts_on = 7$$),
    ('week starts on -1', $$UPDATE mycelium.organization_settings SET week_starts_on = -1$$),
    ('unknown time zone', $$UPDATE mycelium.organization_settings SET timezone = 'Mars/Olympus_Mons'$$),
    ('POSIX offset as time zone', $$UPDATE mycelium.organization_settings SET timezone = 'UTC+3'$$),
    ('empty time zone', $$UPDATE mycelium.organization_settings SET timezone = ''$$),
    ('abbreviation as time zone', $$UPDATE mycelium.organization_settings SET timezone = 'CET'$$),
    ('leap-second zone', $$UPDATE mycelium.organization_settings SET timezone = 'right/Europe/Berlin'$$),
    ('time zone UTC', $$UPDATE mycelium.organization_settings SET timezone = 'utc'$$),
    ('time zone ok', $$UPDATE mycelium.organization_settings SET timezone = 'Europe/Berlin'$$),
    ('unknown frequency', $$UPDATE mycelium.organization_settings SET notification_frequency = 'hourly'$$),
    ('zero duration', $$UPDATE mycelium.organization_settings SET default_deliverable_duration = 0$$),
    ('zero session timeout', $$UPDATE mycelium.organization_settings SET session_timeout_hours = 0$$),
    ('service duration 0', $$UPDATE mycelium.service_types SET default_duration = 0$$),
    ('negative rate', $$UPDATE mycelium.service_types SET default_rate = -1$$),
    ('billing cycle', $$UPDATE mycelium.service_types SET billing_cycle = 'daily'$$),
    ('field min > max length', $$INSERT INTO mycelium.deliverable_fields (organization_id, service_type_id, name, slug, type, min_length, max_length)
        VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'X', 'x', 'TEXT', 5, 2)$$),
    ('field min > max value', $$INSERT INTO mycelium.deliverable_fields (organization_id, service_type_id, name, slug, type, min_value, max_value)
        VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'X', 'x', 'NUMBER', 5, 2)$$),
    ('field options not a list', $$INSERT INTO mycelium.deliverable_fields (organization_id, service_type_id, name, slug, type, options)
        VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'X', 'x', 'SELECT', '{"a": 1}')$$),
    ('field slug not snake_case', $$INSERT INTO mycelium.deliverable_fields (organization_id, service_type_id, name, slug, type)
        VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'X', 'Due Date', 'DATE')$$),
    ('project ends before start', $$INSERT INTO mycelium.projects (organization_id, client_id, name, start_date, end_date)
        VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', 'P', '2026-02-01', '2026-01-01')$$),
    ('project currency', $$INSERT INTO mycelium.projects (organization_id, client_id, name, currency)
        VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', 'P', 'dollars')$$),
    ('negative budget', $$INSERT INTO mycelium.projects (organization_id, client_id, name, budget_amount)
        VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', 'P', -5)$$),
    ('negative hours', $$UPDATE mycelium.deliverables SET actual_hours = -1$$),
    ('due before start', $$UPDATE mycelium.deliverables SET start_date = '2026-02-01', due_date = '2026-01-01'$$),
    ('own parent', $$UPDATE mycelium.deliverables SET parent_id = id$$),
    ('custom fields not an object', $$UPDATE mycelium.deliverables SET custom_fields = '[1, 2]'$$),
    ('blank title', $$UPDATE mycelium.deliverables SET title = '   '$$),
    ('time entry ends before start', $$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time, end_time)
        VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-0000000000d1',
                '2026-01-01 10:00', '2026-01-01 09:00')$$),
    ('negative duration', $$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time, duration)
        VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-0000000000d1', now(), -30)$$),
    ('negative billable amount', $$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time, billable_amount)
        VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-0000000000d1', now(), -1)$$),
    ('unknown channel', $$INSERT INTO mycelium.notifications (organization_id, type, title, message, channels)
        VALUES ('0000000a-0000-7000-8000-000000000000', 'SYSTEM_MAINTENANCE', 'T', 'M', '{email,fax}')$$),
    ('login e-mail without @', $$UPDATE mycelium.users SET email = 'ann' WHERE name = 'Ann'$$),
    ('negative login attempts', $$UPDATE mycelium.users SET login_attempts = -1$$),
    ('subscription period reversed', $$INSERT INTO mycelium.subscriptions (organization_id, plan_name, plan_price, current_period_start, current_period_end)
        VALUES ('0000000a-0000-7000-8000-000000000000', 'Pro', 49, '2026-02-01', '2026-01-01')$$),
    ('negative plan price', $$INSERT INTO mycelium.subscriptions (organization_id, plan_name, plan_price, current_period_start, current_period_end)
        VALUES ('0000000a-0000-7000-8000-000000000000', 'Pro', -49, '2026-01-01', '2026-02-01')$$),
    ('integration config not an object', $$INSERT INTO mycelium.integrations (organization_id, type, name, config)
        VALUES ('0000000a-0000-7000-8000-000000000000', 'SLACK', 'Slack', '"token"')$$),
    ('second integration of a type', $$INSERT INTO mycelium.integrations (organization_id, type, name, config)
        VALUES ('0000000a-0000-7000-8000-000000000000', 'SLACK', 'Slack', '{}'), ('0000000a-0000-7000-8000-000000000000', 'SLACK', 'Slack 2', '{}')$$)
) AS t(description, statement);
