-- ====== Passwords (native hashing: src/core/password.*, src/pg/password.cpp) ======
-- An account's password is kept as an Argon2id hash (or an imported bcrypt hash)
-- in mycelium_internal.credentials, which no application role can read: never in
-- users or client_users, never in the activity log, never returned. The hashing
-- parameters and the shortest password are settings (mycelium.configure). Who
-- sets what: an ADMIN sets a password for an account of the organization (which
-- must then be changed), the account's own user changes it knowing the current
-- one, and onboarding (a maintenance role, without a context) sets one or imports
-- a hash from an identity service. docs/security.md, "Passwords".

CREATE OR REPLACE FUNCTION mycelium_internal.is_supported_hash(hash text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'mycelium_is_supported_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION mycelium_internal.hash_password(password text) RETURNS text
    AS 'MODULE_PATHNAME', 'mycelium_hash_password'
    LANGUAGE C VOLATILE STRICT;
CREATE OR REPLACE FUNCTION mycelium_internal.verify_password(password text, hash text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'mycelium_verify_password'
    LANGUAGE C IMMUTABLE STRICT;
CREATE OR REPLACE FUNCTION mycelium_internal.password_needs_rehash(hash text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'mycelium_password_needs_rehash'
    LANGUAGE C STABLE STRICT;
CREATE OR REPLACE FUNCTION mycelium_internal.password_problem(password text, email text, organization_name text)
    RETURNS text
    AS 'MODULE_PATHNAME', 'mycelium_password_problem'
    LANGUAGE C STABLE STRICT;

-- The account an id names in an organization: a user (staff) or a portal user,
-- with what the policy compares a password with. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.account(organization_id uuid, account_id uuid,
                                                    OUT portal boolean, OUT email text, OUT organization_name text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT false, u.email, o.name
      FROM mycelium.users u JOIN mycelium.organizations o ON o.id = u.organization_id
     WHERE u.organization_id = account.organization_id AND u.id = account.account_id
    UNION ALL
    SELECT true, c.email, o.name
      FROM mycelium.client_users c JOIN mycelium.organizations o ON o.id = c.organization_id
     WHERE c.organization_id = account.organization_id AND c.id = account.account_id
    LIMIT 1
$$;

-- Ends an account's sessions: every token it was given so far is refused by
-- authenticate (mycelium_internal.token_revoked). sign_in's tokens carry the
-- generation they were issued under; others are judged by their "iat", in
-- whole seconds, so the floor is the next whole second. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.end_sessions(organization_id uuid, account_id uuid) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO mycelium_internal.session_floors AS f (organization_id, account_id, not_before)
    VALUES (organization_id, account_id, date_trunc('second', clock_timestamp()) + interval '1 second')
    ON CONFLICT (organization_id, account_id)
    DO UPDATE SET not_before = EXCLUDED.not_before, generation = f.generation + 1;
$$;

-- Stores a hash for an account (replacing any, with its temporary state), unchecked,
-- and ends the account's sessions. temporary_until: a temporary password's end.
-- Private.
CREATE OR REPLACE FUNCTION mycelium_internal.store_password(organization_id uuid, account_id uuid, portal boolean,
                                                           hash text, must_change boolean,
                                                           temporary_until timestamptz DEFAULT NULL) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    DELETE FROM mycelium_internal.credentials c
     WHERE c.organization_id = store_password.organization_id
       AND (CASE WHEN portal THEN c.client_user_id ELSE c.user_id END) = account_id;
    INSERT INTO mycelium_internal.credentials (organization_id, user_id, client_user_id, password_hash,
                                               must_change_password, temporary_until)
    VALUES (organization_id, CASE WHEN NOT portal THEN account_id END, CASE WHEN portal THEN account_id END,
            hash, must_change OR temporary_until IS NOT NULL, temporary_until);
    -- A new password ends the sessions the old one opened.
    SELECT mycelium_internal.end_sessions(organization_id, account_id);
$$;

-- The organization a password function acts in for an account: with a context,
-- only an ADMIN's own; without one, a maintenance role's (as for the jobs).
CREATE OR REPLACE FUNCTION mycelium_internal.password_target(fn text, account_id uuid) RETURNS uuid
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    orgs uuid[];
    found uuid;
BEGIN
    IF account_id IS NULL THEN
        RAISE EXCEPTION '%: an account id is required', fn
            USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    orgs := mycelium_internal.acting_organizations(fn, NULL);
    SELECT x.organization_id INTO found
      FROM (SELECT u.organization_id FROM mycelium.users u WHERE u.id = account_id
            UNION ALL
            SELECT c.organization_id FROM mycelium.client_users c WHERE c.id = account_id) x
     WHERE x.organization_id = ANY (orgs)
     LIMIT 1;
    IF found IS NULL THEN
        RAISE EXCEPTION '%: % is not an account of the organization', fn, account_id
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    RETURN found;
END;
$$;

-- Sets an account's password: an ADMIN for a user or portal user of the
-- organization, or onboarding without a context (a maintenance role). The
-- account must change it at its next sign-in if must_change says so, or, when
-- must_change is NULL, if the organization's require_password_change is on (no
-- settings row: on): until then its sessions may only change_password. The
-- password meets the policy (22023, naming the rule, never the password).
-- SECURITY DEFINER: it writes credentials, which no caller can reach.
CREATE OR REPLACE FUNCTION mycelium.set_password(account_id uuid, password text, must_change boolean DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid;
    acct record;
    problem text;
BEGIN
    PERFORM mycelium.require_writable('set_password');
    org := mycelium_internal.password_target('set_password', account_id);
    IF password IS NULL THEN
        RAISE EXCEPTION 'set_password: a password is required'
            USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    acct := mycelium_internal.account(org, account_id);
    problem := mycelium_internal.password_problem(password, acct.email, acct.organization_name);
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'set_password: %', problem USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    PERFORM mycelium_internal.store_password(
        org, account_id, acct.portal, mycelium_internal.hash_password(password),
        coalesce(must_change, (SELECT s.require_password_change FROM mycelium.organization_settings s
                                WHERE s.organization_id = org), true));
END;
$$;
COMMENT ON FUNCTION mycelium.set_password(uuid, text, boolean) IS
    'Sets an account''s password (an ADMIN of its organization, or onboarding); to be changed at next sign-in unless must_change is false';

-- The context's own account changes its password, knowing the current one; also
-- the one thing a password-change session (a temporary password, a password an
-- ADMIN set) may do. The new password ends every session, this one included.
CREATE OR REPLACE FUNCTION mycelium.change_password(current_password text, new_password text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid := mycelium.current_organization_id();
    me uuid := mycelium.current_app_user_id();
    acct record;
    stored text;
    problem text;
BEGIN
    PERFORM mycelium.require_writable('change_password');
    IF org IS NULL OR me IS NULL THEN
        SELECT a.organization_id, a.user_id INTO org, me FROM mycelium_internal.password_change_account() a;
    END IF;
    IF org IS NULL OR me IS NULL THEN
        RAISE EXCEPTION 'change_password: needs a tenant context' USING ERRCODE = '28M01', SCHEMA = 'mycelium';
    END IF;
    IF current_password IS NULL OR new_password IS NULL THEN
        RAISE EXCEPTION 'change_password: the current and the new password are required'
            USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    acct := mycelium_internal.account(org, me);
    SELECT c.password_hash INTO stored
      FROM mycelium_internal.credentials c
     WHERE c.organization_id = org AND (CASE WHEN acct.portal THEN c.client_user_id ELSE c.user_id END) = me
       FOR UPDATE;
    IF stored IS NULL OR NOT mycelium_internal.verify_password(current_password, stored) THEN
        RAISE EXCEPTION 'change_password: the current password is not right'
            USING ERRCODE = 'invalid_password', SCHEMA = 'mycelium';
    END IF;
    problem := mycelium_internal.password_problem(new_password, acct.email, acct.organization_name);
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'change_password: %', problem USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    PERFORM mycelium_internal.store_password(org, me, acct.portal, mycelium_internal.hash_password(new_password),
                                             false);
END;
$$;
COMMENT ON FUNCTION mycelium.change_password(text, text) IS
    'Changes the password of the context''s own account, given the current one';

-- Onboarding from an identity service: an account's existing hash, kept as it is
-- (bcrypt $2a$/$2b$/$2y$, or Argon2id) until a sign-in replaces it with
-- Argon2id. Without a context only (a maintenance role): a hash is not a
-- password, and no policy can be checked on it.
CREATE OR REPLACE FUNCTION mycelium.import_password_hash(account_id uuid, hash text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid;
BEGIN
    PERFORM mycelium.require_writable('import_password_hash');
    IF mycelium.current_organization_id() IS NOT NULL THEN
        RAISE EXCEPTION 'import_password_hash: for onboarding without a tenant context'
            USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium';
    END IF;
    org := mycelium_internal.password_target('import_password_hash', account_id);
    IF hash IS NULL OR NOT mycelium_internal.is_supported_hash(hash) THEN
        RAISE EXCEPTION 'import_password_hash: not a hash Mycelium can check'
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium',
                  HINT = 'bcrypt ($2a$, $2b$, $2y$) or Argon2id ($argon2id$v=19$m=..,t=..,p=..) in PHC form.';
    END IF;
    PERFORM mycelium_internal.store_password(org, account_id, (mycelium_internal.account(org, account_id)).portal,
                                             hash, false);
END;
$$;
COMMENT ON FUNCTION mycelium.import_password_hash(uuid, text) IS
    'Keeps an account''s hash from an identity service (bcrypt or Argon2id), for onboarding';
