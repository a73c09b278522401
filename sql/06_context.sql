-- The tenant context: read functions, set_context, authenticate, the sealed
-- setting, signed-only mode, and bad input of every kind.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
CREATE EXTENSION IF NOT EXISTS pgcrypto;  -- to sign test tokens
RESET client_min_messages;

CREATE FUNCTION pg_temp.b64url(b bytea) RETURNS text LANGUAGE sql AS $$
    SELECT translate(encode(b, 'base64'), E'+/=\n', '-_')
$$;
-- An HS256 token over any header and payload, signed with any secret.
CREATE FUNCTION pg_temp.jwt(payload jsonb, secret text DEFAULT 'mycelium-regression-secret-of-32-bytes+',
                            header jsonb DEFAULT '{"alg": "HS256", "typ": "JWT"}') RETURNS text
LANGUAGE sql AS $$
    SELECT h || '.' || p || '.' || pg_temp.b64url(hmac(h || '.' || p, secret, 'sha256'))
    FROM (SELECT pg_temp.b64url(convert_to(header::text, 'UTF8')) AS h,
                 pg_temp.b64url(convert_to(payload::text, 'UTF8')) AS p) s
$$;
CREATE FUNCTION pg_temp.claims(org text, sub text, role text, expires_in interval DEFAULT '1 hour') RETURNS jsonb
LANGUAGE sql AS $$
    SELECT jsonb_build_object('organization_id', org, 'sub', sub, 'app_role', role,
                              'exp', extract(epoch FROM now() + expires_in)::bigint)
$$;
CREATE FUNCTION pg_temp.context() RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws(' | ', mycelium.current_organization_id(), mycelium.current_app_user_id(),
                     mycelium.current_app_role(), mycelium.current_client_id(),
                     mycelium.current_service_access()::text)
$$;

INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.test', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'cus@a.test', 'Cus', 'CUSTOM', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-000000000000', 'old@a.test', 'Old', 'FILMER', 'INACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bob@b.test', 'Bob', 'ADMIN', 'ACTIVE');
-- A CUSTOM user's services are its row's (an ADMIN writes them).
UPDATE mycelium.users SET permissions = '{"services": ["social", "seo"]}' WHERE email = 'cus@a.test';
INSERT INTO mycelium.clients (id, organization_id, name, slug) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Acme', 'acme'),
    ('0000000a-0000-7000-8000-0000000000c2', '0000000a-0000-7000-8000-000000000000', 'Globex', 'globex');
INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name, is_active) VALUES
    ('0000000a-0000-7000-8000-0000000000f1', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', 'pat@acme.test', 'Pat', true),
    ('0000000a-0000-7000-8000-0000000000f2', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', 'gone@acme.test', 'Gone', false);

-- ------ No context ------
SELECT pg_temp.context() AS no_context, mycelium.current_service_access() AS no_services;

-- ------ request.jwt.claims (PostgREST / Supabase) ------
BEGIN;
SELECT set_config('request.jwt.claims', '{"organization_id": "0000000A-0000-7000-8000-000000000000",
    "sub": "0000000a-0000-7000-8000-0000000000a2", "app_role": "CUSTOM",
    "service_access": ["social", "seo", "social"], "role": "authenticated"}', true) IS NOT NULL AS set;
SELECT pg_temp.context() AS from_claims;
COMMIT;
SELECT current_setting('request.jwt.claims') AS after_commit, pg_temp.context() AS context_after_commit;
-- Malformed, incomplete or hostile claims are no context, never an error.
SELECT t.description, pg_temp.context() = '{}' AS no_context
FROM (VALUES ('valid (the control: false)', '{"organization_id": "0000000a-0000-7000-8000-000000000000", "sub": "0000000a-0000-7000-8000-0000000000a1", "app_role": "ADMIN"}'),
             ('not json', '{"organization_id": '),
             ('array', '[1, 2]'),
             ('no organization', '{"sub": "0000000a-0000-7000-8000-0000000000a1", "app_role": "ADMIN"}'),
             ('no role', '{"organization_id": "0000000a-0000-7000-8000-000000000000", "sub": "0000000a-0000-7000-8000-0000000000a1"}'),
             ('role in "role"', '{"organization_id": "0000000a-0000-7000-8000-000000000000", "sub": "0000000a-0000-7000-8000-0000000000a1", "role": "ADMIN"}'),
             ('unknown role', '{"organization_id": "0000000a-0000-7000-8000-000000000000", "sub": "0000000a-0000-7000-8000-0000000000a1", "app_role": "ROOT"}'),
             ('lower-case role', '{"organization_id": "0000000a-0000-7000-8000-000000000000", "sub": "0000000a-0000-7000-8000-0000000000a1", "app_role": "admin"}'),
             ('id not a uuid', '{"organization_id": "1 OR 1=1", "sub": "0000000a-0000-7000-8000-0000000000a1", "app_role": "ADMIN"}'),
             ('number id', '{"organization_id": 42, "sub": "0000000a-0000-7000-8000-0000000000a1", "app_role": "ADMIN"}'),
             ('CLIENT, not as portal role', '{"organization_id": "0000000a-0000-7000-8000-000000000000", "sub": "0000000a-0000-7000-8000-0000000000f1", "app_role": "CLIENT"}'),
             ('duplicate key', '{"organization_id": "0000000a-0000-7000-8000-000000000000", "organization_id": "0000000b-0000-7000-8000-000000000000", "sub": "0000000a-0000-7000-8000-0000000000a1", "app_role": "ADMIN"}'),
             ('deep nesting', repeat('[', 10000)),
             ('huge', '{"x": "' || repeat('a', 1000000) || '"}')) AS t(description, claims)
CROSS JOIN LATERAL (SELECT set_config('request.jwt.claims', t.claims, true)) s
ORDER BY t.description;
RESET request.jwt.claims;

-- ------ set_context ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT pg_temp.context() AS admin_context;
-- A CLIENT's client comes from its client_users row.
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f1', 'CLIENT');
SELECT pg_temp.context() AS portal_context;
-- A CUSTOM role's services are its row's, sorted; a caller may name them (in
-- any order, repeated), but not others; other roles have none.
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'CUSTOM',
                            service_access => '{seo,social,seo}');
SELECT pg_temp.context() AS custom_context;
SELECT current_setting('mycelium.context') AS sealed \gset
COMMIT;
-- The seal ends with its transaction: replayed in the next one, it grants nothing.
BEGIN;
SET LOCAL mycelium.context = :'sealed';
SELECT pg_temp.context() = '{}' AS replay_refused;
COMMIT;
-- Tampered, or written by hand: nothing.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'CUSTOM');
SELECT set_config('mycelium.context', replace(current_setting('mycelium.context'), '.CUSTOM.', '.ADMIN.'), true) IS NOT NULL AS tampered;
SELECT pg_temp.context() = '{}' AS tamper_refused;
SET LOCAL mycelium.context = 'v1.0000000a000070008000000000000000.0000000a000070008000000000000a1.ADMIN....1.1.9999999999.AAAA';
SELECT pg_temp.context() = '{}' AS forgery_refused;
SELECT set_config('mycelium.context', repeat('v1.', 100000), true) IS NOT NULL AS huge;
SELECT pg_temp.context() = '{}' AS huge_refused;
COMMIT;
-- What set_context refuses.
SELECT t.description, regress.try(t.statement) AS outcome
FROM (VALUES
    ('user of another organization', $$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1', 'ADMIN')$$),
    ('inactive user', $$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a3', 'FILMER')$$),
    ('role the user does not have', $$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'ADMIN')$$),
    ('unknown user', $$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000ff', 'ADMIN')$$),
    ('portal user of another client', $$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f1', 'CLIENT', '0000000a-0000-7000-8000-0000000000c2')$$),
    ('inactive portal user', $$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f2', 'CLIENT')$$),
    ('staff user as CLIENT', $$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'CLIENT')$$),
    ('NULL organization', $$SELECT mycelium.set_context(NULL, '0000000a-0000-7000-8000-0000000000a1', 'ADMIN')$$),
    ('NULL role', $$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', NULL)$$),
    ('unknown role', $$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ROOT')$$),
    ('malformed service slug', $$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'CUSTOM', NULL, '{"Bad Slug"}')$$),
    ('NULL service slug', $$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'CUSTOM', NULL, '{NULL}')$$)
) AS t(description, statement);

-- ------ authenticate ------
SELECT regress.try($$SELECT mycelium.authenticate(pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000',
    '0000000a-0000-7000-8000-0000000000a1', 'ADMIN')))$$) AS before_any_key;
SELECT regress.try($$SELECT mycelium.set_jwt_secret('too short')$$) AS short_secret;
SELECT mycelium.set_jwt_secret('mycelium-regression-secret-of-32-bytes+');
BEGIN;
-- authenticate returns the context it set, and when the token expires.
SELECT organization_id, user_id, role, client_id, expires_at > now() AS unexpired, must_change_password
FROM mycelium.authenticate(pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000',
    '0000000a-0000-7000-8000-0000000000a1', 'ADMIN')));
