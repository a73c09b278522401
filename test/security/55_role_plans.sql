-- Contexts act as database roles whose policies PostgreSQL chooses when it plans
-- a query (docs/security.md, "Database roles"). A statement prepared once and run
-- under contexts of every kind, as a pooled connection reuses it across
-- requests, answers for each context: PostgreSQL plans it again for each role.
-- A role switched to by hand without a context of its kind sees nothing.
-- A staff member's policies look up a CUSTOM role's service types only when
-- its context has service access (95_role_policies.sql): the look-up never
-- runs for the others. Everything is rolled back.
BEGIN;
SELECT plan(19);
-- The current transaction's calls of each function (pg_stat_get_xact_function_calls)
-- are counted: setup.psql turns track_functions on for this role.

PREPARE seen AS SELECT count(*) FROM mycelium.deliverables;

SELECT sec.act_as('a', 1);
SELECT results_eq('seen', ARRAY[3::bigint], 'prepared once: A''s ADMIN sees A''s three deliverables');
SELECT sec.act_as('a', 2);
SELECT results_eq('seen', ARRAY[2::bigint], 'the same statement for A''s editor: the two of its client');
SELECT sec.act_as('a', 3);
SELECT results_eq('seen', ARRAY[1::bigint], 'for A''s CUSTOM user: the one of its service');
SELECT sec.act_as('a', 1, true);
SELECT results_eq('seen', ARRAY[2::bigint], 'for A''s portal user of client 1: its client''s two');
SELECT sec.act_as('b', 1);
SELECT results_eq('seen', ARRAY[3::bigint], 'for B''s ADMIN: B''s three');
SELECT is((SELECT count(*) FROM mycelium.deliverables WHERE organization_id = sec.id('a', 'organization')),
          0::bigint, 'and none of A''s');

-- The CUSTOM arm's look-up, per kind of staff member.
SELECT sec.act_as('a', 2);
SELECT coalesce(pg_stat_get_xact_function_calls('mycelium.my_service_type_ids()'::regprocedure), 0) AS before_editor \gset
SELECT results_eq('seen', ARRAY[2::bigint], 'A''s editor again: the two of its client');
SELECT is(coalesce(pg_stat_get_xact_function_calls('mycelium.my_service_type_ids()'::regprocedure), 0) - :before_editor,
          0::bigint, 'without service access, the editor''s statement never looks up service types');
SELECT sec.act_as('a', 3);
SELECT coalesce(pg_stat_get_xact_function_calls('mycelium.my_service_type_ids()'::regprocedure), 0) AS before_custom \gset
SELECT results_eq('seen', ARRAY[1::bigint], 'A''s CUSTOM user again: the one of its service');
SELECT cmp_ok(coalesce(pg_stat_get_xact_function_calls('mycelium.my_service_type_ids()'::regprocedure), 0) - :before_custom,
              '>', 0::bigint, 'with service access, the CUSTOM user''s statement looks its service types up');

-- A portal user's policies carry no staff look-up: the assignment look-ups are
-- empty for a portal user by their own definition, and are folded out of its
-- specializations (95_role_policies.sql). It still sees exactly its client and
-- that client's projects, and an editor under the same statements still sees
-- the clients it is assigned to.
SELECT sec.act_as('a', 1, true);
SELECT coalesce(pg_stat_get_xact_function_calls('mycelium.my_client_ids()'::regprocedure), 0) AS before_portal \gset
SELECT results_eq($$SELECT id FROM mycelium.clients$$, ARRAY[sec.id('a', 'client', 1)],
                  'A''s portal user of client 1 sees its own client, and only it');
SELECT is((SELECT count(*) FROM mycelium.projects WHERE client_id IS DISTINCT FROM sec.id('a', 'client', 1)),
          0::bigint, 'and no project of another client');
SELECT is(coalesce(pg_stat_get_xact_function_calls('mycelium.my_client_ids()'::regprocedure), 0) - :before_portal,
          0::bigint, 'the portal user''s reads of clients and projects never look up staff assignments');
SELECT sec.act_as('a', 2);
SELECT coalesce(pg_stat_get_xact_function_calls('mycelium.my_client_ids()'::regprocedure), 0) AS before_staff \gset
SELECT cmp_ok((SELECT count(*) FROM mycelium.clients), '>', 0::bigint, 'A''s editor sees the clients it is assigned to');
SELECT cmp_ok(coalesce(pg_stat_get_xact_function_calls('mycelium.my_client_ids()'::regprocedure), 0) - :before_staff,
              '>', 0::bigint, 'which it looks up');

-- By hand: an editor's context under the ADMIN's role, and no context at all.
SELECT sec.act_as('a', 2);
SET LOCAL ROLE mycelium_admin;
SELECT results_eq('seen', ARRAY[0::bigint], 'an editor''s context under mycelium_admin, switched by hand, sees nothing');
RESET ROLE;
SELECT results_eq('seen', ARRAY[2::bigint],
                  'under the application''s own role the general policies answer for the same context');
SELECT set_config('mycelium.context', '', true);
SET LOCAL ROLE mycelium_admin;
SELECT results_eq('seen', ARRAY[0::bigint], 'mycelium_admin without a context sees nothing');
SET LOCAL ROLE mycelium_portal;
SELECT results_eq('seen', ARRAY[0::bigint], 'nor does mycelium_portal');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
