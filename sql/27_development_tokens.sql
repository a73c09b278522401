-- Development tokens: development_token issues a token for a seeded account only
-- while the server setting mycelium.development_tokens is on, which only the
-- server's configuration can set (not a database, a role or a session).
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
DROP ROLE IF EXISTS regress_devtoken_app;
RESET client_min_messages;
\set SHOW_CONTEXT never

INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a');
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'old@a.example', 'Old', 'VIDEO_EDITOR', 'INACTIVE');
INSERT INTO mycelium.clients (id, organization_id, name) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Bakery');
INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name, role) VALUES
    ('0000000a-0000-7000-8000-0000000000f1', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c1', 'pat@bakery.example', 'Pat', 'PRIMARY');
SELECT mycelium.set_jwt_secret('mycelium-regression-secret-of-32-bytes+');
CREATE ROLE regress_devtoken_app;
SELECT mycelium.grant_access('regress_devtoken_app', 'app');

-- Off (the default): refused, whoever asks.
SHOW mycelium.development_tokens;
SET ROLE regress_devtoken_app;
SELECT regress.try($$SELECT mycelium.development_token('0000000a-0000-7000-8000-000000000000', 'ann@a.example')$$)
    AS while_off;
-- Neither a session nor a database can turn it on.
SELECT regress.try($$SET mycelium.development_tokens = on$$) AS session_sets_it;
RESET ROLE;
SELECT regress.try($$ALTER DATABASE contrib_regression SET mycelium.development_tokens = on$$) AS database_sets_it;

-- On, in the server's configuration.
ALTER SYSTEM SET mycelium.development_tokens = on;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SHOW mycelium.development_tokens;
SET ROLE regress_devtoken_app;
SELECT user_id, role, expires_at > now() AS unexpired, length(token) > 100 AS has_token
FROM mycelium.development_token('0000000a-0000-7000-8000-000000000000', 'ANN@a.example');
-- The token is an ordinary one: authenticate accepts it.
SELECT token AS ann_token FROM mycelium.development_token('0000000a-0000-7000-8000-000000000000', 'ann@a.example') \gset
BEGIN;
SELECT user_id, role FROM mycelium.authenticate(:'ann_token');
COMMIT;
-- A portal user's, with its client.
SELECT token AS pat_token FROM mycelium.development_token('0000000a-0000-7000-8000-000000000000',
                                                           'pat@bakery.example', portal => true) \gset
BEGIN;
SELECT user_id, role, client_id FROM mycelium.authenticate(:'pat_token');
COMMIT;
-- Only active accounts, and bad input.
SELECT regress.try($$SELECT mycelium.development_token('0000000a-0000-7000-8000-000000000000', 'old@a.example')$$)
    AS inactive;
SELECT regress.try($$SELECT mycelium.development_token('0000000a-0000-7000-8000-000000000000', 'nobody@a.example')$$)
    AS unknown;
SELECT regress.try($$SELECT mycelium.development_token(NULL, 'ann@a.example')$$) AS null_organization;
RESET ROLE;
-- Each token issued is in the activity log.
SELECT action, resource_type, resource_name FROM mycelium.activity_logs WHERE action = 'development_token'
ORDER BY id;

ALTER SYSTEM RESET mycelium.development_tokens;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SHOW mycelium.development_tokens;
DROP OWNED BY regress_devtoken_app;
DROP ROLE regress_devtoken_app;