SELECT pg_temp.context() AS from_token;
COMMIT;
SELECT pg_temp.context() = '{}' AS gone_after_commit;
SELECT t.description, regress.try('SELECT mycelium.authenticate(' || quote_nullable(t.token) || ')') AS outcome
FROM (VALUES
    ('wrong key', pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN'),
                              'another-secret-of-thirty-two-bytes-long')),
    ('expired', pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN', '-1 hour'))),
    ('not valid yet', pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN')
                                  || jsonb_build_object('nbf', extract(epoch FROM now() + interval '1 hour')::bigint))),
    ('no exp', pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN') - 'exp')),
    ('no organization', pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN') - 'organization_id')),
    ('alg none', pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN'),
                             header => '{"alg": "none"}')),
    ('alg HS512', pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN'),
                              header => '{"alg": "HS512"}')),
    ('organization tampered', (SELECT split_part(t, '.', 1) || '.'
                                      || pg_temp.b64url(convert_to(pg_temp.claims('0000000b-0000-7000-8000-000000000000',
                                             '0000000a-0000-7000-8000-0000000000a1', 'ADMIN')::text, 'UTF8'))
                                      || '.' || split_part(t, '.', 3)
                               FROM pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000',
                                        '0000000a-0000-7000-8000-0000000000a1', 'ADMIN')) AS t)),
    ('valid signature, user of another organization', pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000',
                                                          '0000000b-0000-7000-8000-0000000000b1', 'ADMIN'))),
    ('valid signature, wrong role', pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000',
                                                '0000000a-0000-7000-8000-0000000000a2', 'ADMIN'))),
    ('two parts', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0'),
    ('garbage', 'not a token at all'),
    ('huge', repeat('A', 1000000) || '.' || repeat('B', 1000000) || '.C'),
    ('empty', ''),
    ('NULL', NULL)
) AS t(description, token);
-- A failed authenticate leaves no context behind.
SELECT pg_temp.context() = '{}' AS no_context_after_failures;
-- The token key is kept per backend until auth_keys changes: a new key holds
-- at once, and a token of the old one is refused, in this session too.
SELECT mycelium.set_jwt_secret('another-secret-of-thirty-two-bytes-long');
SELECT t.description, regress.try('SELECT mycelium.authenticate(' || quote_nullable(t.token) || ')') AS outcome
FROM (VALUES
    ('old key, after the change', pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN'))),
    ('new key', pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN'),
                            'another-secret-of-thirty-two-bytes-long'))
) AS t(description, token);
SELECT mycelium.set_jwt_secret('mycelium-regression-secret-of-32-bytes+');
SELECT regress.try($$SELECT mycelium.authenticate(pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000',
    '0000000a-0000-7000-8000-0000000000a1', 'ADMIN'), 'another-secret-of-thirty-two-bytes-long'))$$) AS replaced_key_after_change_back;

