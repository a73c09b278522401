-- ====== Signing in (native: src/pg/sign_in.cpp) ======
-- CALL mycelium.sign_in(organization_id, email, password [, portal => true])
-- checks a staff member's (or a portal user's) password and returns a token for mycelium.authenticate, signed with
-- the database's 'jwt' key and valid for the organization's
-- session_timeout_hours. Every failure is the same error (28P01) after about the
-- same work; the reason goes to the activity log. Failed attempts count in
-- users.login_attempts, and reaching organization_settings.max_login_attempts
-- locks the account (users.locked_at; a portal account's count and lock are in
-- its credentials row) until an ADMIN unlocks it (mycelium.unlock_account).
-- docs/security.md, "Signing in".

-- Whether an account's lock holds: one that failed sign-ins set (the attempts
-- reached the maximum) ends after the setting lockout_minutes (30; 0: never);
-- one an ADMIN set (lock_account, or locked_at written directly, without the
-- attempts) holds until unlock_account. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.lock_holds(locked_at timestamptz, attempts integer,
                                                       max_attempts integer) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT locked_at IS NOT NULL
           AND NOT (attempts >= max_attempts
                    AND coalesce((SELECT s.value::integer FROM mycelium_internal.settings s
                                   WHERE s.name = 'lockout_minutes'), 30) > 0
                    AND locked_at <= now() - make_interval(mins => coalesce(
                            (SELECT s.value::integer FROM mycelium_internal.settings s
                              WHERE s.name = 'lockout_minutes'), 30)))
$$;

