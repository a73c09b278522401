-- ====== Tenant context ======
-- Who is acting, for which organization, in which role. Three ways to set it,
-- all transaction-scoped so that a pooled connection never carries one request's
-- tenant into the next (docs/security.md):
--   1. mycelium.authenticate(token): verifies a signed HS256 token;
--   2. mycelium.set_context(...): for applications that talk SQL directly;
--   3. the request.jwt.claims setting of PostgREST / Supabase-style servers.
-- 1 and 2 store the context in the setting mycelium.context, sealed with an HMAC
-- under the server's key and bound to this transaction, so that plain SQL can
-- neither forge it nor replay it later. The read functions below verify the seal
-- (caching the result per distinct value) and fall back to request.jwt.claims
-- unless mycelium.require_signed_context is on. Missing, empty (as PostgreSQL
-- reads a SET LOCAL setting back after its transaction) or malformed values mean
-- "no context": no tenant rows, never an error.


CREATE OR REPLACE FUNCTION mycelium.current_organization_id() RETURNS uuid
    AS 'MODULE_PATHNAME', 'mycelium_current_organization_id'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION mycelium.current_app_user_id() RETURNS uuid
    AS 'MODULE_PATHNAME', 'mycelium_current_app_user_id'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION mycelium.current_app_role() RETURNS text
    AS 'MODULE_PATHNAME', 'mycelium_current_app_role'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION mycelium.current_client_id() RETURNS uuid
    AS 'MODULE_PATHNAME', 'mycelium_current_client_id'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION mycelium.current_service_access() RETURNS text[]
    AS 'MODULE_PATHNAME', 'mycelium_current_service_access'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION mycelium.current_organization_id_for(kind text) RETURNS uuid
    AS 'MODULE_PATHNAME', 'mycelium_current_organization_id_for'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.current_organization_id() IS 'The organization of the current context, or NULL';
COMMENT ON FUNCTION mycelium.current_organization_id_for(text) IS
    'The organization of the current context if its role is of that kind (admin, staff or portal), else NULL';
COMMENT ON FUNCTION mycelium.current_app_user_id() IS
    'The acting user of the current context (users.id, or client_users.id for role CLIENT), or NULL';
COMMENT ON FUNCTION mycelium.current_app_role() IS 'The application role of the current context, or NULL';
COMMENT ON FUNCTION mycelium.current_client_id() IS 'The client of a CLIENT (portal) context, or NULL';
COMMENT ON FUNCTION mycelium.current_service_access() IS
    'The service type slugs a CUSTOM role may work on ({} when none)';

-- Seals a context into mycelium.context for the rest of the transaction. Private:
-- only set_context and authenticate, which check what they seal, may call it.
CREATE OR REPLACE FUNCTION mycelium_internal.seal_context(organization_id uuid, user_id uuid, role text, client_id uuid,
                                      service_access text[], expires_at timestamptz) RETURNS void
    AS 'MODULE_PATHNAME', 'mycelium_seal_context'
    LANGUAGE C VOLATILE;

-- Verifies an HS256 token with the 'jwt' key and returns its claims (issued_at:
-- its "iat", session: its "mycelium_session", token_id: its "jti", each NULL
-- when absent). Private.
CREATE OR REPLACE FUNCTION mycelium_internal.verify_token(token text,
                                      OUT organization_id uuid, OUT user_id uuid, OUT role text,
                                      OUT client_id uuid, OUT service_access text[], OUT expires_at timestamptz,
                                      OUT issued_at timestamptz, OUT session bigint, OUT token_id text)
    AS 'MODULE_PATHNAME', 'mycelium_verify_token'
    LANGUAGE C STABLE STRICT;

