-- ====== Signing up ======
-- An agency signs itself up, without a superuser: sign_up makes the
-- organization (with create_organization's defaults) and its first ADMIN, and
-- signs that ADMIN in. Only roles given the 'signup' kind (grant_access) may
-- call it, at most sign_ups_per_hour times an hour in the database (a setting,
-- 20 by default, 0 closes sign-up), counted across every caller: a bound on
-- what a script can make, whatever addresses it invents. The address is not
-- verified yet: sign_up returns a verification secret to mail, and with the
-- setting require_verified_email on, the ADMIN cannot act before verify_email.
-- docs/security.md, "Signing up".
CREATE OR REPLACE FUNCTION mycelium.sign_up(organization_name text, email text, name text, password text,
                                            timezone text DEFAULT 'UTC',
                                            OUT organization_id uuid, OUT user_id uuid, OUT token text,
                                            OUT role text, OUT expires_at timestamptz,
                                            OUT password_change_required boolean, OUT verification text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    per_hour integer := coalesce((SELECT s.value::integer FROM mycelium_internal.settings s
                                   WHERE s.name = 'sign_ups_per_hour'), 20);
    problem text;
    issued record;
BEGIN
    PERFORM mycelium.require_writable('sign_up');
    IF organization_name IS NULL OR email IS NULL OR name IS NULL OR password IS NULL THEN
        RAISE EXCEPTION 'sign_up: organization_name, email, name and password are required'
            USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    IF per_hour = 0 THEN
        RAISE EXCEPTION 'sign_up: this database does not take sign-ups'
            USING ERRCODE = 'insufficient_privilege',
                  SCHEMA = 'mycelium', HINT = 'The setting sign_ups_per_hour is 0.';
    END IF;
    PERFORM mycelium_internal.take_rate_limit('sign_up', 'sign_up', per_hour, interval '1 hour');
    -- Checked before anything is made, against the name the organization will have.
    problem := mycelium_internal.password_problem(password, email, organization_name);
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'sign_up: %', problem USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    organization_id := (mycelium.create_organization(organization_name, timezone => timezone)).id;
    INSERT INTO mycelium.users (organization_id, email, name, role, status)
    VALUES (sign_up.organization_id, sign_up.email, sign_up.name, 'ADMIN', 'ACTIVE')
    RETURNING id INTO user_id;
    PERFORM mycelium_internal.store_password(organization_id, user_id, false,
                                             mycelium_internal.hash_password(password), false);
    verification := mycelium_internal.issue_secret(organization_id, user_id, false, 'email_verification',
                                                   interval '2 days');
    role := 'ADMIN';
    password_change_required := false;
    SELECT * INTO issued
      FROM mycelium_internal.issue_token(organization_id, user_id, 'ADMIN', NULL,
                                         (SELECT s.session_timeout_hours FROM mycelium.organization_settings s
                                           WHERE s.organization_id = sign_up.organization_id),
                                         (SELECT f.generation FROM mycelium_internal.session_floors f
                                           WHERE f.organization_id = sign_up.organization_id
                                             AND f.account_id = sign_up.user_id));
    token := issued.token;
    expires_at := issued.expires_at;
    INSERT INTO mycelium.activity_logs (organization_id, user_id, action, resource_type, resource_id, resource_name)
    VALUES (organization_id, user_id, 'signed_up', 'organization', organization_id, left(organization_name, 100));
END;
$$;
COMMENT ON FUNCTION mycelium.sign_up(text, text, text, text, text) IS
    'Makes an organization and its first ADMIN, and signs the ADMIN in (the signup kind; rate-limited)';

-- A token for an account sign_up has just made. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.issue_token(organization_id uuid, user_id uuid, role text,
                                                        client_id uuid, lifetime_hours integer,
                                                        session bigint,
                                                        OUT token text, OUT expires_at timestamptz)
    AS 'MODULE_PATHNAME', 'mycelium_issue_token'
    LANGUAGE C VOLATILE;
