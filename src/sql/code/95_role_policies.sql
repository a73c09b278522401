-- ====== Policies chosen when the plan is made ======
-- A context acts as a database role of its kind (src/pg/context_entry.cpp):
--   ADMIN                      mycelium_admin
--   CLIENT (a portal user)     mycelium_portal
--   every other (staff) role   mycelium_staff
-- and PostgreSQL applies only the policies whose roles include the current one.
-- So each policy of 50_rls.sql, written once for every role, is specialized
-- here for each of the three: its role tests answered, so that the arms of
-- other roles fold away when the plan is made (an ADMIN's query costs the
-- organization's test alone, and may use an index-only scan), and the
-- organization's test made the gate: organization_id =
-- current_organization_id_for(kind), a STABLE function compared with the
-- index key, computed once per scan and NULL for a context of another kind,
-- so that a role switched to by hand without its context sees nothing. No
-- role test is left per row. The general policies stay for the roles that
-- act without switching: the application's own (a context set by claims
-- under it, and what it does before any context), reporting and billing.
-- docs/security.md, "Database roles"; docs/performance.md.

-- The expression of a policy of 50_rls.sql (as pg_get_expr prints it) for one
-- kind of context: 'admin', 'staff' or 'portal'. Pure text. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.specialize_policy(expr text, kind text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    role_call constant text := '( SELECT mycelium.current_app_role() AS current_app_role)';
    org_call constant text := '( SELECT mycelium.current_organization_id() AS current_organization_id)';
    org_for text;
    is_admin text;
    is_client text;
BEGIN
    IF kind IS NULL OR kind NOT IN ('admin', 'staff', 'portal') THEN
        RAISE EXCEPTION 'specialize_policy: kind must be admin, staff or portal'
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF expr IS NULL THEN
        RETURN NULL;
    END IF;
    is_admin := CASE kind WHEN 'admin' THEN 'true' ELSE 'false' END;
    is_client := CASE kind WHEN 'portal' THEN 'true' ELSE 'false' END;
    expr := replace(expr, '(' || role_call || ' = ''ADMIN''::text)', is_admin);
    expr := replace(expr, '(' || role_call || ' = ''CLIENT''::text)', is_client);
    expr := replace(expr, '(' || role_call || ' <> ''CLIENT''::text)', CASE is_client WHEN 'true' THEN 'false' ELSE 'true' END);
    IF position(role_call IN expr) > 0 THEN
        RAISE EXCEPTION 'specialize_policy: a role test it does not know in %', expr
            USING ERRCODE = 'internal_error', SCHEMA = 'mycelium';
    END IF;
    -- The organization, for this kind of context only: the gate and the index
    -- key's comparison in one.
    org_for := format('mycelium.current_organization_id_for(%L::text)', kind);
    IF NOT (starts_with(expr, '((organization_id = ' || org_call || ') AND ')
            OR starts_with(expr, '((id = ' || org_call || ') AND ')
            OR expr IN ('(organization_id = ' || org_call || ')', '(id = ' || org_call || ')')) THEN
        -- Not an organization's row first (the billing service's arm of
        -- subscriptions): the kind is tested beside it.
        expr := format('((%s IS NOT NULL) AND %s)', org_for, expr);
    END IF;
    IF kind = 'portal' THEN
        -- Under the portal gate the context is a portal user's, for whom the
        -- staff look-ups are empty by their own definition (my_client_ids and
        -- my_writable_client_ids exclude CLIENT, my_service_type_ids is for
        -- CUSTOM): their arms are false, and fold away with no call. A portal
        -- user's client is compared directly with the index key that every
        -- table it reads has after the organization ((organization_id,
        -- client_id), or the client's own id), computed once per scan, with
        -- no sub-select to plan (docs/performance.md).
        expr := regexp_replace(expr,
            'mycelium\.uuid_among\([a-z_.]+, \( SELECT mycelium\.my_(writable_)?client_ids\(\) AS my_(writable_)?client_ids\)\)',
            'false', 'g');
        expr := regexp_replace(expr,
            '\(([a-z_.]+) = ANY \(\( SELECT mycelium\.my_service_type_ids\(\) AS my_service_type_ids\)::uuid\[\]\)\)',
            'false', 'g');
        expr := replace(expr, '( SELECT mycelium.current_client_id() AS current_client_id)', 'mycelium.current_client_id()');
    END IF;
    -- Staff keep the user in its sub-select: compared per row (an assignee,
    -- in an OR), a parameter computed once per statement costs less than a
    -- call per row (docs/performance.md).
    -- A CUSTOM role's arm is gated by a sub-select that asks whether the
    -- context has any service access (every other role's is empty): PostgreSQL
    -- computes an InitPlan when a row first needs it, so the AND keeps the
    -- look-up of service types (a SECURITY DEFINER call per statement) from
    -- ever running for the others, who would find none. The same rows match.
    expr := regexp_replace(expr,
        '\(([a-z_.]+) = ANY \(\( SELECT mycelium\.my_service_type_ids\(\) AS my_service_type_ids\)::uuid\[\]\)\)',
        '(( SELECT (cardinality(mycelium.current_service_access()) > 0) AS custom) AND (\1 = ANY (( SELECT mycelium.my_service_type_ids() AS my_service_type_ids)::uuid[])))',
        'g');
    RETURN replace(expr, org_call, org_for);
END;
$$;
REVOKE ALL ON FUNCTION mycelium_internal.specialize_policy(text, text) FROM PUBLIC;

-- A specialization with its answered arms folded away (`false AND …`, `true OR
-- …`), as the planner folds them (src/pg/policy_fold.cpp): folded once here
-- rather than on every plan. The analysed expression; pg_get_expr prints it.
-- Private.
CREATE OR REPLACE FUNCTION mycelium_internal.fold_policy(expr text, rel regclass) RETURNS pg_catalog.pg_node_tree
    AS 'MODULE_PATHNAME', 'mycelium_fold_policy'
    LANGUAGE C STABLE PARALLEL SAFE;
REVOKE ALL ON FUNCTION mycelium_internal.fold_policy(text, regclass) FROM PUBLIC;

-- What a policy of 50_rls.sql (its stored expression) becomes for one kind of
-- context, as text to create it from: printed with every name qualified,
-- specialized, then folded. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.specialized_policy(general pg_catalog.pg_node_tree, rel regclass, kind text)
    RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.pg_get_expr(
               mycelium_internal.fold_policy(
                   mycelium_internal.specialize_policy(pg_catalog.pg_get_expr(general, rel), kind), rel),
               rel);
$$;
REVOKE ALL ON FUNCTION mycelium_internal.specialized_policy(pg_catalog.pg_node_tree, regclass, text) FROM PUBLIC;

DO $$
DECLARE
    p record;
    kind text;
    qual text;
    chk text;
    saved constant text := current_setting('search_path');
BEGIN
    -- The tables' names printed qualified, as specialized_policy prints the
    -- expressions (an extension script runs with mycelium first on its path).
    PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
    FOR p IN SELECT pol.polname, pol.polrelid::regclass AS tbl, pol.polcmd,
                    pol.polqual AS qual, pol.polwithcheck AS chk
               FROM pg_catalog.pg_policy pol JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
              WHERE c.relnamespace = 'mycelium'::regnamespace AND pol.polroles = '{0}'::oid[]
              ORDER BY pol.polrelid, pol.polname
    LOOP
        EXECUTE format('ALTER POLICY %I ON %s TO mycelium_app, mycelium_readonly, mycelium_billing', p.polname, p.tbl);
        FOREACH kind IN ARRAY ARRAY['admin', 'staff', 'portal'] LOOP
            qual := mycelium_internal.specialized_policy(p.qual, p.tbl, kind);
            chk := mycelium_internal.specialized_policy(p.chk, p.tbl, kind);
            EXECUTE format('CREATE POLICY %I ON %s FOR %s TO %I%s%s', p.polname || '_' || kind, p.tbl,
                           CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                                         WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                           'mycelium_' || kind,
                           CASE WHEN qual IS NOT NULL THEN format(' USING (%s)', qual) ELSE '' END,
                           CASE WHEN chk IS NOT NULL THEN format(' WITH CHECK (%s)', chk) ELSE '' END);
        END LOOP;
    END LOOP;
    PERFORM set_config('search_path', saved, true);
END;
$$;
