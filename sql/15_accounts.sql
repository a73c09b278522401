-- The account life cycle beyond a password: temporary passwords and the
-- password-change session, an ADMIN's locks and forced changes, invitations,
-- password resets, e-mail verification and signing up. Secrets are single-use,
-- expire, and are kept only as hashes; requests before sign-in give the same
-- answer for unknown addresses; two organizations, as non-superuser roles.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
TRUNCATE mycelium_internal.rate_limits;
SELECT mycelium.configure('require_verified_email', NULL), mycelium.configure('sign_ups_per_hour', NULL);
SELECT mycelium.set_jwt_secret('a-token-key-of-at-least-thirty-two-bytes-long');
INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.organization_settings (organization_id, require_password_change) VALUES
    ('0000000a-0000-7000-8000-000000000000', true),
    ('0000000b-0000-7000-8000-000000000000', false);
INSERT INTO mycelium.users (id, organization_id, email, name, role, status, email_verified) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'Ann', 'ADMIN', 'ACTIVE', true),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'abe@a.example', 'Abe', 'ADMIN', 'ACTIVE', true),
    ('0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'Bo', 'VIDEO_EDITOR', 'ACTIVE', false),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bea@b.example', 'Bea', 'ADMIN', 'ACTIVE', true);
INSERT INTO mycelium.clients (id, organization_id, name, slug) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Client One', 'client-one');
SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a1', 'ann''s long password', false);
SELECT mycelium.set_password('0000000b-0000-7000-8000-0000000000b1', 'bea''s long password', false);

DROP ROLE IF EXISTS regress_accounts_app, regress_accounts_signup;
CREATE ROLE regress_accounts_app;
CREATE ROLE regress_accounts_signup;
SELECT mycelium.grant_access('regress_accounts_app', 'app');
SELECT mycelium.grant_access('regress_accounts_signup', 'signup');
GRANT USAGE ON SCHEMA regress TO regress_accounts_app, regress_accounts_signup;
SET ROLE regress_accounts_app;

-- ------ Temporary passwords ------
-- An ADMIN makes one for a colleague; it is returned once and never stored in clear.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT mycelium.set_temporary_password('0000000a-0000-7000-8000-0000000000a3') AS temporary \gset
COMMIT;
SELECT length(:'temporary') AS length;
-- It signs in once, into a session that requires a change...
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', :'temporary') \gset
SELECT :'password_change_required' AS change_required;
-- ...and may do nothing but change the password: no tenant context, no rows,
-- no writes, not even through request.jwt.claims.
BEGIN;
SELECT role, expires_at > now() AS unexpired, must_change_password FROM mycelium.authenticate(:'token');
SELECT mycelium.current_organization_id() AS org, mycelium.current_app_role() AS role,
       (SELECT count(*) FROM mycelium.users) AS users_seen;
SELECT regress.try($$INSERT INTO mycelium.clients (organization_id, name, slug)
                     VALUES ('0000000a-0000-7000-8000-000000000000', 'Sneaky', 'sneaky')$$);
ROLLBACK;
BEGIN;
SELECT set_config('request.jwt.claims', '{"organization_id": "0000000a-0000-7000-8000-000000000000", '
                  '"sub": "0000000a-0000-7000-8000-0000000000a3", "app_role": "VIDEO_EDITOR"}', true);
SELECT mycelium.current_app_role() AS claims_role;
ROLLBACK;
-- A second sign-in with it fails as any other failure does.
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', :'temporary');
BEGIN;
SELECT role, expires_at > now() AS unexpired, must_change_password FROM mycelium.authenticate(:'token');
SELECT regress.try($$SELECT mycelium.change_password('wrong', 'bo''s own long password')$$);
SELECT mycelium.change_password(:'temporary', 'bo''s own long password');
COMMIT;
-- The change ended the password-change session; the new password opens a real one.
BEGIN;
SELECT regress.try(format('SELECT mycelium.authenticate(%L)', :'token'));
ROLLBACK;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'bo''s own long password') \gset
BEGIN;
SELECT role, expires_at > now() AS unexpired, must_change_password FROM mycelium.authenticate(:'token');
SELECT :'password_change_required' AS change_required, mycelium.current_app_role() AS role;
COMMIT;
-- An expired temporary password opens nothing.
RESET ROLE;
SELECT mycelium.set_temporary_password('0000000a-0000-7000-8000-0000000000a3', interval '1 hour') AS temporary \gset
UPDATE mycelium_internal.credentials SET temporary_until = now() - interval '1 second'
 WHERE user_id = '0000000a-0000-7000-8000-0000000000a3';
