-- ====== Single-use secrets: temporary passwords, resets, e-mail verification ======
-- A secret here stands for an account for a while: 366 random bits, shown once
-- to the caller that asked for it (which mails it: the database sends no mail),
-- kept only as its SHA-256 in mycelium_internal.account_secrets, deleted when
-- used, refused once expired, replaced by the next of its purpose. Who may ask:
-- docs/security.md, "The account life cycle".

-- 366 bits from the server's strong random source (gen_random_uuid: 122 per
-- uuid), as 64 characters of unpadded base64url: safe in a URL and a mail.
CREATE OR REPLACE FUNCTION mycelium_internal.new_secret() RETURNS text
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT translate(encode(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())
                            || uuid_send(gen_random_uuid()), 'base64'), '+/=', '-_')
$$;

-- How long a secret may live: a positive interval of at most 30 days.
CREATE OR REPLACE FUNCTION mycelium_internal.check_lifetime(fn text, valid_for interval) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF valid_for IS NULL OR valid_for <= interval '0' OR valid_for > interval '30 days' THEN
        RAISE EXCEPTION '%: valid_for must be a positive interval of at most 30 days, not %', fn,
            coalesce(valid_for::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
END;
$$;

-- A new secret of a purpose for an account, replacing the one it had. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.issue_secret(organization_id uuid, account_id uuid, portal boolean,
                                                         purpose text, valid_for interval) RETURNS text
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    secret text := mycelium_internal.new_secret();
BEGIN
    INSERT INTO mycelium_internal.account_secrets AS s
        (secret_hash, organization_id, account_id, portal, purpose, expires_at)
    VALUES (sha256(convert_to(secret, 'UTF8')), organization_id, account_id, portal, purpose, now() + valid_for)
    ON CONFLICT ON CONSTRAINT account_secrets_one_per_purpose
    DO UPDATE SET secret_hash = EXCLUDED.secret_hash, created_at = now(), expires_at = EXCLUDED.expires_at;
    RETURN secret;
END;
$$;

-- Uses a secret up: the account it stands for, or 28000 for a secret that is
-- unknown, already used, expired or of another purpose (one error for all: the
-- caller learns nothing about which). Private.
CREATE OR REPLACE FUNCTION mycelium_internal.take_secret(fn text, secret text, purpose text,
                                                        OUT organization_id uuid, OUT account_id uuid,
                                                        OUT portal boolean)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    expires timestamptz;
BEGIN
    IF secret IS NULL OR secret = '' THEN
        RAISE EXCEPTION '%: a secret is required', fn USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    DELETE FROM mycelium_internal.account_secrets s
     WHERE s.secret_hash = sha256(convert_to(secret, 'UTF8')) AND s.purpose = take_secret.purpose
    RETURNING s.organization_id, s.account_id, s.portal, s.expires_at INTO organization_id, account_id, portal, expires;
    IF NOT FOUND OR expires <= now() THEN
        RAISE EXCEPTION '%: the secret is not valid', fn
            USING ERRCODE = 'invalid_authorization_specification', SCHEMA = 'mycelium',
                  DETAIL = 'It is unknown, already used, or expired.',
                  HINT = 'Ask for a new one.';
    END IF;
END;
$$;

-- Counts one call in a bucket's fixed window and refuses (53400) the call past
-- max_hits in the window. One statement under the bucket row's lock, so that
-- concurrent callers queue and the last slot goes once. A fixed window lets at
-- most twice max_hits through around its turn, which is what it is for: a
-- bound on abuse, not an exact rate. Stale buckets of other callers go as well.
CREATE OR REPLACE FUNCTION mycelium_internal.take_rate_limit(fn text, bucket text, max_hits integer, per interval)
    RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    hits integer;
BEGIN
    DELETE FROM mycelium_internal.rate_limits r WHERE r.window_start < now() - interval '1 day';
    INSERT INTO mycelium_internal.rate_limits AS r (bucket, window_start, hits)
    VALUES (take_rate_limit.bucket, now(), 1)
    ON CONFLICT ON CONSTRAINT rate_limits_pkey DO UPDATE
       SET window_start = CASE WHEN r.window_start <= now() - per THEN now() ELSE r.window_start END,
           hits = CASE WHEN r.window_start <= now() - per THEN 1 ELSE r.hits + 1 END
    RETURNING r.hits INTO hits;
    IF hits > max_hits THEN
        RAISE EXCEPTION '%: too many requests; try again later', fn
            USING ERRCODE = 'configuration_limit_exceeded', SCHEMA = 'mycelium',
                  DETAIL = format('At most %s in %s.', max_hits, per);
    END IF;
END;
$$;

-- The account an e-mail names in an organization, staff or portal, if it may
-- receive a secret (an active account). Private.
CREATE OR REPLACE FUNCTION mycelium_internal.active_account_by_email(organization_id uuid, email text, portal boolean)
    RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT u.id FROM mycelium.users u
     WHERE NOT portal AND u.organization_id = active_account_by_email.organization_id
       AND lower(u.email) = lower(active_account_by_email.email) AND u.status = 'ACTIVE'
    UNION ALL
    SELECT c.id FROM mycelium.client_users c
     WHERE portal AND c.organization_id = active_account_by_email.organization_id
       AND lower(c.email) = lower(active_account_by_email.email) AND c.is_active
    LIMIT 1
$$;

-- A request that anyone may make before signing in, for an e-mail address:
-- rate-limited per address (five an hour), and answered with a secret whether
-- or not an active account has the address, so the answer tells nothing; only
-- a real account's secret is kept. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.secret_for_email(fn text, organization_id uuid, email text,
                                                             portal boolean, purpose text, valid_for interval)
    RETURNS text
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    account uuid;
BEGIN
    IF organization_id IS NULL OR email IS NULL THEN
        RAISE EXCEPTION '%: organization_id and email are required', fn
            USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    PERFORM mycelium_internal.take_rate_limit(
        fn, format('%s:%s:%s:%s', purpose, organization_id, coalesce(portal, false),
                   encode(sha256(convert_to(lower(email), 'UTF8')), 'hex')),
        5, interval '1 hour');
    account := mycelium_internal.active_account_by_email(organization_id, email, coalesce(portal, false));
    IF account IS NULL THEN
        RETURN mycelium_internal.new_secret();
    END IF;
    RETURN mycelium_internal.issue_secret(organization_id, account, coalesce(portal, false), purpose, valid_for);