-- Whether a context names a real, active member of the organization: problem
-- is NULL and, for a portal user, client_id is its client (taken from its row,
-- never from the caller); or problem says what is wrong. The one check behind
-- every way a context is set: establish_context (for set_context and
-- authenticate) and the native check of request.jwt.claims. An account that
-- must change its password (mycelium_internal.credentials) is a member, but
-- password_change_only: it gets no tenant context, only the password-change
-- session establish_context seals. With the setting require_verified_email on,
-- an account whose e-mail address is not verified is no member. A CUSTOM
-- user's services come from its row (users.permissions), never from the
-- caller. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.check_member(organization_id uuid, user_id uuid, role text,
                                      OUT client_id uuid, OUT problem text,
                                      OUT password_change_only boolean, OUT service_access text[])
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found_role text;
    found_status text;
    found_active boolean;
    portal_on boolean;
    verified boolean;
BEGIN
    password_change_only := false;
    IF role = 'CLIENT' THEN
        -- A portal user acts only while the organization's client portal is on
        -- (organization_settings.enable_client_portal; no settings row: on) and its
        -- client is neither TERMINATED nor ARCHIVED.
        SELECT cu.client_id, cu.is_active, c.status::text, coalesce(s.enable_client_portal, true), cu.email_verified,
               coalesce(k.must_change_password, false)
          INTO client_id, found_active, found_status, portal_on, verified, password_change_only
          FROM mycelium.client_users cu
          JOIN mycelium.clients c ON c.organization_id = cu.organization_id AND c.id = cu.client_id
          LEFT JOIN mycelium.organization_settings s ON s.organization_id = cu.organization_id
          LEFT JOIN mycelium_internal.credentials k
                 ON k.organization_id = cu.organization_id AND k.client_user_id = cu.id
         WHERE cu.organization_id = check_member.organization_id AND cu.id = check_member.user_id;
        IF NOT FOUND OR NOT found_active THEN
            problem := format('%s is not an active portal user of organization %s', user_id, organization_id);
        ELSIF NOT portal_on THEN
            problem := format('organization %s has switched its client portal off', organization_id);
        ELSIF found_status IN ('TERMINATED', 'ARCHIVED') THEN
            problem := format('the client of portal user %s is %s', user_id, found_status);
        END IF;
    ELSE
        SELECT u.role::text, u.status::text, u.email_verified, coalesce(k.must_change_password, false),
               CASE WHEN u.role = 'CUSTOM' THEN mycelium_internal.custom_services(u.permissions) ELSE '{}' END
          INTO found_role, found_status, verified, password_change_only, service_access
          FROM mycelium.users u
          LEFT JOIN mycelium_internal.credentials k ON k.organization_id = u.organization_id AND k.user_id = u.id
         WHERE u.organization_id = check_member.organization_id AND u.id = check_member.user_id;
        IF NOT FOUND OR found_status <> 'ACTIVE' THEN
            problem := format('%s is not an active user of organization %s', user_id, organization_id);
        ELSIF found_role <> role THEN
            problem := format('user %s has role %s, not %s', user_id, found_role, role);
        END IF;
    END IF;
    IF problem IS NULL AND NOT verified
       AND EXISTS (SELECT FROM mycelium_internal.settings x
                    WHERE x.name = 'require_verified_email' AND x.value = 'on') THEN
        problem := format('%s has not verified its e-mail address', user_id);
    END IF;
    service_access := coalesce(service_access, '{}');
    IF problem IS NOT NULL THEN
        client_id := NULL;
        service_access := '{}';
        password_change_only := false;
    ELSIF password_change_only THEN
        problem := format('%s must change its password first', user_id);
    END IF;
END;
$$;

