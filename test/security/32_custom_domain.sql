-- Custom domains claimed twice: an organization's portal domain
-- (organization_branding.custom_domain) routes requests to that organization, so
-- another organization must not be able to claim it, in any letter case; it must
-- be a host name; and the refusal says the domain is taken, not by whom.
BEGIN;
SELECT plan(25);

SELECT sec.act_as('a', 1);
SELECT is(sec.sqlstate_of($$UPDATE mycelium.organization_branding SET custom_domain = 'portal.agency-a.example'$$),
          'ok', 'A claims portal.agency-a.example');

SELECT sec.act_as('b', 1);
SELECT is(sec.sqlstate_of($$UPDATE mycelium.organization_branding SET custom_domain = 'portal.agency-a.example'$$),
          '23505', 'B cannot claim the same domain');
SELECT is(sec.sqlstate_of($$UPDATE mycelium.organization_branding SET custom_domain = 'Portal.Agency-A.example'$$),
          '23514', 'nor the same in other letters (only lower case is stored)');
SELECT unalike(sec.error_of($$UPDATE mycelium.organization_branding SET custom_domain = 'portal.agency-a.example'$$),
               '%' || sec.id('a', 'organization') || '%', 'the clash does not name A''s id');
SELECT unalike(sec.error_of($$UPDATE mycelium.organization_branding SET custom_domain = 'portal.agency-a.example'$$),
               '%Security A%', 'nor A''s name');
SELECT is((SELECT custom_domain FROM mycelium.organization_branding), NULL, 'B''s branding is unchanged');
SELECT is(sec.sqlstate_of($$UPDATE mycelium.organization_branding SET custom_domain = 'portal.agency-b.example'$$),
          'ok', 'B claims a domain of its own');

-- Host names only: lower-case letters, digits and hyphens in labels of 1 to 63
-- characters that neither start nor end with a hyphen, at least two labels, the
-- last starting with a letter, at most 253 characters, no trailing dot.
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.organization_branding SET custom_domain = %L', d)), '23514',
          format('refused: %s', d))
FROM unnest(ARRAY['', 'localhost', 'portal.agency-b.example.', '.agency-b.example', 'portal..example',
                  '-portal.example', 'portal-.example', 'portal_b.example', 'portal b.example',
                  'https://portal.example', 'portal.example/path', 'portal.example:8443', '10.0.0.1',
                  'caf' || chr(233) || '.example',
                  repeat('a', 64) || '.example',
                  repeat(repeat('a', 63) || '.', 3) || repeat('b', 62)]) AS d;
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.organization_branding SET custom_domain = %L',
                                 repeat(repeat('a', 63) || '.', 3) || repeat('b', 61))),
          'ok', 'a 253-character name is accepted');
SELECT is(sec.sqlstate_of($$UPDATE mycelium.organization_branding SET custom_domain = 'xn--caf-dma.example'$$),
          'ok', 'an internationalized name is stored in its ASCII form');

SELECT * FROM finish();
ROLLBACK;