-- What an attempt leaves behind, written as the extension's owner by sign_in:
-- the counter and the lock, or their reset, the last sign-in, a hash remade
-- with today's parameters, a temporary password spent (reason 'temporary
-- password': it opens one session only); and one activity-log row saying what
-- happened. The
-- users update is logged by this row alone (in_job_statement), not as an edit.
CREATE OR REPLACE FUNCTION mycelium_internal.record_sign_in(organization_id uuid, portal boolean, account_id uuid,
                                                           succeeded boolean, reason text, email text, new_hash text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    max_attempts integer := coalesce((SELECT s.max_login_attempts FROM mycelium.organization_settings s
                                       WHERE s.organization_id = record_sign_in.organization_id), 5);
    locked boolean;
BEGIN
    PERFORM set_config('mycelium.in_job_statement', 'on', true);
    IF account_id IS NULL THEN
        NULL;  -- an unknown e-mail: nothing to count
    ELSIF portal THEN
        IF succeeded THEN
            UPDATE mycelium.client_users cu SET last_login_at = now()
             WHERE cu.organization_id = record_sign_in.organization_id AND cu.id = account_id;
        END IF;
        -- A lock that has run out starts the count again.
        UPDATE mycelium_internal.credentials c
           SET failed_attempts = CASE WHEN succeeded THEN 0
                                      WHEN c.locked_at IS NOT NULL
                                           AND NOT mycelium_internal.lock_holds(c.locked_at, c.failed_attempts,
                                                                               max_attempts) THEN 1
                                      ELSE c.failed_attempts + 1 END,
               locked_at = CASE WHEN succeeded THEN NULL
                                WHEN c.locked_at IS NOT NULL
                                     AND NOT mycelium_internal.lock_holds(c.locked_at, c.failed_attempts,
                                                                         max_attempts)
                                    THEN CASE WHEN 1 >= max_attempts THEN now() END
                                WHEN c.locked_at IS NULL AND c.failed_attempts + 1 >= max_attempts THEN now()
                                ELSE c.locked_at END,
               password_hash = CASE WHEN succeeded AND new_hash IS NOT NULL THEN new_hash ELSE c.password_hash END,
               temporary_used_at = CASE WHEN succeeded AND reason = 'temporary password' THEN now()
                                        ELSE c.temporary_used_at END
         WHERE c.organization_id = record_sign_in.organization_id AND c.client_user_id = account_id
        RETURNING c.locked_at IS NOT NULL INTO locked;
    ELSE
        UPDATE mycelium.users u
           SET login_attempts = CASE WHEN succeeded THEN 0
                                     WHEN u.locked_at IS NOT NULL
                                          AND NOT mycelium_internal.lock_holds(u.locked_at, u.login_attempts,
                                                                              max_attempts) THEN 1
                                     ELSE u.login_attempts + 1 END,
               locked_at = CASE WHEN succeeded THEN NULL
                                WHEN u.locked_at IS NOT NULL
                                     AND NOT mycelium_internal.lock_holds(u.locked_at, u.login_attempts,
                                                                         max_attempts)
                                    THEN CASE WHEN 1 >= max_attempts THEN now() END
                                WHEN u.locked_at IS NULL AND u.login_attempts + 1 >= max_attempts THEN now()
                                ELSE u.locked_at END,
               last_login_at = CASE WHEN succeeded THEN now() ELSE u.last_login_at END
         WHERE u.organization_id = record_sign_in.organization_id AND u.id = account_id
        RETURNING u.locked_at IS NOT NULL INTO locked;
        IF succeeded AND (new_hash IS NOT NULL OR reason = 'temporary password') THEN
            UPDATE mycelium_internal.credentials c
               SET password_hash = coalesce(new_hash, c.password_hash),
                   changed_at = CASE WHEN new_hash IS NOT NULL THEN now() ELSE c.changed_at END,
                   temporary_used_at = CASE WHEN reason = 'temporary password' THEN now() ELSE c.temporary_used_at END
             WHERE c.organization_id = record_sign_in.organization_id AND c.user_id = account_id;
        END IF;
    END IF;
    PERFORM set_config('mycelium.in_job_statement', 'off', true);
    -- An unknown e-mail is recorded against the organization, if it exists.
    INSERT INTO mycelium.activity_logs (organization_id, user_id, action, resource_type, resource_id, resource_name,
                                        new_values)
    SELECT o.id, CASE WHEN succeeded AND NOT portal THEN account_id END,
           CASE WHEN succeeded THEN 'signed_in' ELSE 'sign_in_failed' END,
           CASE WHEN account_id IS NULL THEN 'organization' WHEN portal THEN 'client_user' ELSE 'user' END,
           coalesce(account_id, o.id), left(email, 100),
           jsonb_build_object('reason', reason, 'portal', portal, 'locked', locked)
      FROM mycelium.organizations o
     WHERE o.id = record_sign_in.organization_id;
END;
$$;

-- Unlocks an account after too many failed sign-ins: an ADMIN of its
-- organization, or a maintenance role without a context. (A staff account's
-- lock is also its users row's, which an ADMIN may update directly.)
CREATE OR REPLACE FUNCTION mycelium.unlock_account(account_id uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid;
BEGIN
    PERFORM mycelium.require_writable('unlock_account');
    org := mycelium_internal.password_target('unlock_account', account_id);
    UPDATE mycelium.users u SET login_attempts = 0, locked_at = NULL
     WHERE u.organization_id = org AND u.id = account_id AND (u.login_attempts <> 0 OR u.locked_at IS NOT NULL);
    UPDATE mycelium_internal.credentials c SET failed_attempts = 0, locked_at = NULL
     WHERE c.organization_id = org AND c.client_user_id = account_id;
END;
$$;
COMMENT ON FUNCTION mycelium.unlock_account(uuid) IS
    'Clears an account''s failed sign-ins and lock (an ADMIN of its organization, or onboarding)';

CREATE OR REPLACE PROCEDURE mycelium.sign_in(organization_id uuid, email text, password text,
                                             portal boolean DEFAULT false,
                                             INOUT token text DEFAULT NULL, INOUT user_id uuid DEFAULT NULL,
                                             INOUT role text DEFAULT NULL, INOUT expires_at timestamptz DEFAULT NULL,
                                             INOUT password_change_required boolean DEFAULT NULL)
    AS 'MODULE_PATHNAME', 'mycelium_sign_in'
    LANGUAGE C;
COMMENT ON PROCEDURE mycelium.sign_in(uuid, text, text, boolean, text, uuid, text, timestamptz, boolean) IS
    'Checks a staff or portal user''s password and returns a token for authenticate; CALL outside a transaction';

-- ------ Ending sessions ------
-- A staff account locked, deactivated or given another role, or a portal
-- account deactivated or given another role, keeps no session it had.
-- SECURITY DEFINER: an ADMIN's update ends sessions in a table no one else
-- reaches; it writes only the floor of the rows the statement changed.
CREATE OR REPLACE FUNCTION mycelium_internal.end_sessions_on_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mycelium_internal.end_sessions(NEW.organization_id, NEW.id);
    RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER end_sessions AFTER UPDATE OF status, role, locked_at ON mycelium.users
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.role IS DISTINCT FROM NEW.role
                       OR (NEW.locked_at IS NOT NULL AND NEW.locked_at IS DISTINCT FROM OLD.locked_at))
    EXECUTE FUNCTION mycelium_internal.end_sessions_on_change();
CREATE OR REPLACE TRIGGER end_sessions AFTER UPDATE OF is_active, role ON mycelium.client_users
    FOR EACH ROW WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active OR OLD.role IS DISTINCT FROM NEW.role)
    EXECUTE FUNCTION mycelium_internal.end_sessions_on_change();

-- Signs out: the session of the token authenticate accepted in this
-- transaction (its "jti"; sign_in's tokens all have one), or, with everywhere,
-- or when the session has no token of its own to name (set_context,
-- request.jwt.claims, a token without "jti"), every session of the account.
CREATE OR REPLACE FUNCTION mycelium.sign_out(everywhere boolean DEFAULT false) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid := mycelium.current_organization_id();
    me uuid := mycelium.current_app_user_id();
    current record;
BEGIN
    PERFORM mycelium.require_writable('sign_out');
    IF org IS NULL OR me IS NULL THEN
        SELECT a.organization_id, a.user_id INTO org, me FROM mycelium_internal.password_change_account() a;
    END IF;
    IF org IS NULL OR me IS NULL THEN
        RAISE EXCEPTION 'sign_out: needs a tenant context' USING ERRCODE = '28M01', SCHEMA = 'mycelium';
    END IF;
    current := mycelium_internal.current_token();
    IF coalesce(everywhere, false) OR current.token_id IS NULL OR current.organization_id IS DISTINCT FROM org THEN
        PERFORM mycelium_internal.end_sessions(org, me);
        RETURN;
    END IF;
    DELETE FROM mycelium_internal.revoked_tokens r WHERE r.expires_at < now();
    INSERT INTO mycelium_internal.revoked_tokens (organization_id, token_id, expires_at)
    VALUES (org, current.token_id, current.expires_at)
    ON CONFLICT DO NOTHING;
END;
$$;
COMMENT ON FUNCTION mycelium.sign_out(boolean) IS
    'Ends this session (its token), or with everywhere every session of the context''s account';