END;
$$;

-- ------ Temporary passwords and an ADMIN's other levers ------

-- A temporary password for an account, made here and returned once: it opens
-- one session, which may only change_password, and only until valid_for has
-- passed (docs/security.md, "Temporary passwords"). An ADMIN of the account's
-- organization, or onboarding without a context.
CREATE OR REPLACE FUNCTION mycelium.set_temporary_password(account_id uuid, valid_for interval DEFAULT '3 days')
    RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid;
    -- 20 characters of a fresh secret, 114 random bits (the first uuid's
    -- version and variant bits are fixed): short enough to type.
    password text := left(mycelium_internal.new_secret(), 20);
BEGIN
    PERFORM mycelium.require_writable('set_temporary_password');
    org := mycelium_internal.password_target('set_temporary_password', account_id);
    PERFORM mycelium_internal.check_lifetime('set_temporary_password', valid_for);
    PERFORM mycelium_internal.store_password(org, account_id, (mycelium_internal.account(org, account_id)).portal,
                                             mycelium_internal.hash_password(password), true, now() + valid_for);
    RETURN password;
END;
$$;
COMMENT ON FUNCTION mycelium.set_temporary_password(uuid, interval) IS
    'Makes and returns a temporary password: one session that may only change_password, until valid_for ends';