-- Checks the context with check_member and seals it; for an account that must
-- change its password, seals only a password-change session
-- (mycelium_internal.password_change_account), which no policy reads.
CREATE OR REPLACE FUNCTION mycelium_internal.establish_context(organization_id uuid, user_id uuid, role text,
                                           client_id uuid, service_access text[], expires_at timestamptz,
                                           via text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    member record;
BEGIN
    IF organization_id IS NULL OR user_id IS NULL OR role IS NULL THEN
        RAISE EXCEPTION '%: organization_id, user_id and role are required', via
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    -- The roles are the labels of the enum mycelium.user_role, their one source.
    IF role <> ALL (enum_range(NULL::mycelium.user_role)::text[]) THEN
        RAISE EXCEPTION '%: unknown role %', via, quote_literal(left(role, 100))
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium', DATATYPE = 'user_role',
                  HINT = 'One of ' || array_to_string(enum_range(NULL::mycelium.user_role), ', ') || '.';
    END IF;
    member := mycelium_internal.check_member(organization_id, user_id, role);
    IF member.problem IS NOT NULL AND NOT member.password_change_only THEN
        RAISE EXCEPTION '%: %', via, member.problem
            USING ERRCODE = 'invalid_authorization_specification',
                  SCHEMA = 'mycelium', TABLE = CASE WHEN role = 'CLIENT' THEN 'client_users' ELSE 'users' END;
    END IF;
    IF role = 'CLIENT' AND client_id IS NOT NULL AND client_id <> member.client_id THEN
        RAISE EXCEPTION '%: portal user % belongs to another client', via, user_id
            USING ERRCODE = 'invalid_authorization_specification',
                  SCHEMA = 'mycelium', TABLE = 'client_users', COLUMN = 'client_id';
    END IF;
    -- Whatever the transaction had is gone: a password-change session and a
    -- tenant context never stand together.
    PERFORM set_config('mycelium.context', '', true), set_config('mycelium.password_change_context', '', true);
    IF member.password_change_only THEN
        PERFORM mycelium_internal.seal_password_change(organization_id, user_id, role, member.client_id, expires_at);
        RETURN;
    END IF;
    IF role = 'CLIENT' THEN
        PERFORM mycelium_internal.seal_context(organization_id, user_id, role, member.client_id, '{}', expires_at);
        RETURN;
    END IF;
    PERFORM mycelium_internal.seal_context(organization_id, user_id, role, NULL, member.service_access, expires_at);
END;
$$;

-- Seals a password-change session: the account, for change_password and
-- sign_out, and nothing a policy reads. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.seal_password_change(organization_id uuid, user_id uuid, role text,
                                                                 client_id uuid, expires_at timestamptz)
    RETURNS void
    AS 'MODULE_PATHNAME', 'mycelium_seal_password_change'
    LANGUAGE C VOLATILE;

-- The account of this transaction's password-change session, or NULLs. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.password_change_account(OUT organization_id uuid, OUT user_id uuid)
    AS 'MODULE_PATHNAME', 'mycelium_password_change_account'
    LANGUAGE C STABLE;

-- The organization whose ADMIN the context is, for the functions only an ADMIN
-- may call: "<fn>: only an ADMIN of the organization may <what>", 42501 for
-- anyone else, 28M01 without a context (docs/errors.md). Private.
CREATE OR REPLACE FUNCTION mycelium_internal.admin_organization(fn text, what text) RETURNS uuid
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF mycelium.current_organization_id() IS NULL THEN
        RAISE EXCEPTION '%: only an ADMIN of the organization may %', fn, what
            USING ERRCODE = '28M01', SCHEMA = 'mycelium',
                  HINT = 'Call mycelium.authenticate(token) or mycelium.set_context(...) as an ADMIN first.';
    END IF;
    IF mycelium.current_app_role() IS DISTINCT FROM 'ADMIN' THEN
        RAISE EXCEPTION '%: only an ADMIN of the organization may %', fn, what
            USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium';
    END IF;
    RETURN mycelium.current_organization_id();
END;
$$;

-- Whether only signed contexts count: the server setting
-- mycelium.require_signed_context, or the switch of that name in mycelium_internal.settings
-- (mycelium.configure), which a dump carries. Read by the library (which this
-- call loads first), never through current_setting(): before the library is
-- loaded in a backend, any role may SET the placeholder of that name.
CREATE OR REPLACE FUNCTION mycelium.signed_context_required() RETURNS boolean
    AS 'MODULE_PATHNAME', 'mycelium_signed_context_required'
    LANGUAGE C STABLE PARALLEL SAFE;

-- For applications that talk to the database directly. Refused for roles that
-- are not superusers once mycelium.require_signed_context is on. The checks
-- behind mycelium.set_context (below), which then chooses the database role.
CREATE OR REPLACE FUNCTION mycelium_internal.set_context(organization_id uuid, user_id uuid, role text,
                                              client_id uuid, service_access text[])
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF mycelium.signed_context_required()
       AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user) THEN
        RAISE EXCEPTION 'set_context: this database accepts only signed tokens'
            USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium',
                  HINT = 'Call mycelium.authenticate(token); mycelium.require_signed_context is on.';
    END IF;
    -- A CUSTOM user's services are its row's (users.permissions); a caller that
    -- names others is told so rather than silently given fewer.
    IF cardinality(service_access) > 0 THEN
        IF array_position(service_access, NULL) IS NOT NULL THEN
            RAISE EXCEPTION 'set_context: service_access holds a NULL'
                USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
        END IF;
        IF EXISTS (SELECT FROM unnest(service_access) s WHERE s !~ '^[a-z0-9]+(-[a-z0-9]+)*$' OR length(s) > 100) THEN
            RAISE EXCEPTION 'set_context: service_access has an invalid slug'
                USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
        END IF;
        IF ARRAY(SELECT DISTINCT s FROM unnest(service_access) s ORDER BY 1)
           IS DISTINCT FROM (SELECT mycelium_internal.custom_services(u.permissions) FROM mycelium.users u
                              WHERE u.organization_id = set_context.organization_id AND u.id = set_context.user_id
                                AND u.role = 'CUSTOM' AND set_context.role = 'CUSTOM') THEN
            RAISE EXCEPTION 'set_context: service_access is not the user''s'
                USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium',
                      DETAIL = 'A CUSTOM user''s services are its users.permissions, which an ADMIN writes.',
                      HINT = 'Leave service_access out.';
        END IF;
    END IF;
    PERFORM mycelium_internal.establish_context(organization_id, user_id, role, client_id, service_access,
                                       mycelium_internal.session_end(organization_id, now()), 'set_context');
