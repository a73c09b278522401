-- ====== Tenant routing: subdomains and verified custom domains ======
-- A request's host name says which organization it is for: <slug>.<base domain>
-- (the base domain is the setting base_domain, mycelium.configure), or a custom
-- domain of organization_branding once an ADMIN has verified it. The application
-- finds the organization before anyone signs in, so resolving needs no context.
-- docs/security.md, "Tenant routing".

-- A custom domain gets a new verification token, and loses its verification,
-- whenever it changes: the agency publishes the token (a DNS TXT record, say), the
-- application checks it, and an ADMIN confirms with mycelium.verify_custom_domain.
-- 122 random bits from the server's strong random source.
CREATE OR REPLACE FUNCTION mycelium_internal.reset_domain_verification() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.custom_domain IS DISTINCT FROM OLD.custom_domain THEN
        NEW.custom_domain_token := CASE WHEN NEW.custom_domain IS NOT NULL THEN
            'mycelium-domain-verification=' || replace(gen_random_uuid()::text, '-', '') END;
        NEW.custom_domain_verified_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE OR REPLACE TRIGGER reset_domain_verification
    BEFORE INSERT OR UPDATE OF custom_domain ON mycelium.organization_branding
    FOR EACH ROW EXECUTE FUNCTION mycelium_internal.reset_domain_verification();

-- An ADMIN confirms that the organization's custom domain publishes the token
-- (checking DNS is the application's part: a database does not reach out to the
-- network). SECURITY DEFINER: applications cannot write the verification
-- columns; it writes only those, of the caller's own organization.
CREATE OR REPLACE FUNCTION mycelium.verify_custom_domain(token text) RETURNS timestamptz
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid;
    branding record;
    verified timestamptz;
BEGIN
    PERFORM mycelium.require_writable('verify_custom_domain');
    org := mycelium_internal.admin_organization('verify_custom_domain', 'verify its domain');
    PERFORM mycelium_internal.require_organization_writable('verify_custom_domain', org);
    SELECT b.custom_domain, b.custom_domain_token INTO branding
      FROM mycelium.organization_branding b
     WHERE b.organization_id = org
       FOR UPDATE;
    IF branding.custom_domain IS NULL THEN
        RAISE EXCEPTION 'verify_custom_domain: the organization has no custom domain'
            USING ERRCODE = 'invalid_parameter_value',
                  SCHEMA = 'mycelium', TABLE = 'organization_branding', COLUMN = 'custom_domain';
    END IF;
    IF token IS NULL OR token IS DISTINCT FROM branding.custom_domain_token THEN
        RAISE EXCEPTION 'verify_custom_domain: the token is not the one made for %', branding.custom_domain
            USING ERRCODE = 'invalid_parameter_value',
                  SCHEMA = 'mycelium', TABLE = 'organization_branding', COLUMN = 'custom_domain_token',
                  HINT = 'The token is organization_branding.custom_domain_token; a change of the domain makes a new one.';
    END IF;
    UPDATE mycelium.organization_branding b SET custom_domain_verified_at = now()
     WHERE b.organization_id = org
    RETURNING b.custom_domain_verified_at INTO verified;
    RETURN verified;
END;
$$;
COMMENT ON FUNCTION mycelium.verify_custom_domain(text) IS
    'Marks the organization''s custom domain verified, given the token made for it (ADMIN)';

-- The organization a host name is for, with what a sign-in page shows of it, or
-- no row: <slug>.<base domain> (one label before the base domain), or a verified
-- custom domain. Case, a port and a trailing dot are ignored. No row for anything
-- else, whatever it is (unknown, unverified, malformed, NULL): nothing tells them
-- apart. SECURITY DEFINER: it reads across organizations, before any context;
-- what it returns is what a public sign-in page shows.
CREATE OR REPLACE FUNCTION mycelium.resolve_organization(host text)
    RETURNS TABLE (organization_id uuid, slug text, name text, primary_color text, secondary_color text,
                   logo_url text, favicon_url text, portal_welcome_message text, portal_support_email text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH h AS (
        -- At most a host name's 253 characters (and a port) are looked at.
        SELECT rtrim(regexp_replace(lower(btrim(left(host, 300))), ':[0-9]{1,5}$', ''), '.') AS name
    ), base AS (
        SELECT s.value AS domain FROM mycelium_internal.settings s WHERE s.name = 'base_domain'
    ), match AS (
        -- A subdomain of the base domain is the operator's to give: it wins over
        -- a custom domain that happens to lie under the base domain.
        SELECT o.id, 1 AS rank
          FROM h, base, mycelium.organizations o
         WHERE length(h.name) <= 253
           AND right(h.name, length(base.domain) + 1) = '.' || base.domain
           AND o.slug = left(h.name, length(h.name) - length(base.domain) - 1)
        UNION ALL
        SELECT b.organization_id, 2
          FROM h, mycelium.organization_branding b
         WHERE length(h.name) <= 253
           AND lower(b.custom_domain) = h.name
           AND b.custom_domain_verified_at IS NOT NULL
    )
    SELECT o.id, o.slug, o.name, b.primary_color, b.secondary_color, b.logo_url, b.favicon_url,
           b.portal_welcome_message, b.portal_support_email
      FROM match m
      JOIN mycelium.organizations o ON o.id = m.id
      LEFT JOIN mycelium.organization_branding b ON b.organization_id = o.id
     ORDER BY m.rank
     LIMIT 1;
$$;
COMMENT ON FUNCTION mycelium.resolve_organization(text) IS
    'The organization a host name routes to (subdomain of base_domain, or a verified custom domain), or no row';
