-- Defaults from the tenant context: under a context an insert may leave out
-- organization_id on every tenant table, and the acting person in the columns
-- that name them (deliverables.created_by_id, comments.user_id or
-- client_user_id, time_entries.user_id). Without a context the default is NULL
-- and the insert fails as before; another organization given explicitly is
-- still refused by row-level security.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
DROP ROLE IF EXISTS regress_defaults_app;
RESET client_min_messages;

INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.organization_settings (organization_id, enable_time_tracking) VALUES
    ('0000000a-0000-7000-8000-000000000000', true);
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'Ann', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type) VALUES
    ('0000000a-0000-7000-8000-0000000000e1', '0000000a-0000-7000-8000-000000000000', 'Social', 'social', 'RECURRING');
INSERT INTO mycelium.clients (id, organization_id, name) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Bakery');
INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name, role) VALUES
    ('0000000a-0000-7000-8000-0000000000f1', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c1', 'pat@bakery.example', 'Pat', 'PRIMARY');
CREATE ROLE regress_defaults_app;
SELECT mycelium.grant_access('regress_defaults_app', 'app');
SET ROLE regress_defaults_app;

-- As Ann (ADMIN): a client, a deliverable, a comment and a time entry, each
-- without organization_id or who wrote it.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
INSERT INTO mycelium.clients (name) VALUES ('Florist') RETURNING organization_id, name, slug;
INSERT INTO mycelium.deliverables (id, client_id, service_type_id, title) VALUES
    ('0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-0000000000c1',
     '0000000a-0000-7000-8000-0000000000e1', 'Bakery reel')
RETURNING organization_id, created_by_id, title;
INSERT INTO mycelium.comments (deliverable_id, content) VALUES ('0000000a-0000-7000-8000-0000000000d1', 'First cut')
RETURNING organization_id, user_id, client_user_id, content;
INSERT INTO mycelium.time_entries (deliverable_id, start_time, end_time) VALUES
    ('0000000a-0000-7000-8000-0000000000d1', '2026-12-01 09:00+00', '2026-12-01 10:30+00')
RETURNING organization_id, user_id, duration;
-- An explicit value is taken as given, and checked as any value is.
SELECT regress.try($$INSERT INTO mycelium.clients (organization_id, name)
                     VALUES ('0000000b-0000-7000-8000-000000000000', 'Smuggled')$$) AS other_organization;
COMMIT;

-- As Pat, the bakery's portal user: the comment's author is Pat.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f1', 'CLIENT');
INSERT INTO mycelium.comments (deliverable_id, content) VALUES ('0000000a-0000-7000-8000-0000000000d1', 'Love it')
RETURNING organization_id, user_id, client_user_id, content;
COMMIT;

-- Without a context nothing is filled in: the insert fails as before.
SELECT regress.try($$INSERT INTO mycelium.clients (name) VALUES ('Nobody''s')$$) AS no_context;
RESET ROLE;

DROP OWNED BY regress_defaults_app;
DROP ROLE regress_defaults_app;
