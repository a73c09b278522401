-- The suite's preconditions: it runs as an application role that neither is a
-- superuser nor bypasses row-level security, and the fixture is what setup.psql
-- says, seen from each organization's ADMIN.
BEGIN;
SELECT plan(6);
SELECT is(current_user::text, 'regress_sec_app', 'the suite runs as the application role');
SELECT ok(NOT (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user),
          'which is neither a superuser nor BYPASSRLS');
SELECT is((SELECT count(*) FROM mycelium.deliverables), 0::bigint, 'without a context nothing is visible');
SELECT sec.act_as('a', 1);
SELECT is((SELECT count(*) FROM mycelium.deliverables), 3::bigint, 'A''s admin sees A''s three deliverables');
SELECT is((SELECT count(*) FROM mycelium.users), 4::bigint, 'and A''s four users');
SELECT is((SELECT count(*) FROM mycelium.deliverables WHERE organization_id = sec.id('b', 'organization')),
          0::bigint, 'and nothing of B');
SELECT * FROM finish();
ROLLBACK;