SET ROLE regress_accounts_app;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', :'temporary');
RESET ROLE;
SELECT new_values ->> 'reason' AS reason FROM mycelium.activity_logs
 WHERE action = 'sign_in_failed' ORDER BY "timestamp" DESC, id DESC LIMIT 1;
SET ROLE regress_accounts_app;
-- A lifetime out of bounds, another organization's account, a colleague who is no ADMIN.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT regress.try($$SELECT mycelium.set_temporary_password('0000000a-0000-7000-8000-0000000000a3', interval '31 days')$$);
SELECT regress.try($$SELECT mycelium.set_temporary_password('0000000a-0000-7000-8000-0000000000a3', NULL)$$);
SELECT regress.try($$SELECT mycelium.set_temporary_password('0000000b-0000-7000-8000-0000000000b1')$$);
SELECT regress.try($$SELECT mycelium.force_password_change('0000000b-0000-7000-8000-0000000000b1')$$);
SELECT regress.try($$SELECT mycelium.lock_account('0000000b-0000-7000-8000-0000000000b1')$$);
ROLLBACK;
RESET ROLE;
SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a3', 'bo''s own long password', false);
SET ROLE regress_accounts_app;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'bo''s own long password') \gset
BEGIN;
SELECT role, expires_at > now() AS unexpired, must_change_password FROM mycelium.authenticate(:'token');
SELECT regress.try($$SELECT mycelium.set_temporary_password('0000000a-0000-7000-8000-0000000000a1')$$);
SELECT regress.try($$SELECT mycelium.lock_account('0000000a-0000-7000-8000-0000000000a1')$$);
ROLLBACK;

-- ------ An ADMIN's levers: a password it sets, a forced change, a lock ------
-- With require_password_change on (Agency A), a password an ADMIN sets must be
-- changed at the next sign-in; Agency B's ADMIN can say otherwise.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a3', 'a password ann chose');
COMMIT;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'a password ann chose') \gset
SELECT :'password_change_required' AS change_required;
BEGIN;
SELECT role, expires_at > now() AS unexpired, must_change_password FROM mycelium.authenticate(:'token');
SELECT mycelium.current_app_role() AS role;
SELECT mycelium.change_password('a password ann chose', 'bo''s own long password');
COMMIT;
-- A forced change ends the sessions and gives password-change sessions only.
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'bo''s own long password') \gset
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT mycelium.force_password_change('0000000a-0000-7000-8000-0000000000a3');
COMMIT;
BEGIN;
SELECT regress.try(format('SELECT mycelium.authenticate(%L)', :'token'));
ROLLBACK;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'bo''s own long password') \gset
BEGIN;
SELECT role, expires_at > now() AS unexpired, must_change_password FROM mycelium.authenticate(:'token');
SELECT :'password_change_required' AS change_required, mycelium.current_app_role() AS role;
SELECT mycelium.change_password('bo''s own long password', 'bo''s newest long password');
COMMIT;
-- A lock: no sign-in until unlocked, and the sessions end.
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'bo''s newest long password') \gset
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT mycelium.lock_account('0000000a-0000-7000-8000-0000000000a3');
COMMIT;
BEGIN;
SELECT regress.try(format('SELECT mycelium.authenticate(%L)', :'token'));
ROLLBACK;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'bo''s newest long password');
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT mycelium.unlock_account('0000000a-0000-7000-8000-0000000000a3');
COMMIT;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'bo''s newest long password') \gset
SELECT :'role' AS role_after_unlock;

-- ------ Invitations ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT user_id AS cal, invitation AS cal_invitation
  FROM mycelium.invite_user('cal@a.example', 'Cal', 'SEO_STRATEGIST') \gset
SELECT client_user_id AS pat, invitation AS pat_invitation
  FROM mycelium.invite_client_user('0000000a-0000-7000-8000-0000000000c1', 'pat@client.example', 'Pat', 'PRIMARY') \gset
