-- Passwords: kept as Argon2id hashes in mycelium_internal.credentials, out of
-- every application's reach; set by an ADMIN or onboarding, changed by their
-- owner, imported from identity services as bcrypt; the policy.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A Creative', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'al@a.example', 'Al', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bo@b.example', 'Bo', 'ADMIN', 'ACTIVE');

-- Onboarding (here the owner, without a context) sets the first ADMIN's password.
-- Someone else chose it, and the organization requires a change by default
-- (require_password_change; no settings row: on): it must be changed...
SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a1', 'correct horse battery staple');
SELECT password_hash ~ '^\$argon2id\$v=19\$m=19456,t=2,p=1\$' AS argon2id_owasp_minimum,
       password_hash NOT LIKE '%correct horse%' AS not_in_clear, must_change_password
FROM mycelium_internal.credentials WHERE user_id = '0000000a-0000-7000-8000-0000000000a1';
-- ...unless onboarding says otherwise.
SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a1', 'correct horse battery staple', false);
SELECT must_change_password FROM mycelium_internal.credentials WHERE user_id = '0000000a-0000-7000-8000-0000000000a1';

-- The policy names the rule, never the password.
SELECT p AS attempt, regress.try(format('SELECT mycelium.set_password(%L, %L)', '0000000a-0000-7000-8000-0000000000a2', p)) AS outcome
FROM unnest(ARRAY['short', 'al@a.example', 'AL@A.EXAMPLE', 'agency a creative', repeat('x', 129)]) AS p;
SELECT regress.try($$SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a2', NULL)$$) AS null_password;
SELECT regress.try($$SELECT mycelium.set_password(NULL, 'a long enough one')$$) AS null_account;
SELECT regress.try($$SELECT mycelium.set_password('0000000a-0000-7000-8000-00000000ffff', 'a long enough one')$$) AS unknown_account;

-- The parameters and the shortest password are settings.
SELECT regress.try($$SELECT mycelium.configure('password_memory_kib', '1024')$$) AS below_owasp;
SELECT regress.try($$SELECT mycelium.configure('password_iterations', 'many')$$) AS not_a_number;
SELECT mycelium.configure('password_iterations', '3');
SELECT mycelium.configure('password_min_length', '16');
SELECT regress.try($$SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a2', 'fifteen chars!!')$$) AS under_16;
SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a2', 'sixteen chars!!!');
SELECT password_hash ~ ',t=3,' AS three_passes FROM mycelium_internal.credentials
WHERE user_id = '0000000a-0000-7000-8000-0000000000a2';
SELECT mycelium.configure('password_iterations', NULL), mycelium.configure('password_min_length', NULL);
-- Bad input to configure: named, cut, never a crash.
SELECT regress.try($$SELECT mycelium.configure(NULL, 'on')$$) AS null_setting;
SELECT left(regress.try(format('SELECT mycelium.configure(%L, %L)', repeat('x', 100000), 'on')), 160) AS huge_name;
SELECT left(regress.try(format('SELECT mycelium.configure(%L, %L)', 'require_signed_context', repeat('é', 100000))), 160)
    AS huge_value;

-- Importing from an identity service: bcrypt as exported (crypt_blowfish's test
-- vector), kept until a sign-in replaces it; anything else is refused.
SELECT mycelium.import_password_hash('0000000b-0000-7000-8000-0000000000b1',
                                     '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW');
SELECT mycelium_internal.verify_password('U*U', password_hash) AS bcrypt_checks,
       mycelium_internal.password_needs_rehash(password_hash) AS to_be_rehashed
FROM mycelium_internal.credentials WHERE user_id = '0000000b-0000-7000-8000-0000000000b1';
SELECT h AS hash, regress.try(format('SELECT mycelium.import_password_hash(%L, %L)', '0000000b-0000-7000-8000-0000000000b1', h)) AS outcome
FROM unnest(ARRAY['hunter2', '$1$salt$hash', '$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaA', '']) AS h;

-- The application: whole rows of users again, never a hash; the credentials out
-- of reach; an ADMIN sets passwords in its own organization only; a user changes
-- its own, knowing the current one.
CREATE ROLE regress_mycelium_pw;
SELECT mycelium.grant_access('regress_mycelium_pw', 'app');
SET ROLE regress_mycelium_pw;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT count(*) AS whole_rows FROM (SELECT * FROM mycelium.users) u;
SELECT regress.try('SELECT * FROM mycelium_internal.credentials') AS read_credentials;
SELECT regress.try($$SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a2', 'reset by the admin', false)$$) AS admin_sets;
SELECT regress.try($$SELECT mycelium.set_password('0000000b-0000-7000-8000-0000000000b1', 'another agency''s')$$) AS other_org;
SELECT regress.try($$SELECT mycelium.import_password_hash('0000000a-0000-7000-8000-0000000000a2', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW')$$) AS app_imports;
SELECT regress.try($$SELECT mycelium.unlock_account('0000000b-0000-7000-8000-0000000000b1')$$) AS unlock_other_org;
SELECT regress.try($$SELECT mycelium.unlock_account(NULL)$$) AS unlock_null;
COMMIT;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
SELECT regress.try($$SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a1', 'taking over ann')$$) AS editor_sets;
SELECT regress.try($$SELECT mycelium.change_password(NULL, NULL)$$) AS null_passwords;
SELECT regress.try($$SELECT mycelium.change_password('not it', 'my own new password')$$) AS wrong_current;
SELECT regress.try($$SELECT mycelium.change_password('reset by the admin', 'short')$$) AS weak_new;
SELECT regress.try($$SELECT mycelium.change_password('reset by the admin', 'my own new password')$$) AS changed;
COMMIT;
RESET ROLE;
SELECT mycelium_internal.verify_password('my own new password', password_hash) AS new_one_checks,
       mycelium_internal.verify_password('reset by the admin', password_hash) AS old_one_fails,
       must_change_password
FROM mycelium_internal.credentials WHERE user_id = '0000000a-0000-7000-8000-0000000000a2';
-- Deleting an account deletes its password.
DELETE FROM mycelium.users WHERE id = '0000000a-0000-7000-8000-0000000000a2';
SELECT count(*) AS orphans FROM mycelium_internal.credentials WHERE user_id = '0000000a-0000-7000-8000-0000000000a2';
DROP OWNED BY regress_mycelium_pw;
DROP ROLE regress_mycelium_pw;