-- ------ Signed contexts only ------
CREATE ROLE regress_mycelium_app;
SELECT mycelium.grant_access('regress_mycelium_app', 'app');
-- grant_access refuses what it cannot do safely.
SELECT t.description, regress.try(t.statement) AS outcome
FROM (VALUES ('NULL role', $$SELECT mycelium.grant_access(NULL, 'app')$$),
             ('NULL kind', $$SELECT mycelium.grant_access('regress_mycelium_app', NULL)$$),
             ('unknown kind', $$SELECT mycelium.grant_access('regress_mycelium_app', 'root')$$),
             ('a superuser as app', $$SELECT mycelium.grant_access(current_user::regrole, 'app')$$),
             ('no such role', $$SELECT mycelium.grant_access('regress_mycelium_nobody_here', 'app')$$)) AS t(description, statement);
-- A role that does not inherit would not use its group's privileges.
CREATE ROLE regress_mycelium_noinherit NOINHERIT;
SELECT regress.try($$SELECT mycelium.grant_access('regress_mycelium_noinherit', 'app')$$) AS noinherit;
DROP ROLE regress_mycelium_noinherit;
-- The privileges are the group role's: the role is a member and has what it has.
SELECT pg_has_role('regress_mycelium_app', 'mycelium_app', 'MEMBER') AS member,
       has_function_privilege('regress_mycelium_app', 'mycelium.set_context(uuid, uuid, text, uuid, text[])',
                              'EXECUTE') AS can_set_context,
       has_column_privilege('regress_mycelium_app', 'mycelium.notification_recipients', 'email_address',
                            'INSERT') AS can_write_an_address;
SET mycelium.require_signed_context = on;
BEGIN;
SELECT set_config('request.jwt.claims', '{"organization_id": "0000000a-0000-7000-8000-000000000000",
    "sub": "0000000a-0000-7000-8000-0000000000a1", "app_role": "ADMIN"}', true) IS NOT NULL AS set;
SELECT pg_temp.context() = '{}' AS claims_ignored;
SET LOCAL SESSION AUTHORIZATION regress_mycelium_app;
SELECT regress.try($$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000',
    '0000000a-0000-7000-8000-0000000000a1', 'ADMIN')$$) AS set_context_by_app;
SELECT role, expires_at > now() AS unexpired, must_change_password FROM mycelium.authenticate(pg_temp.jwt(pg_temp.claims('0000000a-0000-7000-8000-000000000000',
    '0000000a-0000-7000-8000-0000000000a1', 'ADMIN')));
SELECT mycelium.current_app_role() AS authenticated_role, count(*) AS visible_clients FROM mycelium.clients;
COMMIT;
-- Only a superuser may turn it off.
SET ROLE regress_mycelium_app;
SET mycelium.require_signed_context = off;
RESET ROLE;
RESET mycelium.require_signed_context;

-- ------ Policies evaluate the context once per scan ------
-- An ADMIN's context acts as mycelium_admin, whose policy is the organization's
-- test for that kind of context alone: the index condition, computed once, and
-- no filter per row (95_role_policies.sql).
SET ROLE regress_mycelium_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
EXPLAIN (COSTS OFF) SELECT status, count(*) FROM mycelium.deliverables GROUP BY status;
-- The organization for the context's kind only; NULL for the others, and for NULL.
SELECT mycelium.current_organization_id_for('admin') AS for_admin,
       mycelium.current_organization_id_for('staff') IS NULL AS not_for_staff,
       mycelium.current_organization_id_for('portal') IS NULL AS not_for_portal,
       mycelium.current_organization_id_for(NULL) IS NULL AS not_for_null;