-- Waiting accounts: a PENDING user, an inactive portal user.
SELECT status, invited_by = '0000000a-0000-7000-8000-0000000000a1' AS invited_by_ann, invited_at IS NOT NULL AS invited
  FROM mycelium.users WHERE id = :'cal';
SELECT is_active FROM mycelium.client_users WHERE id = :'pat';
-- The other ADMIN hears of both; the inviter does not notify itself.
SELECT n.type, n.title, n.message, n.related_type, r.user_id = '0000000a-0000-7000-8000-0000000000a2' AS to_abe
  FROM mycelium.notifications n JOIN mycelium.notification_recipients r ON r.notification_id = n.id AND r.channel = 'in_app'
 WHERE n.type = 'USER_INVITED' ORDER BY n.created_at, n.message;
-- An application cannot make these notifications itself.
SELECT regress.try($$INSERT INTO mycelium.notifications (organization_id, type, title, message)
                     VALUES ('0000000a-0000-7000-8000-000000000000', 'USER_INVITED', 'Fake', 'Fake')$$);
-- An existing address, a portal user by invite_user, a NULL.
SELECT regress.try($$SELECT * FROM mycelium.invite_user('bo@a.example', 'Bo', 'ADMIN')$$);
SELECT regress.try($$SELECT * FROM mycelium.invite_user('x@a.example', 'X', 'CLIENT')$$);
SELECT regress.try($$SELECT * FROM mycelium.invite_user(NULL, 'X', 'ADMIN')$$);
SELECT regress.try($$SELECT * FROM mycelium.invite_client_user('0000000b-0000-7000-8000-0000000000c1', 'q@x.example', 'Q')$$);
COMMIT;
-- Only an ADMIN invites.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a3', 'VIDEO_EDITOR');
SELECT regress.try($$SELECT * FROM mycelium.invite_user('dee@a.example', 'Dee', 'ADMIN')$$);
SELECT regress.try($$SELECT * FROM mycelium.invite_client_user('0000000a-0000-7000-8000-0000000000c1', 'q@x.example', 'Q')$$);
ROLLBACK;
SELECT regress.try($$SELECT * FROM mycelium.invite_user('dee@a.example', 'Dee', 'ADMIN')$$) AS without_context;
-- A waiting account cannot sign in.
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'cal@a.example', 'anything long enough');
-- Accepting: the password policy first (the secret survives a refused password)...
SELECT regress.try(format('SELECT * FROM mycelium.accept_invitation(%L, %L)', :'cal_invitation', 'short'));
SELECT regress.try(format('SELECT * FROM mycelium.accept_invitation(%L, %L)', :'cal_invitation', NULL));
SELECT portal, account_id = :'cal' AS is_cal
  FROM mycelium.accept_invitation(:'cal_invitation', 'cal''s chosen password');
RESET ROLE;
SELECT status, email_verified FROM mycelium.users WHERE id = :'cal';
SET ROLE regress_accounts_app;
-- ...and once only.
SELECT regress.try(format('SELECT * FROM mycelium.accept_invitation(%L, %L)', :'cal_invitation', 'cal''s chosen password'));
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'cal@a.example', 'cal''s chosen password') \gset
SELECT :'role' AS role, :'password_change_required' AS change_required;
SELECT portal FROM mycelium.accept_invitation(:'pat_invitation', 'pat''s chosen password');
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'pat@client.example', 'pat''s chosen password', true) \gset
SELECT :'role' AS portal_role;
RESET ROLE;
SELECT n.type, n.message, n.related_type, n.metadata ? 'client_user_id' AS names_portal_user
  FROM mycelium.notifications n WHERE n.type = 'USER_ACTIVATED' ORDER BY n.created_at, n.message;
SET ROLE regress_accounts_app;
-- An expired invitation, one whose account was deleted (withdrawn), a made-up one.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT invitation AS old_invitation FROM mycelium.invite_user('dee@a.example', 'Dee', 'FILMER') \gset
-- Inviting a waiting address again replaces its secret.
SELECT user_id AS dee, invitation AS dee_invitation FROM mycelium.invite_user('dee@a.example', 'Dee', 'FILMER') \gset
SELECT user_id AS eve, invitation AS eve_invitation FROM mycelium.invite_user('eve@a.example', 'Eve', 'FILMER') \gset
DELETE FROM mycelium.users WHERE id = :'eve';
COMMIT;
SELECT regress.try(format('SELECT * FROM mycelium.accept_invitation(%L, %L)', :'old_invitation', 'dee''s chosen password'));
RESET ROLE;
UPDATE mycelium_internal.account_secrets SET expires_at = now() - interval '1 second'
 WHERE account_id = :'dee';