END;
$$;

-- The entry points run as the caller (src/pg/context_entry.cpp): after the
-- checks above, a portal user's context makes the rest of the transaction act
-- as the role mycelium_portal, which PostgreSQL allows only outside SECURITY
-- DEFINER functions.
CREATE OR REPLACE FUNCTION mycelium.set_context(organization_id uuid, user_id uuid, role text,
                                     client_id uuid DEFAULT NULL, service_access text[] DEFAULT '{}')
    RETURNS void
    AS 'MODULE_PATHNAME', 'mycelium_set_context'
    LANGUAGE C VOLATILE SECURITY INVOKER;
COMMENT ON FUNCTION mycelium.set_context(uuid, uuid, text, uuid, text[]) IS
    'Sets the tenant context for the rest of the transaction, after checking the user';

-- Whether a token's session has ended: its account's sessions were ended
-- after it was issued (a new password, a lock, a new role or status,
-- sign_out(everywhere)), or it was signed out alone. Tokens sign_in issues
-- carry the count of ended sessions they were issued under (session); any
-- other token is judged by its "iat" against the floor, in whole seconds, and
-- one without "iat" cannot show it is newer. Private.
-- This and session_end run at every authenticate: PL/pgSQL rather than SQL,
-- which would plan their query again at every call (a SQL function with SET
-- is never inlined); PL/pgSQL keeps the plan for the session.
CREATE OR REPLACE FUNCTION mycelium_internal.token_revoked(organization_id uuid, account_id uuid,
                                                          issued_at timestamptz, session bigint, token_id text)
    RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN EXISTS (SELECT FROM mycelium_internal.session_floors f
                    WHERE f.organization_id = token_revoked.organization_id AND f.account_id = token_revoked.account_id
                      AND CASE WHEN token_revoked.session IS NOT NULL THEN token_revoked.session < f.generation
                               ELSE token_revoked.issued_at IS NULL OR token_revoked.issued_at < f.not_before END)
        OR (token_revoked.token_id IS NOT NULL
            AND EXISTS (SELECT FROM mycelium_internal.revoked_tokens r
                         WHERE r.organization_id = token_revoked.organization_id
                           AND r.token_id = token_revoked.token_id));