-- The account must change its password before it does anything else: its
-- sessions end, and the next ones may only change_password.
CREATE OR REPLACE FUNCTION mycelium.force_password_change(account_id uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid;
BEGIN
    PERFORM mycelium.require_writable('force_password_change');
    org := mycelium_internal.password_target('force_password_change', account_id);
    UPDATE mycelium_internal.credentials c SET must_change_password = true
     WHERE c.organization_id = org AND account_id IN (c.user_id, c.client_user_id);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'force_password_change: account % has no password', account_id
            USING ERRCODE = 'object_not_in_prerequisite_state', SCHEMA = 'mycelium',
                  HINT = 'Give it one with mycelium.set_temporary_password or mycelium.set_password.';
    END IF;
    PERFORM mycelium_internal.end_sessions(org, account_id);
END;
$$;
COMMENT ON FUNCTION mycelium.force_password_change(uuid) IS
    'Ends an account''s sessions; its next ones may only change_password (an ADMIN, or onboarding)';

-- Locks an account: no sign-in, no session, until unlock_account (or a
-- password reset). Unlike a lock from failed sign-ins, it does not run out
-- (mycelium_internal.lock_holds): the attempts are set to 0 to say so.
CREATE OR REPLACE FUNCTION mycelium.lock_account(account_id uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid;
BEGIN
    PERFORM mycelium.require_writable('lock_account');
    org := mycelium_internal.password_target('lock_account', account_id);
    UPDATE mycelium.users u SET locked_at = now(), login_attempts = 0
     WHERE u.organization_id = org AND u.id = account_id;
    UPDATE mycelium_internal.credentials c SET locked_at = now(), failed_attempts = 0
     WHERE c.organization_id = org AND c.client_user_id = account_id;
    PERFORM mycelium_internal.end_sessions(org, account_id);
END;
$$;
COMMENT ON FUNCTION mycelium.lock_account(uuid) IS
    'Locks an account and ends its sessions until unlock_account (an ADMIN, or onboarding)';

-- ------ Password reset ------

-- For a "forgot your password" form: a secret for the application to mail to
-- the address, valid for valid_for. The same kind of answer for an unknown
-- address (docs/security.md, "Password reset").
CREATE OR REPLACE FUNCTION mycelium.request_password_reset(organization_id uuid, email text,
                                                           portal boolean DEFAULT false,
                                                           valid_for interval DEFAULT '1 hour')
    RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mycelium.require_writable('request_password_reset');
    PERFORM mycelium_internal.check_lifetime('request_password_reset', valid_for);
    RETURN mycelium_internal.secret_for_email('request_password_reset', organization_id, email, portal,
                                             'password_reset', valid_for);
END;
$$;
COMMENT ON FUNCTION mycelium.request_password_reset(uuid, text, boolean, interval) IS
    'Returns a password-reset secret to mail to the address (a look-alike for unknown addresses); rate-limited';

-- Sets a new password with a reset secret: the password meets the policy, the
-- earlier sessions end, a lock and the failed attempts are cleared, and the
-- address counts as verified (the secret came through it).
CREATE OR REPLACE FUNCTION mycelium.reset_password(secret text, new_password text,
                                                   OUT organization_id uuid, OUT account_id uuid, OUT portal boolean)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acct record;
    problem text;
BEGIN
    PERFORM mycelium.require_writable('reset_password');
    IF new_password IS NULL THEN
        RAISE EXCEPTION 'reset_password: a new password is required'
            USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    SELECT t.organization_id, t.account_id, t.portal INTO organization_id, account_id, portal
      FROM mycelium_internal.take_secret('reset_password', secret, 'password_reset') t;
    SELECT * INTO acct FROM mycelium_internal.account(organization_id, account_id);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'reset_password: the secret is not valid'
            USING ERRCODE = 'invalid_authorization_specification',
                  SCHEMA = 'mycelium', DETAIL = 'Its account no longer exists.';
    END IF;
    problem := mycelium_internal.password_problem(new_password, acct.email, acct.organization_name);
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'reset_password: %', problem USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    PERFORM mycelium_internal.store_password(organization_id, account_id, portal,
                                             mycelium_internal.hash_password(new_password), false);
    PERFORM mycelium_internal.mark_verified(organization_id, account_id, portal, true);
    INSERT INTO mycelium.activity_logs (organization_id, user_id, action, resource_type, resource_id, resource_name)
    VALUES (organization_id, CASE WHEN NOT portal THEN account_id END, 'password_reset',
            CASE WHEN portal THEN 'client_user' ELSE 'user' END, account_id, left(acct.email, 100));
END;
$$;
COMMENT ON FUNCTION mycelium.reset_password(text, text) IS
    'Sets a new password with a reset secret; ends earlier sessions and clears a lock';

-- ------ E-mail verification ------

-- Marks an account's address verified; with unlock, also clears a lock and
-- the failed attempts (a password reset). Written as the owner and logged by
-- the caller, not as an edit. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.mark_verified(organization_id uuid, account_id uuid, portal boolean,
                                                          unlock boolean) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM set_config('mycelium.in_job_statement', 'on', true);
    IF portal THEN
        UPDATE mycelium.client_users c SET email_verified = true
         WHERE c.organization_id = mark_verified.organization_id AND c.id = account_id AND NOT c.email_verified;
        IF unlock THEN
            UPDATE mycelium_internal.credentials k SET failed_attempts = 0, locked_at = NULL
             WHERE k.organization_id = mark_verified.organization_id AND k.client_user_id = account_id;
        END IF;
    ELSE
        UPDATE mycelium.users u
           SET email_verified = true,
               login_attempts = CASE WHEN unlock THEN 0 ELSE u.login_attempts END,
               locked_at = CASE WHEN unlock THEN NULL ELSE u.locked_at END
         WHERE u.organization_id = mark_verified.organization_id AND u.id = account_id;
    END IF;
    PERFORM set_config('mycelium.in_job_statement', 'off', true);
END;
$$;

-- A verification secret for an address, to mail to it (rate-limited, and a
-- look-alike for unknown addresses, as request_password_reset).
CREATE OR REPLACE FUNCTION mycelium.request_email_verification(organization_id uuid, email text,
                                                               portal boolean DEFAULT false,
                                                               valid_for interval DEFAULT '2 days')
    RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mycelium.require_writable('request_email_verification');
    PERFORM mycelium_internal.check_lifetime('request_email_verification', valid_for);
    RETURN mycelium_internal.secret_for_email('request_email_verification', organization_id, email, portal,
                                             'email_verification', valid_for);
END;
$$;
COMMENT ON FUNCTION mycelium.request_email_verification(uuid, text, boolean, interval) IS
    'Returns an e-mail verification secret to mail to the address (a look-alike for unknown addresses)';

-- Confirms an address with its verification secret.
CREATE OR REPLACE FUNCTION mycelium.verify_email(secret text,
                                                 OUT organization_id uuid, OUT account_id uuid, OUT portal boolean)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mycelium.require_writable('verify_email');
    SELECT t.organization_id, t.account_id, t.portal INTO organization_id, account_id, portal
      FROM mycelium_internal.take_secret('verify_email', secret, 'email_verification') t;
    PERFORM FROM mycelium_internal.account(organization_id, account_id);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'verify_email: the secret is not valid'
            USING ERRCODE = 'invalid_authorization_specification',
                  SCHEMA = 'mycelium', DETAIL = 'Its account no longer exists.';
    END IF;
    PERFORM mycelium_internal.mark_verified(organization_id, account_id, portal, false);
    INSERT INTO mycelium.activity_logs (organization_id, user_id, action, resource_type, resource_id)
    VALUES (organization_id, CASE WHEN NOT portal THEN account_id END, 'email_verified',
            CASE WHEN portal THEN 'client_user' ELSE 'user' END, account_id);
END;
$$;
COMMENT ON FUNCTION mycelium.verify_email(text) IS 'Confirms an account''s e-mail address with its verification secret';