SELECT t.description, regress.try(t.statement) AS outcome
FROM (VALUES
    ('empty kind', $$SELECT mycelium.current_organization_id_for('')$$),
    ('a role, not a kind', $$SELECT mycelium.current_organization_id_for('ADMIN')$$),
    ('huge kind', $$SELECT mycelium.current_organization_id_for(repeat('admin', 200000))$$),
    ('not UTF-8 clean', $$SELECT mycelium.current_organization_id_for(E'adm\u00efn')$$)
) AS t(description, statement);
COMMIT;
RESET ROLE;
-- The specializations are stored folded (fold_policy): the arms their kind
-- answered are gone, as the planner would have dropped them on every plan.
SELECT p.polname, pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expr
FROM pg_catalog.pg_policy p
WHERE p.polrelid = 'mycelium.deliverables'::regclass AND p.polname ~ '^deliverables_(select|delete)_'
ORDER BY p.polname;
-- fold_policy is the owner's: an application role may not call it.
SET ROLE regress_mycelium_app;
SELECT regress.try($$SELECT mycelium_internal.fold_policy('true', 'mycelium.deliverables')$$) AS app_calls_fold;
RESET ROLE;
-- What it folds, and what it refuses: one boolean expression over the one
-- relation, nothing that closes the parenthesis and goes on.
SELECT pg_catalog.pg_get_expr(mycelium_internal.fold_policy(
           '(organization_id IS NOT NULL) AND (false OR (true AND (client_id IS NULL)))', 'mycelium.deliverables'),
           'mycelium.deliverables'::regclass) AS folded,
       pg_catalog.pg_get_expr(mycelium_internal.fold_policy('false AND (SELECT true)', 'mycelium.deliverables'),
           'mycelium.deliverables'::regclass) AS all_folded,
       mycelium_internal.fold_policy(NULL, 'mycelium.deliverables') IS NULL AS null_is_null;
SELECT t.description, regress.try(t.statement) AS outcome
FROM (VALUES
    ('no relation', $$SELECT mycelium_internal.fold_policy('true', NULL)$$),
    ('unknown relation', $$SELECT mycelium_internal.fold_policy('true', 0)$$),
    ('not boolean', $$SELECT mycelium_internal.fold_policy('title', 'mycelium.deliverables')$$),
    ('empty', $$SELECT mycelium_internal.fold_policy('', 'mycelium.deliverables')$$),
    ('a second statement', $$SELECT mycelium_internal.fold_policy('true) FROM mycelium.deliverables; SELECT (true', 'mycelium.deliverables')$$),
    ('a second column', $$SELECT mycelium_internal.fold_policy('true), (SELECT 1 FROM mycelium.clients', 'mycelium.deliverables')$$),
    ('an aggregate', $$SELECT mycelium_internal.fold_policy('count(*) > 0', 'mycelium.deliverables')$$),
    ('a set-returning function', $$SELECT mycelium_internal.fold_policy('generate_series(1, 2) > 0', 'mycelium.deliverables')$$)
) AS t(description, statement);
-- specialized_policy, which makes each stored specialization from its general
-- policy: NULL for a command with no such expression, a clear error for a kind
-- that is none of the three, and the owner's only.
SELECT mycelium_internal.specialized_policy(NULL, 'mycelium.deliverables', 'portal') IS NULL AS no_expression;
SELECT t.description, regress.try(t.statement) AS outcome
FROM (VALUES
    ('NULL kind', $$SELECT mycelium_internal.specialized_policy(p.polqual, p.polrelid, NULL) FROM pg_catalog.pg_policy p WHERE p.polname = 'deliverables_select'$$),
    ('empty kind', $$SELECT mycelium_internal.specialized_policy(p.polqual, p.polrelid, '') FROM pg_catalog.pg_policy p WHERE p.polname = 'deliverables_select'$$),
    ('a role, not a kind', $$SELECT mycelium_internal.specialized_policy(p.polqual, p.polrelid, 'ADMIN') FROM pg_catalog.pg_policy p WHERE p.polname = 'deliverables_select'$$),
    ('huge kind', $$SELECT mycelium_internal.specialized_policy(p.polqual, p.polrelid, repeat('portal', 100000)) FROM pg_catalog.pg_policy p WHERE p.polname = 'deliverables_select'$$),
    ('kind of a NULL expression', $$SELECT mycelium_internal.specialized_policy(NULL, 'mycelium.deliverables', 'nobody')$$)
) AS t(description, statement);
SET ROLE regress_mycelium_app;
SELECT regress.try($$SELECT mycelium_internal.specialized_policy(NULL, 'mycelium.deliverables', 'portal')$$) AS app_calls_specialized;
RESET ROLE;
REVOKE ALL ON ALL TABLES IN SCHEMA mycelium FROM regress_mycelium_app;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA mycelium FROM regress_mycelium_app;
REVOKE ALL ON SCHEMA mycelium FROM regress_mycelium_app;
DROP ROLE regress_mycelium_app;