END;
$$;

-- How long a session of the organization may last from its start: its
-- session_timeout_hours (no settings row: 24). Private.
CREATE OR REPLACE FUNCTION mycelium_internal.session_end(organization_id uuid, started timestamptz)
    RETURNS timestamptz
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN started + make_interval(hours => coalesce(
        (SELECT s.session_timeout_hours FROM mycelium.organization_settings s
          WHERE s.organization_id = session_end.organization_id), 24));
END;
$$;

-- A token's context for the rest of the transaction: refused if revoked, and
-- sealed until the token expires or the organization's session timeout,
-- counted from the token's "iat" (now, without one), ends, whichever is first:
-- a token from elsewhere does not outlive the organization's rule. The token
-- is remembered for sign_out. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.accept_token(organization_id uuid, user_id uuid, role text,
                                                         client_id uuid, service_access text[],
                                                         expires_at timestamptz, issued_at timestamptz,
                                                         session bigint, token_id text) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ends timestamptz;
BEGIN
    IF mycelium_internal.token_revoked(organization_id, user_id, issued_at, session, token_id) THEN
        RAISE EXCEPTION 'authenticate: the token was revoked'
            USING ERRCODE = 'invalid_authorization_specification', SCHEMA = 'mycelium',
                  DETAIL = 'Its session ended: a new password, a lock, a new role or status, or a sign-out.',
                  HINT = 'Sign in again.';
    END IF;
    ends := least(expires_at, mycelium_internal.session_end(organization_id, coalesce(issued_at, now())));
    IF ends <= now() THEN
        RAISE EXCEPTION 'authenticate: the session has timed out'
            USING ERRCODE = 'invalid_authorization_specification', SCHEMA = 'mycelium',
                  DETAIL = 'The token was issued longer ago than the organization''s session_timeout_hours.',
                  HINT = 'Sign in again.';
    END IF;
    PERFORM mycelium_internal.establish_context(organization_id, user_id, role, client_id, service_access, ends,
                                                'authenticate');
    PERFORM mycelium_internal.remember_token(organization_id, token_id, ends);
END;
$$;

-- The token authenticate accepted in this transaction, for sign_out: held by
-- the library, bound to the transaction, never settable by a caller. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.remember_token(organization_id uuid, token_id text,
                                                           expires_at timestamptz) RETURNS void
    AS 'MODULE_PATHNAME', 'mycelium_remember_token'
    LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION mycelium_internal.current_token(OUT organization_id uuid, OUT token_id text,
                                                          OUT expires_at timestamptz)
    AS 'MODULE_PATHNAME', 'mycelium_current_token'
    LANGUAGE C STABLE;

-- Verifies a token and sets the tenant context for the rest of the
-- transaction: an HS256 token signed with the database's key (sign_in's, or
-- an application's), or an RS256, ES256 or EdDSA token from an identity
-- service an ADMIN registered (mycelium.set_identity_provider).
-- Returns when the token expires: mycelium.authenticate reports it with the
-- context it sets.
CREATE OR REPLACE FUNCTION mycelium_internal.authenticate(token text) RETURNS timestamptz
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    claims record;
BEGIN
    IF token IS NULL OR token = '' THEN
        RAISE EXCEPTION 'authenticate: no token'
            USING ERRCODE = 'invalid_authorization_specification', SCHEMA = 'mycelium';
    END IF;
    -- The asymmetric algorithms go to the identity services' keys; everything
    -- else to the HS256 verifier, which names any other algorithm as refused.
    IF (mycelium_internal.token_header(token)).algorithm IN ('RS256', 'ES256', 'EdDSA') THEN
        RETURN mycelium_internal.authenticate_foreign(token);
    END IF;
    SELECT * INTO claims FROM mycelium_internal.verify_token(token);
    PERFORM mycelium_internal.accept_token(claims.organization_id, claims.user_id, claims.role, claims.client_id,
                                           claims.service_access, claims.expires_at, claims.issued_at,
                                           claims.session, claims.token_id);
    RETURN claims.expires_at;
