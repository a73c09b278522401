-- ====== Tokens from identity services (native: src/core/jwks.*, src/pg/identity.cpp) ======
-- An organization that signs its people in with an identity service (Supabase
-- Auth, Auth0, Keycloak, ...) registers the service's issuer and public keys
-- (a JWKS document) with set_identity_provider; authenticate then accepts the
-- service's RS256, ES256 and EdDSA tokens. A token finds its account by a
-- documented rule (match_by), and its role always comes from the account's
-- row, never from the token. docs/security.md, "Tokens from identity services".

-- What a token's header and payload say before anything is verified: its
-- algorithm, issuer and organization_id claim (top level, or in app_metadata),
-- to find the keys to verify it with. Never trusted beyond that. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.token_header(token text, OUT algorithm text, OUT issuer text,
                                                         OUT organization_id text)
    AS 'MODULE_PATHNAME', 'mycelium_token_header'
    LANGUAGE C IMMUTABLE STRICT;

-- Verifies an asymmetric token against a JWKS, an issuer and audiences
-- (src/core/jwks.hpp). Private.
CREATE OR REPLACE FUNCTION mycelium_internal.verify_foreign_token(token text, jwks text, issuer text,
                                                                 audiences text[],
                                                                 OUT subject text, OUT email text,
                                                                 OUT email_verified boolean,
                                                                 OUT expires_at timestamptz,
                                                                 OUT issued_at timestamptz, OUT token_id text)
    AS 'MODULE_PATHNAME', 'mycelium_verify_foreign_token'
    LANGUAGE C STABLE;

-- The number of usable keys in a JWKS, or 22023 naming the key and its fault.
-- Private.
CREATE OR REPLACE FUNCTION mycelium_internal.check_jwks(jwks text) RETURNS integer
    AS 'MODULE_PATHNAME', 'mycelium_check_jwks'
    LANGUAGE C IMMUTABLE STRICT;

-- Registers (or replaces) an identity service for the context's organization:
-- an ADMIN's. issuer: the tokens' "iss", exactly; jwks: the service's JWKS
-- document (its public keys; publish a new key here before the service signs
-- with it); audiences: an "aud" a token must name (empty: not checked);
-- match_by: how a token finds its account: 'verified_email' (the "email"
-- claim, with "email_verified" true), 'email' (trusting the service to have
-- verified it), or 'subject' (the "sub" an ADMIN linked with link_identity).
CREATE OR REPLACE FUNCTION mycelium.set_identity_provider(issuer text, jwks text, audiences text[] DEFAULT '{}',
                                                          match_by text DEFAULT 'verified_email')
    RETURNS uuid
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid;
    id uuid;
