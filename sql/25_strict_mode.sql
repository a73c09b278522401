-- Strict mode (mycelium.require_context): without a tenant context a statement on
-- a tenant table under row-level security fails with SQLSTATE 28M01 naming the
-- table, instead of seeing no rows; with a context, or for roles that bypass
-- row-level security, nothing changes. Only a superuser sets it (for a role or a
-- database), so an application cannot turn it off for itself.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
DROP ROLE IF EXISTS regress_strict_app;
RESET client_min_messages;

INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a');
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.test', 'Ann', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.clients (id, organization_id, name) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'North');
CREATE ROLE regress_strict_app;
SELECT mycelium.grant_access('regress_strict_app', 'app');

-- Off (the default): no context, no rows, no error.
SHOW mycelium.require_context;
SET ROLE regress_strict_app;
SELECT count(*) AS clients_seen FROM mycelium.clients;
-- The application cannot switch it on or off for itself.
SELECT regress.try($$SET mycelium.require_context = on$$) AS app_sets_it;
RESET ROLE;

-- On, as an operator would for the application's role (ALTER ROLE ... SET) or
-- database; here for the session, which SET ROLE keeps.
SET mycelium.require_context = on;
SET ROLE regress_strict_app;
SELECT regress.try($$SELECT count(*) FROM mycelium.clients$$) AS read_without_context;
SELECT regress.try($$UPDATE mycelium.clients SET notes = 'x'$$) AS update_without_context;
SELECT regress.try($$DELETE FROM mycelium.clients$$) AS delete_without_context;
SELECT regress.try($$SELECT count(*) FROM mycelium.user_dashboard_data$$) AS view_without_context;
SELECT regress.try($$SELECT 1 FROM mycelium.deliverables d JOIN mycelium.clients c ON c.id = d.client_id$$)
    AS join_without_context;
-- A prepared statement is checked every time it runs, not when it is planned.
PREPARE client_count AS SELECT count(*) FROM mycelium.clients;
SELECT regress.try($$EXECUTE client_count$$) AS prepared_without_context;
-- The error a client sees: its own SQLSTATE, the schema and table fields
-- (which drivers expose), a detail and a hint.
DO $$
DECLARE
    state text; schema_name text; table_name text; detail text; hint text;
BEGIN
    PERFORM count(*) FROM mycelium.clients;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, schema_name = SCHEMA_NAME, table_name = TABLE_NAME,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RAISE NOTICE 'sqlstate %, schema %, table %', state, schema_name, table_name;
    RAISE NOTICE 'detail: %', detail;
    RAISE NOTICE 'hint: %', hint;
END;
$$;
-- Statements on no tenant table run as before.
SELECT 1 AS no_table;

-- With a context, in the request's transaction: as before.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT count(*) AS clients_seen FROM mycelium.clients;
EXECUTE client_count;
COMMIT;
-- The context ended with the transaction: the statement after a commit in the
-- middle of a request fails loudly.
SELECT regress.try($$EXECUTE client_count$$) AS after_commit;
RESET ROLE;

-- Roles that bypass row-level security (a superuser here, the extension's own
-- SECURITY DEFINER functions and jobs) are not affected.
SELECT count(*) AS superuser_sees FROM mycelium.clients;
RESET mycelium.require_context;

DEALLOCATE client_count;
DROP OWNED BY regress_strict_app;
DROP ROLE regress_strict_app;
