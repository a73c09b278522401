-- ====== Subscriptions: what an organization's plan allows ======
-- mycelium.subscriptions holds one row per organization, written by the billing
-- service (grant_access kind 'billing', 90_catalog.sql; its policies are in
-- 50_rls.sql), never by the tenant. Two rules follow from it:
--   * the plan's limits, max_users, max_clients and max_projects (NULL: none),
--     hold for every writer: check_plan_limits below;
--   * an organization whose subscription is CANCELLED or UNPAID, PAST_DUE past its
--     grace period, or TRIALING past its trial, is read-only: its application
--     roles read but do not write (require_context, 50_rls.sql, calls
--     mycelium.require_organization_writable once per statement), the functions
--     that write for a tenant refuse too, and the jobs the database runs leave it
--     alone. Signing in and out and keeping accounts safe go on working.
-- No subscription row: no limit, never read-only. docs/security.md, "Subscriptions".

-- The organizations among orgs that are read-only now, and why. The one source of
-- the rule: the statement check, the functions that write for a tenant and the
-- jobs all read it. The grace period after a PAST_DUE subscription's period is
-- the setting past_due_grace_days (7 days by default); a trial without
-- trial_ends_at ends with its period. The setting is read only for a PAST_DUE
-- row (a sub-select evaluated when first needed). PL/pgSQL rather than SQL, so
-- that the query is planned once per session, not at every call (a function
-- with SET is never inlined).
CREATE OR REPLACE FUNCTION mycelium_internal.read_only_organizations(orgs uuid[])
    RETURNS TABLE (organization_id uuid, reason text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    SELECT s.organization_id, r.reason
    FROM mycelium.subscriptions s
    -- Until when a PAST_DUE or TRIALING subscription may still write.
    CROSS JOIN LATERAL (
        SELECT CASE s.status
                   WHEN 'PAST_DUE' THEN s.current_period_end + pg_catalog.make_interval(days => (
                       SELECT coalesce((SELECT x.value::integer FROM mycelium_internal.settings x
                                         WHERE x.name = 'past_due_grace_days'), 7)))
                   WHEN 'TRIALING' THEN coalesce(s.trial_ends_at, s.current_period_end)
               END AS writable_until) w
    CROSS JOIN LATERAL (
        SELECT CASE WHEN s.status IN ('CANCELLED', 'UNPAID') THEN pg_catalog.format('its subscription is %s', s.status)
                    WHEN now() < w.writable_until THEN NULL
                    WHEN s.status = 'PAST_DUE'
                        THEN pg_catalog.format('its subscription is PAST_DUE and its grace period ended at %s',
                                               w.writable_until)
                    WHEN s.status = 'TRIALING' THEN pg_catalog.format('its trial ended at %s', w.writable_until)
               END AS reason) r
    WHERE s.organization_id = ANY (orgs)
      AND s.status <> 'ACTIVE'
      AND r.reason IS NOT NULL;
END;
$$;
COMMENT ON FUNCTION mycelium_internal.read_only_organizations(uuid[]) IS
    'The organizations among the given ones whose subscription makes them read-only now, and why';

-- Raises 42501 when org is read-only, naming the operation and the organization.
-- The reason (the subscription's status and dates) is for the organization's
-- ADMINs, who alone may read its subscription: staff and portal users (a client
-- of the agency) are told that it is read-only, not that it has not paid. 42501,
-- not 25006: 25006 says that this server or transaction cannot write (a standby,
-- SET TRANSACTION READ ONLY), which drivers and poolers may answer by moving to
-- another server; here the same server refuses this organization's writes. The
-- error names mycelium.subscriptions.status (its schema, table and column fields)
-- so that an application can tell it from a policy's refusal without reading the
-- text.
CREATE OR REPLACE FUNCTION mycelium_internal.require_organization_writable(operation text, org uuid) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    why text;
BEGIN
    -- The common case first, in one index look-up: no subscription, or an ACTIVE one.
    IF org IS NULL OR NOT EXISTS (SELECT FROM mycelium.subscriptions s
                                   WHERE s.organization_id = org AND s.status <> 'ACTIVE') THEN
        RETURN;
    END IF;
    SELECT r.reason INTO why FROM mycelium_internal.read_only_organizations(ARRAY[org]) r;
    IF why IS NULL THEN
        RETURN;
    END IF;
    IF mycelium.current_organization_id() = org AND mycelium.current_app_role() = 'ADMIN' THEN
        RAISE EXCEPTION '%: organization % is read-only: %', operation,
                        (SELECT g.slug FROM mycelium.organizations g WHERE g.id = org), why
            USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium', TABLE = 'subscriptions', COLUMN = 'status',
                  DETAIL = 'Reads still work; nothing of the organization can be changed.',
                  HINT = 'Writes resume once the subscription is ACTIVE again (or PAST_DUE within its grace period).';
    END IF;
    RAISE EXCEPTION '%: organization % is read-only', operation,
                    (SELECT g.slug FROM mycelium.organizations g WHERE g.id = org)
        USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium', TABLE = 'subscriptions', COLUMN = 'status',
              DETAIL = 'Reads still work; nothing of the organization can be changed.',
              HINT = 'An ADMIN of the organization can see why.';
END;
$$;
COMMENT ON FUNCTION mycelium_internal.require_organization_writable(text, uuid) IS
    'Raises 42501 naming the operation when the organization is read-only (its subscription)';

-- The same for the organization of the current context: what require_context
-- calls once per write statement, as the writing role (an application role
-- cannot call into mycelium_internal, nor read the subscription unless it is an
-- ADMIN). Without a context it does nothing (require_context refuses such
-- writes itself).
CREATE OR REPLACE FUNCTION mycelium.require_organization_writable(operation text) RETURNS void
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org constant uuid := mycelium.current_organization_id();
BEGIN
    -- The common case here, without a further call (this runs for every write
    -- statement of an application): no subscription, or an ACTIVE one.
    IF org IS NULL OR NOT EXISTS (SELECT FROM mycelium.subscriptions s
                                   WHERE s.organization_id = org AND s.status <> 'ACTIVE') THEN
        RETURN;
    END IF;
    PERFORM mycelium_internal.require_organization_writable(operation, org);
END;
$$;
COMMENT ON FUNCTION mycelium.require_organization_writable(text) IS
    'Raises 42501 naming the operation when the context''s organization is read-only (its subscription)';

-- The organizations among orgs that a job may write for: with a tenant context
-- (an ADMIN running a sweep for their own organization) a read-only organization
-- is an error, as any write of theirs is; without one (the scheduled job, an
-- operator) read-only organizations are left out, so that one lapsed
-- subscription does not fail everyone's run. Order is kept.
CREATE OR REPLACE FUNCTION mycelium_internal.writable_organizations(fn text, orgs uuid[]) RETURNS uuid[]
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF mycelium.current_organization_id() IS NOT NULL THEN
        PERFORM mycelium_internal.require_organization_writable(fn, mycelium.current_organization_id());
        RETURN orgs;
    END IF;
    -- The common case first: no organization among them has a subscription but an ACTIVE one.
    IF NOT EXISTS (SELECT FROM mycelium.subscriptions s WHERE s.organization_id = ANY (orgs) AND s.status <> 'ACTIVE')
    THEN
        RETURN orgs;
    END IF;
    RETURN ARRAY(SELECT u.o FROM unnest(orgs) WITH ORDINALITY AS u(o, n)
                  WHERE NOT EXISTS (SELECT FROM mycelium_internal.read_only_organizations(orgs) r
                                     WHERE r.organization_id = u.o)
                  ORDER BY u.n);
END;
$$;
COMMENT ON FUNCTION mycelium_internal.writable_organizations(text, uuid[]) IS
    'The given organizations a job may write for: read-only ones left out, or an error with a tenant context';

-- ------ The plan's limits ------
-- After each statement that adds users, clients or projects that count (a new
-- row, or one whose status changes to a counted one: a user re-activated, a
-- client brought back from ARCHIVED), once per organization it touched that has a
-- limit: take the organization's subscription row, then count. What counts:
--   users     ACTIVE or PENDING (an invitation holds a seat: it is refused when it
--             is sent, not when it is accepted); INACTIVE and SUSPENDED do not;
--   clients   every status but ARCHIVED and TERMINATED;
--   projects  PLANNING, ACTIVE and ON_HOLD (COMPLETED and CANCELLED do not).
-- A statement-level trigger over the transition table: a bulk insert is counted
-- once, whatever its size, and the rows are those log_activity captures anyway.
-- Concurrent writers of one organization take turns on its subscription row,
-- which the check writes (an UPDATE that changes nothing but updated_at), not
-- merely locks: under REPEATABLE READ or SERIALIZABLE a row only locked by a
-- writer that committed after the snapshot would let the count miss its rows,
-- while a row it wrote makes the second writer fail with 40001 (retry). Under
-- READ COMMITTED the second waits, then counts the first's rows and stays within
-- the limit or fails. A row lock rather than an advisory lock, which any role
-- could take to stall others. Only organizations with a limit on the table are
-- locked, so others never wait. SECURITY DEFINER: the count must see every row of
-- the organization, not what the writer may see.
CREATE OR REPLACE FUNCTION mycelium_internal.check_plan_limits() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    limit_column constant text := CASE TG_TABLE_NAME WHEN 'users' THEN 'max_users'
                                                     WHEN 'clients' THEN 'max_clients'
                                                     WHEN 'projects' THEN 'max_projects' END;
    -- Whether row %1$s counts against the limit.
    counted constant text := CASE TG_TABLE_NAME
                                 WHEN 'users' THEN $c$%1$s.status IN ('ACTIVE', 'PENDING')$c$
                                 WHEN 'clients' THEN $c$%1$s.status NOT IN ('ARCHIVED', 'TERMINATED')$c$
                                 WHEN 'projects' THEN $c$%1$s.status IN ('PLANNING', 'ACTIVE', 'ON_HOLD')$c$ END;
    what_counts constant text := CASE TG_TABLE_NAME
                                     WHEN 'users' THEN 'Users count while ACTIVE or PENDING (invited).'
                                     WHEN 'clients' THEN 'Clients count unless ARCHIVED or TERMINATED.'
                                     WHEN 'projects' THEN 'Projects count while PLANNING, ACTIVE or ON_HOLD.' END;
    orgs uuid[];
    org uuid;
    cap integer;
    used bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('SELECT array_agg(DISTINCT n.organization_id ORDER BY n.organization_id) '
                       'FROM new_rows n WHERE %s', format(counted, 'n'))
            INTO orgs;
    ELSE
        EXECUTE format('SELECT array_agg(DISTINCT n.organization_id ORDER BY n.organization_id) '
                       'FROM new_rows n WHERE %s AND NOT EXISTS (SELECT FROM old_rows o '
                       'WHERE o.organization_id = n.organization_id AND o.id = n.id AND %s)',
                       format(counted, 'n'), format(counted, 'o'))
            INTO orgs;
    END IF;
    IF orgs IS NULL THEN
        RETURN NULL;
    END IF;
    -- In the order of the organizations' ids, so that a statement touching several
    -- cannot deadlock with another.
    FOR org IN
        SELECT s.organization_id FROM mycelium.subscriptions s
         WHERE s.organization_id = ANY (orgs)
           AND CASE limit_column WHEN 'max_users' THEN s.max_users
                                 WHEN 'max_clients' THEN s.max_clients
                                 ELSE s.max_projects END IS NOT NULL
         ORDER BY s.organization_id
    LOOP
        -- The turn, and the limit as it is now (billing may have changed it).
        UPDATE mycelium.subscriptions s SET status = s.status
         WHERE s.organization_id = org
        RETURNING CASE limit_column WHEN 'max_users' THEN s.max_users
                                    WHEN 'max_clients' THEN s.max_clients
                                    ELSE s.max_projects END
          INTO cap;
        CONTINUE WHEN cap IS NULL;
        EXECUTE format('SELECT count(*) FROM mycelium.%I t WHERE t.organization_id = $1 AND %s',
                       TG_TABLE_NAME, format(counted, 't'))
            INTO used USING org;
        IF used > cap THEN
            RAISE EXCEPTION 'mycelium: too many % for the plan of organization %: at most % (subscriptions.%), '
                            'this would make %',
                            TG_TABLE_NAME, (SELECT g.slug FROM mycelium.organizations g WHERE g.id = org), cap,
                            limit_column, used
                USING ERRCODE = 'configuration_limit_exceeded', SCHEMA = 'mycelium', TABLE = 'subscriptions',
                      COLUMN = limit_column, DETAIL = what_counts,
                      HINT = 'Retire one first, or change to a plan that allows more.';
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'clients', 'projects'] LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER check_plan_limits_insert AFTER INSERT ON mycelium.%I '
                       'REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_plan_limits()', t);
        EXECUTE format('CREATE OR REPLACE TRIGGER check_plan_limits_update AFTER UPDATE ON mycelium.%I '
                       'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_plan_limits()', t);
    END LOOP;
END;
$$;