BEGIN
    PERFORM mycelium.require_writable('set_identity_provider');
    org := mycelium_internal.admin_organization('set_identity_provider', 'register an identity service');
    IF issuer IS NULL OR btrim(issuer) = '' OR jwks IS NULL THEN
        RAISE EXCEPTION 'set_identity_provider: issuer and jwks are required'
            USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    IF match_by IS NULL OR match_by NOT IN ('verified_email', 'email', 'subject') THEN
        RAISE EXCEPTION 'set_identity_provider: match_by must be verified_email, email or subject, not %',
            coalesce(quote_literal(left(match_by, 100)), 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF array_position(audiences, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'set_identity_provider: audiences holds a NULL'
            USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    PERFORM mycelium_internal.check_jwks(jwks);
    INSERT INTO mycelium_internal.identity_providers AS p (organization_id, issuer, jwks, audiences, match_by)
    VALUES (org, set_identity_provider.issuer, set_identity_provider.jwks, coalesce(set_identity_provider.audiences, '{}'),
            set_identity_provider.match_by)
    ON CONFLICT ON CONSTRAINT identity_providers_issuer_key
    DO UPDATE SET jwks = EXCLUDED.jwks, audiences = EXCLUDED.audiences, match_by = EXCLUDED.match_by
    RETURNING p.id INTO id;
    RETURN id;
END;
$$;
COMMENT ON FUNCTION mycelium.set_identity_provider(text, text, text[], text) IS
    'Registers an identity service''s issuer and public keys (JWKS) for the organization (an ADMIN)';

-- Stops accepting an identity service's tokens (an ADMIN); its links go too.
CREATE OR REPLACE FUNCTION mycelium.remove_identity_provider(issuer text) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mycelium.require_writable('remove_identity_provider');
    PERFORM mycelium_internal.admin_organization('remove_identity_provider', 'remove an identity service');
    DELETE FROM mycelium_internal.identity_providers p
     WHERE p.organization_id = mycelium.current_organization_id() AND p.issuer = remove_identity_provider.issuer;
    RETURN FOUND;
END;
$$;
COMMENT ON FUNCTION mycelium.remove_identity_provider(text) IS
    'Stops accepting an identity service''s tokens for the organization (an ADMIN)';

-- Links an identity service's subject ("sub") to an account of the
-- organization, for match_by 'subject' (an ADMIN). subject NULL: unlinks.
CREATE OR REPLACE FUNCTION mycelium.link_identity(account_id uuid, issuer text, subject text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid;
    provider uuid;
    acct record;
BEGIN
    PERFORM mycelium.require_writable('link_identity');
    org := mycelium_internal.admin_organization('link_identity', 'link identities');
    SELECT p.id INTO provider FROM mycelium_internal.identity_providers p
     WHERE p.organization_id = org AND p.issuer = link_identity.issuer;
    IF provider IS NULL THEN
        RAISE EXCEPTION 'link_identity: no identity service with issuer % is registered',
            coalesce(quote_literal(left(issuer, 200)), 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    SELECT * INTO acct FROM mycelium_internal.account(org, account_id);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'link_identity: % is not an account of the organization', account_id
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    DELETE FROM mycelium_internal.external_identities x
     WHERE x.provider_id = provider AND (x.account_id = link_identity.account_id OR x.subject = link_identity.subject);
    IF subject IS NOT NULL THEN
        INSERT INTO mycelium_internal.external_identities (provider_id, subject, organization_id, account_id, portal)
        VALUES (provider, subject, org, account_id, acct.portal);
    END IF;
END;
$$;
COMMENT ON FUNCTION mycelium.link_identity(uuid, text, text) IS
    'Links an identity service''s subject to an account, for match_by subject (an ADMIN)';

-- authenticate's path for a token from an identity service: the provider its
-- issuer (and organization_id claim, when several organizations register the
-- same service) names; the token verified with that provider's keys, issuer
-- and audiences; the account found by match_by among the active staff, then
-- the portal users; the role taken from the account's row. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.authenticate_foreign(token text) RETURNS timestamptz
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    header record;
    provider mycelium_internal.identity_providers;
    found_providers integer;
    claims record;
    account uuid;
    account_role text;
BEGIN
    header := mycelium_internal.token_header(token);
    SELECT count(*) INTO found_providers FROM mycelium_internal.identity_providers p
     WHERE p.issuer = header.issuer
       AND (header.organization_id IS NULL OR p.organization_id::text = lower(header.organization_id));
    IF found_providers <> 1 THEN
        RAISE EXCEPTION 'authenticate: %', CASE WHEN found_providers = 0
                THEN 'no identity service is registered for the token''s issuer'
                ELSE 'several organizations accept the token''s issuer, and it names none' END
            USING ERRCODE = 'invalid_authorization_specification', SCHEMA = 'mycelium',
                  DETAIL = format('Issuer %s, algorithm %s.', coalesce(quote_literal(left(header.issuer, 200)), 'none'),
                                  coalesce(quote_literal(left(header.algorithm, 20)), 'none')),
                  HINT = CASE WHEN found_providers = 0
                              THEN 'An ADMIN registers the service with mycelium.set_identity_provider.'
                              ELSE 'Add an organization_id claim (or app_metadata.organization_id) to the token.' END;
    END IF;
    SELECT p.* INTO provider FROM mycelium_internal.identity_providers p
     WHERE p.issuer = header.issuer
       AND (header.organization_id IS NULL OR p.organization_id::text = lower(header.organization_id));
    SELECT * INTO claims
      FROM mycelium_internal.verify_foreign_token(token, provider.jwks, provider.issuer, provider.audiences);
    IF provider.match_by = 'subject' THEN
        SELECT x.account_id INTO account FROM mycelium_internal.external_identities x
         WHERE x.provider_id = provider.id AND x.subject = claims.subject;
    ELSIF claims.email IS NOT NULL AND (provider.match_by = 'email' OR claims.email_verified) THEN
        SELECT a.id INTO account
          FROM (SELECT u.id, 1 AS rank FROM mycelium.users u
                 WHERE u.organization_id = provider.organization_id AND lower(u.email) = lower(claims.email)
                UNION ALL
                SELECT c.id, 2 FROM mycelium.client_users c
                 WHERE c.organization_id = provider.organization_id AND lower(c.email) = lower(claims.email)) a
         ORDER BY a.rank LIMIT 1;
    END IF;
    SELECT x.role INTO account_role
      FROM (SELECT u.role::text AS role FROM mycelium.users u
             WHERE u.organization_id = provider.organization_id AND u.id = account
            UNION ALL
            SELECT 'CLIENT' FROM mycelium.client_users c
             WHERE c.organization_id = provider.organization_id AND c.id = account) x
     LIMIT 1;
    -- (A link whose account was deleted names nothing.)
    IF account_role IS NULL THEN
        RAISE EXCEPTION 'authenticate: the token names no account of the organization'
            USING ERRCODE = 'invalid_authorization_specification', SCHEMA = 'mycelium',
                  DETAIL = CASE provider.match_by
                      WHEN 'subject' THEN 'Its subject is not linked to an account (mycelium.link_identity).'
                      WHEN 'verified_email' THEN 'No account has its e-mail address, or the address is not verified.'
                      ELSE 'No account has its e-mail address.' END;
    END IF;
    -- A CUSTOM user's services come from its row (users.permissions) once that
    -- is built; until then a foreign token grants a CUSTOM user none.
    PERFORM mycelium_internal.accept_token(provider.organization_id, account, account_role, NULL, '{}',
                                           claims.expires_at, claims.issued_at, NULL, claims.token_id);
    RETURN claims.expires_at;
END;
$$;
