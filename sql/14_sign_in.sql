-- Signing in: CALL mycelium.sign_in(organization, email, password) gives a token
-- for mycelium.authenticate; every failure is the same 28P01, counted even
-- though it is an error, and max_login_attempts failures lock the account.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
SELECT mycelium.set_jwt_secret('a-token-key-of-at-least-thirty-two-bytes-long');
INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a');
INSERT INTO mycelium.organization_settings (organization_id, max_login_attempts, require_password_change)
VALUES ('0000000a-0000-7000-8000-000000000000', 3, false);
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'al@a.example', 'Al', 'VIDEO_EDITOR', 'INACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'Bo', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a4', '0000000a-0000-7000-8000-000000000000', 'cy@a.example', 'Cy', 'SEO_STRATEGIST', 'ACTIVE');
SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a1', 'correct horse battery staple', false);
SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a2', 'al''s long password', false);
SELECT mycelium.import_password_hash('0000000a-0000-7000-8000-0000000000a4',
                                     '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW');

-- A right password: a token that authenticate accepts, for the organization's
-- session_timeout_hours (24 by default). The e-mail's case does not matter.
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ANN@a.example', 'correct horse battery staple') \gset
SELECT :'user_id' AS user_id, :'role' AS role, :'password_change_required' AS change_required,
       :'expires_at'::timestamptz BETWEEN now() + interval '23 hours 59 minutes' AND now() + interval '24 hours 1 minute'
           AS expires_in_a_day;
BEGIN;
SELECT role, expires_at > now() AS unexpired, must_change_password FROM mycelium.authenticate(:'token');
SELECT mycelium.current_app_role() AS role, mycelium.current_app_user_id() AS user_id;
COMMIT;
SELECT login_attempts, locked_at IS NULL AS unlocked, last_login_at IS NOT NULL AS signed_in_before
FROM mycelium.users WHERE email = 'ann@a.example';

-- Every failure is the same error: a wrong password, an unknown e-mail, an
-- inactive account with its right password, an account without a password.
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'not the password');
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'nobody@a.example', 'not the password');
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'al@a.example', 'al''s long password');
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'anything at all');
CALL mycelium.sign_in('0000000b-0000-7000-8000-000000000000', 'ann@a.example', 'correct horse battery staple');

-- The failed attempt counted although it ended in an error; the third locks the
-- account (max_login_attempts = 3), and then even the right password fails.
SELECT login_attempts, locked_at IS NOT NULL AS locked FROM mycelium.users WHERE email = 'ann@a.example';
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'still not it');
SELECT login_attempts, locked_at IS NOT NULL AS locked FROM mycelium.users WHERE email = 'ann@a.example';
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'nor this');
SELECT login_attempts, locked_at IS NOT NULL AS locked FROM mycelium.users WHERE email = 'ann@a.example';
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'correct horse battery staple');
SELECT login_attempts, locked_at IS NOT NULL AS locked FROM mycelium.users WHERE email = 'ann@a.example';
-- The lock runs out after lockout_minutes (30 by default): here, it was set 31
-- minutes ago. The first failure after that starts the count again.
UPDATE mycelium.users SET locked_at = now() - interval '31 minutes' WHERE email = 'ann@a.example';
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'not it either');
SELECT login_attempts, locked_at IS NOT NULL AS locked FROM mycelium.users WHERE email = 'ann@a.example';
UPDATE mycelium.users SET locked_at = now() - interval '31 minutes', login_attempts = 3 WHERE email = 'ann@a.example';
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'correct horse battery staple') \gset
SELECT :'role' AS role_after_expiry, login_attempts, locked_at IS NULL AS unlocked
FROM mycelium.users WHERE email = 'ann@a.example';
-- With lockout_minutes 0 it does not run out.
SELECT mycelium.configure('lockout_minutes', '0');
UPDATE mycelium.users SET locked_at = now() - interval '31 days', login_attempts = 3 WHERE email = 'ann@a.example';
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'correct horse battery staple');
SELECT mycelium.configure('lockout_minutes', NULL);
-- Nor does an ADMIN's lock (lock_account), however old.
SELECT mycelium.lock_account('0000000a-0000-7000-8000-0000000000a1');
UPDATE mycelium.users SET locked_at = now() - interval '31 days' WHERE email = 'ann@a.example';
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'correct horse battery staple');
-- An ADMIN unlocks it.
UPDATE mycelium.users SET locked_at = NULL, login_attempts = 0 WHERE email = 'ann@a.example';
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'correct horse battery staple') \gset
SELECT :'role' AS role_after_unlock;

-- What happened, and why, is in the activity log; no password is.
SELECT action, resource_type, resource_name, new_values ->> 'reason' AS reason, (new_values ->> 'locked')::boolean AS locked
FROM mycelium.activity_logs WHERE action IN ('signed_in', 'sign_in_failed') ORDER BY "timestamp", id;
SELECT count(*) AS logs_holding_a_password FROM mycelium.activity_logs
WHERE new_values::text ~ '(horse|still not it|al''s long)' OR old_values::text ~ '(horse|still not it)';