SET ROLE regress_accounts_app;
SELECT regress.try(format('SELECT * FROM mycelium.accept_invitation(%L, %L)', :'dee_invitation', 'dee''s chosen password'));
SELECT regress.try(format('SELECT * FROM mycelium.accept_invitation(%L, %L)', :'eve_invitation', 'eve''s chosen password'));
SELECT regress.try($$SELECT * FROM mycelium.accept_invitation('made-up', 'a long enough password')$$);
SELECT regress.try($$SELECT * FROM mycelium.accept_invitation('', 'a long enough password')$$);
SELECT regress.try($$SELECT * FROM mycelium.accept_invitation(repeat('x', 1000000), 'a long enough password')$$);

-- ------ Password reset ------
-- A secret for a real address, and one that looks the same for an unknown one.
SELECT mycelium.request_password_reset('0000000a-0000-7000-8000-000000000000', 'BO@a.example') AS reset \gset
SELECT mycelium.request_password_reset('0000000a-0000-7000-8000-000000000000', 'nobody@a.example') AS fake \gset
SELECT length(:'reset') AS real_length, length(:'fake') AS fake_length;
RESET ROLE;
SELECT count(*) AS secrets_kept FROM mycelium_internal.account_secrets WHERE purpose = 'password_reset';
-- Only the hash is kept.
SELECT count(*) AS in_clear FROM mycelium_internal.account_secrets WHERE position(convert_to(:'reset', 'UTF8') IN secret_hash) > 0;
SET ROLE regress_accounts_app;
SELECT regress.try(format('SELECT * FROM mycelium.reset_password(%L, %L)', :'fake', 'a long enough password'));
-- Bo is locked out by failures; the reset unlocks, and ends the sessions.
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'bo''s newest long password') \gset
RESET ROLE;
UPDATE mycelium.users SET locked_at = now(), login_attempts = 5 WHERE id = '0000000a-0000-7000-8000-0000000000a3';
SET ROLE regress_accounts_app;
SELECT portal FROM mycelium.reset_password(:'reset', 'bo''s reset long password');
RESET ROLE;
SELECT login_attempts, locked_at IS NULL AS unlocked, email_verified FROM mycelium.users
 WHERE id = '0000000a-0000-7000-8000-0000000000a3';
SET ROLE regress_accounts_app;
BEGIN;
SELECT regress.try(format('SELECT mycelium.authenticate(%L)', :'token'));
ROLLBACK;
SELECT regress.try(format('SELECT * FROM mycelium.reset_password(%L, %L)', :'reset', 'another long password'));
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'bo''s reset long password') \gset
SELECT :'role' AS role_after_reset;
-- Five requests an hour per address, unknown or not; then 53400.
SELECT regress.try($$SELECT mycelium.request_password_reset('0000000a-0000-7000-8000-000000000000', 'nobody@a.example')$$)
  FROM generate_series(1, 5);
SELECT regress.try($$SELECT mycelium.request_password_reset('0000000b-0000-7000-8000-000000000000', 'nobody@a.example')$$)
    AS other_organization;
SELECT regress.try($$SELECT mycelium.request_password_reset(NULL, 'nobody@a.example')$$);
SELECT regress.try($$SELECT mycelium.request_password_reset('0000000a-0000-7000-8000-000000000000', 'x@a.example', false, interval '-1 hour')$$);

-- ------ E-mail verification ------
-- With require_verified_email on, an unverified account may sign in but not act.
RESET ROLE;
SELECT mycelium.configure('require_verified_email', 'true');
UPDATE mycelium.users SET email_verified = false WHERE id = '0000000a-0000-7000-8000-0000000000a3';
SET ROLE regress_accounts_app;
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'bo''s reset long password') \gset
BEGIN;
SELECT regress.try(format('SELECT mycelium.authenticate(%L)', :'token'));
ROLLBACK;
SELECT mycelium.request_email_verification('0000000a-0000-7000-8000-000000000000', 'bo@a.example') AS verification \gset
SELECT portal FROM mycelium.verify_email(:'verification');
SELECT regress.try(format('SELECT * FROM mycelium.verify_email(%L)', :'verification'));
BEGIN;
SELECT role, expires_at > now() AS unexpired, must_change_password FROM mycelium.authenticate(:'token');
SELECT mycelium.current_app_role() AS role_once_verified;
COMMIT;
RESET ROLE;
SELECT mycelium.configure('require_verified_email', NULL);
SET ROLE regress_accounts_app;

