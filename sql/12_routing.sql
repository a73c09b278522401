-- Tenant routing: which organization a request's host name is for, before anyone
-- signs in (mycelium.resolve_organization), subdomains of the base domain and
-- verified custom domains (mycelium.verify_custom_domain).
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
SELECT mycelium.configure('base_domain', NULL);

INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.organization_branding (organization_id, primary_color, portal_welcome_message, custom_domain)
VALUES ('0000000a-0000-7000-8000-000000000000', '#112233', 'Welcome to A', 'portal.agency-a.example'),
       ('0000000b-0000-7000-8000-000000000000', '#445566', 'Welcome to B', NULL);
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'al@a.example', 'Al', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bo@b.example', 'Bo', 'ADMIN', 'ACTIVE');

-- Without a base domain, subdomains route nowhere.
SELECT count(*) AS without_base FROM mycelium.resolve_organization('agency-a.agencyos.example');
SELECT regress.try($$SELECT mycelium.configure('base_domain', 'not a domain')$$) AS bad_base;
SELECT mycelium.configure('base_domain', ' AgencyOS.Example ');
SELECT value AS stored_base FROM mycelium_internal.settings WHERE name = 'base_domain';

-- Subdomains, whatever the case, a port or a trailing dot; what comes back is
-- what a sign-in page shows.
SELECT h AS host, r.slug, r.name, r.primary_color, r.portal_welcome_message
FROM unnest(ARRAY['agency-a.agencyos.example', 'AGENCY-B.AgencyOS.Example:8443', 'agency-a.agencyos.example.'])
     AS h LEFT JOIN LATERAL mycelium.resolve_organization(h) r ON true
ORDER BY h;

-- Unknown, deeper, bare, malformed, hostile and missing hosts: no row, no error.
SELECT count(*) AS rows, count(*) FILTER (WHERE r IS NOT NULL) AS resolved
FROM unnest(ARRAY['nobody.agencyos.example', 'x.agency-a.agencyos.example', 'agencyos.example',
                  'agency-a.agencyos.example.evil.example', 'agency-a', '', ' ', ':443',
                  'agency-a.agencyos.example:99999', repeat('a', 100000) || '.agencyos.example',
                  E'agency-a\u00e9.agencyos.example', NULL]) AS h
LEFT JOIN LATERAL mycelium.resolve_organization(h) r ON true;

-- A custom domain routes only once verified, with the token made for it.
SELECT count(*) AS unverified_routes FROM mycelium.resolve_organization('portal.agency-a.example');
SELECT custom_domain_token ~ '^mycelium-domain-verification=[0-9a-f]{32}$' AS token_made,
       custom_domain_verified_at IS NULL AS not_verified
FROM mycelium.organization_branding WHERE organization_id = '0000000a-0000-7000-8000-000000000000';

CREATE ROLE regress_mycelium_router;
SELECT mycelium.grant_access('regress_mycelium_router', 'app');
SET ROLE regress_mycelium_router;
-- Before any context, the application resolves.
SELECT count(*) AS resolves_without_context FROM mycelium.resolve_organization('agency-b.agencyos.example');
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
SELECT regress.try($$SELECT mycelium.verify_custom_domain('x')$$) AS editor_verifies;
ROLLBACK;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT regress.try($$SELECT mycelium.verify_custom_domain('mycelium-domain-verification=0')$$) AS wrong_token;
SELECT regress.try($$SELECT mycelium.verify_custom_domain(NULL)$$) AS no_token;
-- The verification columns are not the application's to write.
SELECT regress.try($$UPDATE mycelium.organization_branding SET custom_domain_verified_at = now()$$) AS write_verified;
SELECT regress.try($$UPDATE mycelium.organization_branding SET custom_domain_token = 'mine'$$) AS write_token;
SELECT mycelium.verify_custom_domain(custom_domain_token) IS NOT NULL AS verified
FROM mycelium.organization_branding WHERE organization_id = '0000000a-0000-7000-8000-000000000000';
SELECT slug FROM mycelium.resolve_organization('Portal.Agency-A.Example');
-- A new domain is unverified again, with a new token.
UPDATE mycelium.organization_branding SET custom_domain = 'www.agency-a.example';
SELECT custom_domain_verified_at IS NULL AS unverified_again FROM mycelium.organization_branding;
SELECT count(*) AS old_domain_routes FROM mycelium.resolve_organization('portal.agency-a.example');
SELECT count(*) AS new_domain_routes FROM mycelium.resolve_organization('www.agency-a.example');
COMMIT;
-- B's ADMIN, holding A's token, verifies nothing: B has no custom domain.
RESET ROLE;
SELECT custom_domain_token AS a_token FROM mycelium.organization_branding
WHERE organization_id = '0000000a-0000-7000-8000-000000000000' \gset
SET ROLE regress_mycelium_router;
BEGIN;
SELECT mycelium.set_context('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
SELECT regress.try(format('SELECT mycelium.verify_custom_domain(%L)', :'a_token')) AS other_admin;
ROLLBACK;
RESET ROLE;
DROP OWNED BY regress_mycelium_router;
DROP ROLE regress_mycelium_router;
SELECT mycelium.configure('base_domain', NULL);
