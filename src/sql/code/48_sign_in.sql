-- ====== Signing in (native: src/pg/sign_in.cpp) ======
-- CALL mycelium.sign_in(organization_id, email, password) checks a staff
-- member's password and returns a token for mycelium.authenticate, signed with
-- the database's 'jwt' key and valid for the organization's
-- session_timeout_hours. Every failure is the same error (28P01) after about the
-- same work; the reason goes to the activity log. Failed attempts count in
-- users.login_attempts, and reaching organization_settings.max_login_attempts
-- locks the account (users.locked_at) until an ADMIN unlocks it (setting
-- locked_at to NULL and login_attempts to 0). docs/security.md, "Signing in".

-- What an attempt leaves behind, written as the extension's owner by sign_in:
-- the counter and the lock, or their reset, the last sign-in and a hash remade
-- with today's parameters; and one activity-log row saying what happened. The
-- users update is logged by this row alone (in_job_statement), not as an edit.
CREATE OR REPLACE FUNCTION mycelium_internal.record_sign_in(organization_id uuid, user_id uuid, succeeded boolean,
                                                           reason text, email text, new_hash text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM set_config('mycelium.in_job_statement', 'on', true);
    IF succeeded THEN
        UPDATE mycelium.users u SET login_attempts = 0, locked_at = NULL, last_login_at = now()
         WHERE u.organization_id = record_sign_in.organization_id AND u.id = record_sign_in.user_id;
        IF new_hash IS NOT NULL THEN
            UPDATE mycelium_internal.credentials c SET password_hash = new_hash, changed_at = now()
             WHERE c.organization_id = record_sign_in.organization_id AND c.user_id = record_sign_in.user_id;
        END IF;
    ELSIF user_id IS NOT NULL THEN
        UPDATE mycelium.users u
           SET login_attempts = u.login_attempts + 1,
               locked_at = CASE WHEN u.locked_at IS NULL
                                 AND u.login_attempts + 1 >= coalesce(
                                     (SELECT s.max_login_attempts FROM mycelium.organization_settings s
                                       WHERE s.organization_id = u.organization_id), 5)
                                THEN now() ELSE u.locked_at END
         WHERE u.organization_id = record_sign_in.organization_id AND u.id = record_sign_in.user_id;
    END IF;
    PERFORM set_config('mycelium.in_job_statement', 'off', true);
    -- An unknown e-mail is recorded against the organization, if it exists.
    INSERT INTO mycelium.activity_logs (organization_id, user_id, action, resource_type, resource_id, resource_name,
                                        new_values)
    SELECT o.id, CASE WHEN succeeded THEN record_sign_in.user_id END,
           CASE WHEN succeeded THEN 'signed_in' ELSE 'sign_in_failed' END,
           CASE WHEN record_sign_in.user_id IS NULL THEN 'organization' ELSE 'user' END,
           coalesce(record_sign_in.user_id, o.id), left(email, 100),
           jsonb_build_object('reason', reason,
                              'locked', (SELECT u.locked_at IS NOT NULL FROM mycelium.users u
                                          WHERE u.organization_id = o.id AND u.id = record_sign_in.user_id))
      FROM mycelium.organizations o
     WHERE o.id = record_sign_in.organization_id;
END;
$$;

CREATE OR REPLACE PROCEDURE mycelium.sign_in(organization_id uuid, email text, password text,
                                             INOUT token text DEFAULT NULL, INOUT user_id uuid DEFAULT NULL,
                                             INOUT role text DEFAULT NULL, INOUT expires_at timestamptz DEFAULT NULL,
                                             INOUT password_change_required boolean DEFAULT NULL)
    AS 'MODULE_PATHNAME', 'mycelium_sign_in'
    LANGUAGE C;
COMMENT ON PROCEDURE mycelium.sign_in(uuid, text, text, text, uuid, text, timestamptz, boolean) IS
    'Checks a staff member''s password and returns a token for authenticate; run by CALL outside a transaction';