-- ------ Signing up ------
-- Only a role given the signup kind.
SELECT regress.try($$SELECT * FROM mycelium.sign_up('Agency C', 'cat@c.example', 'Cat', 'cat''s long password')$$);
SET ROLE regress_accounts_signup;
SELECT organization_id AS c_org, user_id AS cat, token, role, password_change_required, verification
  FROM mycelium.sign_up('Agency C', 'cat@c.example', 'Cat', 'cat''s long password', 'Europe/Berlin') \gset
SELECT :'role' AS role, :'password_change_required' AS change_required, length(:'verification') AS verification_length;
-- Nothing else is open to it.
SELECT regress.try($$SELECT mycelium.request_password_reset('0000000a-0000-7000-8000-000000000000', 'bo@a.example')$$);
SELECT regress.try('SELECT count(*) FROM mycelium.users');
SET ROLE regress_accounts_app;
BEGIN;
SELECT role, expires_at > now() AS unexpired, must_change_password FROM mycelium.authenticate(:'token');
SELECT o.name, o.slug, s.timezone, (SELECT count(*) FROM mycelium.service_types) AS service_types,
       (SELECT count(*) FROM mycelium.users) AS users
  FROM mycelium.organizations o JOIN mycelium.organization_settings s ON s.organization_id = o.id;
SELECT email, role, status, email_verified FROM mycelium.users;
COMMIT;
SELECT portal FROM mycelium.verify_email(:'verification');
SET ROLE regress_accounts_signup;
-- Bad input makes nothing: a weak password, NULLs, an unknown time zone, an address in use.
SELECT regress.try($$SELECT * FROM mycelium.sign_up('Agency D', 'dan@d.example', 'Dan', 'Agency D')$$);
SELECT regress.try($$SELECT * FROM mycelium.sign_up(NULL, 'dan@d.example', 'Dan', 'dan''s long password')$$);
SELECT regress.try($$SELECT * FROM mycelium.sign_up('Agency D', 'dan@d.example', 'Dan', 'dan''s long password', 'Mars/Base')$$);
SELECT regress.try($$SELECT * FROM mycelium.sign_up('Agency D', 'ann@a.example', 'Ann', 'ann''s other password')$$);
RESET ROLE;
SELECT count(*) AS organizations FROM mycelium.organizations;
-- The rate: sign_ups_per_hour across every caller; 0 closes sign-up.
SELECT mycelium.configure('sign_ups_per_hour', '2');
SET ROLE regress_accounts_signup;
SELECT regress.try(format($$SELECT * FROM mycelium.sign_up('Agency %s', 'x%s@x.example', 'X', 'a long enough password')$$, i, i))
  FROM generate_series(1, 3) AS i;
RESET ROLE;
SELECT mycelium.configure('sign_ups_per_hour', '0');
SET ROLE regress_accounts_signup;
SELECT regress.try($$SELECT * FROM mycelium.sign_up('Agency Z', 'z@z.example', 'Z', 'a long enough password')$$);
RESET ROLE;
SELECT mycelium.configure('sign_ups_per_hour', NULL);
SELECT regress.try($$SELECT mycelium.configure('sign_ups_per_hour', '-1')$$);

-- What the log says, and that no secret or password is in it.
SELECT action, resource_type, count(*) FROM mycelium.activity_logs
 WHERE action IN ('password_reset', 'email_verified', 'signed_up') GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS leaks FROM mycelium.activity_logs
 WHERE new_values::text LIKE '%long password%' OR old_values::text LIKE '%long password%'
    OR new_values::text LIKE '%' || :'reset' || '%';

DROP OWNED BY regress_accounts_app, regress_accounts_signup;
DROP ROLE regress_accounts_app, regress_accounts_signup;