END;
$$;
-- Returns the context it set, one row, so that a client can show who is signed in
-- and until when: SELECT * FROM mycelium.authenticate($1). user_id is a portal
-- user's client_users.id when role is CLIENT, and client_id that user's client.
-- must_change_password: the account must change its password first, and the
-- session may do nothing else (no context is set; the columns name the account).
CREATE OR REPLACE FUNCTION mycelium.authenticate(token text, OUT organization_id uuid, OUT user_id uuid,
                                                 OUT role text, OUT client_id uuid, OUT expires_at timestamptz,
                                                 OUT must_change_password boolean)
    RETURNS record
    AS 'MODULE_PATHNAME', 'mycelium_authenticate'
    LANGUAGE C VOLATILE SECURITY INVOKER;
COMMENT ON FUNCTION mycelium.authenticate(text) IS
    'Verifies a signed token (HS256, or a registered identity service''s), sets the tenant context for the rest of '
    'the transaction and returns it (organization, user, role, client, expiry)';

-- Administrators set the token key here; it is never readable back.
CREATE OR REPLACE FUNCTION mycelium.set_jwt_secret(secret text) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mycelium.require_writable('set_jwt_secret');
    IF secret IS NULL OR octet_length(convert_to(secret, 'UTF8')) NOT BETWEEN 32 AND 512 THEN
        RAISE EXCEPTION 'set_jwt_secret: the secret must be 32 to 512 bytes'
            USING ERRCODE = 'invalid_parameter_value',
                  SCHEMA = 'mycelium', HINT = 'RFC 7518 requires an HS256 key of 256 bits or more.';
    END IF;
    INSERT INTO mycelium_internal.auth_keys (purpose, secret) VALUES ('jwt', convert_to(secret, 'UTF8'))
    ON CONFLICT (purpose) DO UPDATE SET secret = EXCLUDED.secret, created_at = now();
END;
$$;

-- Every backend forgets what it cached of a table of Mycelium's own (the keys
-- here, compiled field validators later) when the changing transaction commits.
CREATE OR REPLACE FUNCTION mycelium_internal.announce_change() RETURNS trigger
    AS 'MODULE_PATHNAME', 'mycelium_announce_change'
    LANGUAGE C;
CREATE OR REPLACE TRIGGER announce_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mycelium_internal.auth_keys
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.announce_change();
CREATE OR REPLACE TRIGGER announce_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mycelium_internal.settings
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.announce_change();
-- Also while a restore (or a logical replica) loads them: a cache must never
-- outlive the rows it was made from.
ALTER TABLE mycelium_internal.auth_keys ENABLE ALWAYS TRIGGER announce_change;
ALTER TABLE mycelium_internal.settings ENABLE ALWAYS TRIGGER announce_change;
-- authenticate accepts a token it accepted before without checking it again
-- (src/pg/context.cpp, accept_again) until any table that decides acceptance
-- changes: who is a member and with what role, status, client and services, the
-- portal switch and session timeout, a password to change, ended sessions and
-- signed-out tokens. Each announces its changes as session_floors', which every
-- backend's kept tokens watch (docs/security.md, "Tokens accepted again").
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['mycelium.users', 'mycelium.client_users', 'mycelium.clients',
                             'mycelium.organization_settings', 'mycelium_internal.credentials',
                             'mycelium_internal.session_floors', 'mycelium_internal.revoked_tokens'] LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER announce_access_change
                            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s
                            FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.announce_change(%L)',
                       t, 'session_floors');
        EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER announce_access_change', t);
    END LOOP;
END;
$$;