-- An imported bcrypt hash signs in and is replaced with Argon2id.
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'cy@a.example', 'U*U') \gset
SELECT :'role' AS bcrypt_role, password_hash ~ '^\$argon2id\$' AS rehashed
FROM mycelium_internal.credentials WHERE user_id = '0000000a-0000-7000-8000-0000000000a4';

-- A password an ADMIN set must be changed when it says so (or, by default, when
-- the organization's require_password_change says so; Agency A's is off).
SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a3', 'set by the admin, once', true);
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'set by the admin, once') \gset
SELECT :'password_change_required' AS must_change;

-- Only where it can commit its failures: not in a transaction block, not inside
-- a block that would catch the error, not as a function.
BEGIN;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'correct horse battery staple');
ROLLBACK;
DO $$
DECLARE
    token text; user_id uuid; role text; expires_at timestamptz; must_change boolean;
BEGIN
    CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'guessing', false,
                          token, user_id, role, expires_at, must_change);
EXCEPTION WHEN invalid_password THEN
    RAISE NOTICE 'caught';
END;
$$;
SELECT regress.try($$SELECT mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'x')$$) AS as_function;
SELECT login_attempts FROM mycelium.users WHERE email = 'ann@a.example';

-- Bad input.
CALL mycelium.sign_in(NULL, 'ann@a.example', 'x');
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', NULL, 'x');
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', NULL);
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', repeat('x', 100000), repeat('y', 100000));

-- Portal users sign in with portal => true: a CLIENT token for their client.
INSERT INTO mycelium.clients (id, organization_id, name) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Bakery');
INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name, role) VALUES
    ('0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c1', 'dee@bakery.example', 'Dee', 'PRIMARY');
SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000d1', 'dee''s portal password', false);
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'dee@bakery.example', 'dee''s portal password',
                      portal => true) \gset portal_
BEGIN;
SELECT role, expires_at > now() AS unexpired, must_change_password FROM mycelium.authenticate(:'portal_token');
SELECT mycelium.current_app_role() AS role, mycelium.current_client_id() AS client_id;
COMMIT;
-- A staff e-mail is no portal login, nor the other way round.
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'correct horse battery staple',
                      portal => true);
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'dee@bakery.example', 'dee''s portal password');
-- The portal switched off: the same error, the reason in the log.
UPDATE mycelium.organization_settings SET enable_client_portal = false;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'dee@bakery.example', 'dee''s portal password',
                      portal => true);
UPDATE mycelium.organization_settings SET enable_client_portal = true;
-- Portal accounts lock too (their count is in their credentials), and an ADMIN
-- unlocks them.
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'dee@bakery.example', 'guess 1', portal => true);
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'dee@bakery.example', 'guess 2', portal => true);
SELECT failed_attempts, locked_at IS NOT NULL AS locked FROM mycelium_internal.credentials
WHERE client_user_id = '0000000a-0000-7000-8000-0000000000d1';
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'dee@bakery.example', 'dee''s portal password',
                      portal => true);
SELECT new_values ->> 'reason' AS reason, new_values ->> 'portal' AS portal
FROM mycelium.activity_logs WHERE resource_type = 'client_user' ORDER BY "timestamp", id;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT mycelium.unlock_account('0000000a-0000-7000-8000-0000000000d1');
COMMIT;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'dee@bakery.example', 'dee''s portal password',
                      portal => true) \gset portal_
SELECT :'portal_role' AS portal_role_after_unlock;

-- Sessions end: a token issued before a new password, a sign_out or a lock is
-- refused (tokens count time in whole seconds, hence the pauses).
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'correct horse battery staple') \gset old_
SELECT pg_sleep(1.1) AS pause;
SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a1', 'a brand new password here', false);
SELECT regress.try(format('SELECT mycelium.authenticate(%L)', :'old_token')) AS token_before_new_password;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'a brand new password here') \gset new_
SELECT pg_sleep(1.1) AS pause;
BEGIN;
SELECT role, expires_at > now() AS unexpired, must_change_password FROM mycelium.authenticate(:'new_token');
SELECT mycelium.current_app_role() AS with_the_new_token;
SELECT mycelium.sign_out();
COMMIT;
SELECT regress.try(format('SELECT mycelium.authenticate(%L)', :'new_token')) AS token_after_sign_out;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'a brand new password here') \gset third_
SELECT pg_sleep(1.1) AS pause;
UPDATE mycelium.users SET locked_at = now() WHERE email = 'ann@a.example';
SELECT regress.try(format('SELECT mycelium.authenticate(%L)', :'third_token')) AS token_after_lock;
SELECT regress.try('SELECT mycelium.sign_out()') AS sign_out_without_context;
SELECT mycelium.unlock_account('0000000a-0000-7000-8000-0000000000a1');

-- The application's role signs in, without a context.
CREATE ROLE regress_mycelium_signer;
SELECT mycelium.grant_access('regress_mycelium_signer', 'app');
SET ROLE regress_mycelium_signer;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'a brand new password here') \gset
SELECT :'role' AS app_signed_in;
RESET ROLE;
DROP OWNED BY regress_mycelium_signer;
DROP ROLE regress_mycelium_signer;
