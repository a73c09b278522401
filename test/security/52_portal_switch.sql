-- A portal user acts only while the organization's client portal is on and its
-- client is neither TERMINATED nor ARCHIVED (organization_settings.
-- enable_client_portal, clients.status): tried by set_context and by
-- request.jwt.claims, the paths that share mycelium_internal.check_member with
-- authenticate. The ADMIN who switches the portal off is organization A's; B's
-- portal is untouched. Everything is rolled back.
BEGIN;
SELECT plan(9);

-- Claims are checked once per value and transaction; each call here makes a new
-- value (its iat), as a new request would, so that each is checked anew.
CREATE SEQUENCE pg_temp.requests;
GRANT USAGE ON SEQUENCE pg_temp.requests TO mycelium_admin, mycelium_staff, mycelium_portal;
CREATE FUNCTION pg_temp.portal_claims(o text) RETURNS text LANGUAGE sql AS $$
    SELECT json_build_object('organization_id', sec.id(o, 'organization'), 'sub', sec.id(o, 'client_user', 1),
                             'app_role', 'CLIENT', 'client_id', sec.id(o, 'client', 1),
                             'iat', nextval('pg_temp.requests'))::text
$$;
-- The role a portal user's claims give, NULL for none: read as the portal
-- role, which a PostgREST-style server switches to for such claims (their
-- "role"), and back.
CREATE FUNCTION pg_temp.claims_role(o text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    PERFORM set_config('mycelium.context', '', true);
    PERFORM set_config('request.jwt.claims', pg_temp.portal_claims(o), true);
    SET LOCAL ROLE mycelium_portal;
    r := mycelium.current_app_role();
    RESET ROLE;
    RETURN r;
END;
$$;

SELECT is(pg_temp.claims_role('a'), 'CLIENT', 'with the portal on, a portal user''s claims give a context');

SELECT set_config('request.jwt.claims', '', true);
SELECT sec.act_as('a', 1);
UPDATE mycelium.organization_settings SET enable_client_portal = false
WHERE organization_id = sec.id('a', 'organization');
SELECT set_config('mycelium.context', '', true);

SELECT is(sec.sqlstate_of(format($$SELECT mycelium.set_context(%L, %L, 'CLIENT')$$,
                                 sec.id('a', 'organization'), sec.id('a', 'client_user', 1))),
          '28000', 'with the portal off, set_context refuses a portal user (28000)');
SELECT alike(sec.error_of(format($$SELECT mycelium.set_context(%L, %L, 'CLIENT')$$,
                                 sec.id('a', 'organization'), sec.id('a', 'client_user', 1))),
             '%has switched its client portal off%', 'saying why');
SELECT is(pg_temp.claims_role('a'), NULL, 'and the same claims give no context');
SELECT is(sec.sqlstate_of(format($$SELECT mycelium.set_context(%L, %L, 'CLIENT')$$,
                                 sec.id('b', 'organization'), sec.id('b', 'client_user', 1))),
          'ok', 'organization B''s portal users still sign in');
RESET ROLE;
SELECT is(pg_temp.claims_role('b'), 'CLIENT', 'by claims too');

-- Portal on again; client 1 of A terminated.
SELECT set_config('request.jwt.claims', '', true);
SELECT sec.act_as('a', 1);
UPDATE mycelium.organization_settings SET enable_client_portal = true
WHERE organization_id = sec.id('a', 'organization');
UPDATE mycelium.clients SET status = 'TERMINATED' WHERE organization_id = sec.id('a', 'organization')
  AND id = sec.id('a', 'client', 1);
SELECT set_config('mycelium.context', '', true);
SELECT alike(sec.error_of(format($$SELECT mycelium.set_context(%L, %L, 'CLIENT')$$,
                                 sec.id('a', 'organization'), sec.id('a', 'client_user', 1))),
             '%is TERMINATED%', 'a TERMINATED client''s portal user is refused, saying why');
SELECT is(pg_temp.claims_role('a'), NULL, 'and its claims give no context');
SELECT is(sec.sqlstate_of(format($$SELECT mycelium.set_context(%L, %L, 'CLIENT')$$,
                                 sec.id('a', 'organization'), sec.id('a', 'client_user', 2))),
          'ok', 'the portal user of an ACTIVE client of the same organization still signs in');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
