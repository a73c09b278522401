-- ====== Row-level security ======
-- Enabled and forced on every tenant table (and on organizations), with one
-- policy per table and command, so that nothing is OR'ed by accident (the
-- document's two permissive deliverables policies let every editor see all of
-- the organization's work). Every context function is called inside a scalar
-- sub-select, so that it is evaluated once per statement (an InitPlan), not once
-- per row. Who may do what: docs/security.md.
--
-- Visibility that needs another table (a user's client assignments, the service
-- types a CUSTOM role may work on, a portal user's permissions) is looked up in one
-- STABLE helper each, so that it can later become a denormalized column.

-- PL/pgSQL rather than SQL: a SECURITY DEFINER SQL function is planned again at
-- every call, and a policy calls each of these once per statement; PL/pgSQL
-- keeps its plan for the session (a tenth of the cost per statement).
CREATE OR REPLACE FUNCTION mycelium.my_client_ids() RETURNS uuid[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT a.client_id), '{}')
              FROM mycelium.client_assignments a
             WHERE a.organization_id = mycelium.current_organization_id()
               AND a.user_id = mycelium.current_app_user_id()
               AND a.is_active
               AND mycelium.current_app_role() <> 'CLIENT');
END;
$$;
COMMENT ON FUNCTION mycelium.my_client_ids() IS
    'The clients the current staff user is actively assigned to';

-- The clients whose work the current staff user may change: its assignments
-- other than VIEWER ("Read-only access"), which lets it see the work only.
CREATE OR REPLACE FUNCTION mycelium.my_writable_client_ids() RETURNS uuid[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT a.client_id), '{}')
              FROM mycelium.client_assignments a
             WHERE a.organization_id = mycelium.current_organization_id()
               AND a.user_id = mycelium.current_app_user_id()
               AND a.is_active
               AND a.role <> 'VIEWER'
               AND mycelium.current_app_role() <> 'CLIENT');
END;
$$;
COMMENT ON FUNCTION mycelium.my_writable_client_ids() IS
    'The clients the current staff user may change the work of (its assignments but VIEWER ones)';

CREATE OR REPLACE FUNCTION mycelium.my_service_type_ids() RETURNS uuid[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(st.id), '{}')
              FROM mycelium.service_types st
             WHERE st.organization_id = mycelium.current_organization_id()
               AND mycelium.current_app_role() = 'CUSTOM'
               AND st.slug = ANY (mycelium.current_service_access()));
END;
$$;
COMMENT ON FUNCTION mycelium.my_service_type_ids() IS
    'The service types a CUSTOM role may work on (from its service access)';

CREATE OR REPLACE FUNCTION mycelium.portal_can(permission text) RETURNS boolean
    LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- A VIEWER portal user reads only, whatever its flags say; a portal ADMIN
    -- manages its client's portal users.
    RETURN coalesce((SELECT CASE permission WHEN 'approve' THEN cu.can_approve AND cu.role <> 'VIEWER'
                                            WHEN 'comment' THEN cu.can_comment AND cu.role <> 'VIEWER'
                                            WHEN 'download' THEN cu.can_download
                                            WHEN 'manage' THEN cu.role = 'ADMIN' END
                       FROM mycelium.client_users cu
                      WHERE cu.organization_id = mycelium.current_organization_id()
                        AND cu.id = mycelium.current_app_user_id()
                        AND cu.is_active
                        AND mycelium.current_app_role() = 'CLIENT'), false);
END;
$$;
COMMENT ON FUNCTION mycelium.portal_can(text) IS
    'Whether the current portal user may approve, comment, download or manage its client''s portal users';

-- A clear 42501 for a write without a context (reads simply see no rows). Fired
-- once per statement; roles to which row-level security does not apply (the
-- extension's owner, superusers, BYPASSRLS roles) are let through. The billing
-- service writes every organization's subscription without a context. With a
-- context, the organization must not be read-only (its subscription,
-- 44_subscriptions.sql): one look-up per statement, as the writing role.
CREATE OR REPLACE FUNCTION mycelium_internal.require_context() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT row_security_active(TG_RELID) THEN
        RETURN NULL;
    END IF;
    IF mycelium.current_organization_id() IS NULL THEN
        IF TG_TABLE_NAME = 'subscriptions' AND pg_has_role('mycelium_billing', 'USAGE') THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'mycelium: % on %.% needs a tenant context', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = '28M01', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
                  HINT = 'Call mycelium.authenticate(token) or mycelium.set_context(...) in this transaction first.';
    END IF;
    PERFORM mycelium.require_organization_writable(format('mycelium: %s on %s.%s', TG_OP, TG_TABLE_SCHEMA,
                                                          TG_TABLE_NAME));
    RETURN NULL;
END;
$$;

-- Limits what a non-ADMIN may change of a row that a policy lets them update:
-- arguments are the columns they may change (updated_at always). Users edit
-- their own profile, not their role, status, e-mail, organization, permissions or
-- login state; recipients mark their notifications read, nothing else.
CREATE OR REPLACE FUNCTION mycelium_internal.limit_changes() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    allowed text[] := TG_ARGV || ARRAY['updated_at'];
    changed text[];
BEGIN
    IF NOT row_security_active(TG_RELID) OR (SELECT mycelium.current_app_role()) = 'ADMIN' THEN
        RETURN NEW;
    END IF;
    changed := ARRAY(SELECT k FROM jsonb_each(to_jsonb(NEW)) AS n(k, v)
                      WHERE k <> ALL (allowed) AND to_jsonb(OLD) -> k IS DISTINCT FROM v ORDER BY k);
    IF cardinality(changed) > 0 THEN
        RAISE EXCEPTION 'mycelium: only an ADMIN may change % of %', array_to_string(changed, ', '), TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium', TABLE = TG_TABLE_NAME,
                  DETAIL = 'Others may change ' || array_to_string(TG_ARGV, ', ') || '.';
    END IF;
    RETURN NEW;
END;
$$;

-- A portal (CLIENT) user may only approve a deliverable that awaits approval, or
-- send it back for revision, and only with can_approve.
CREATE OR REPLACE FUNCTION mycelium_internal.guard_portal_deliverable_update() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed text[];
BEGIN
    IF NOT row_security_active(TG_RELID) OR (SELECT mycelium.current_app_role()) IS DISTINCT FROM 'CLIENT' THEN
        RETURN NEW;
    END IF;
    changed := ARRAY(SELECT k FROM jsonb_each(to_jsonb(NEW)) AS n(k, v)
                      WHERE k NOT IN ('status', 'approved_at', 'updated_at')
                        AND to_jsonb(OLD) -> k IS DISTINCT FROM v ORDER BY k);
    IF cardinality(changed) > 0 THEN
        RAISE EXCEPTION 'mycelium: a portal user may not change % of a deliverable', array_to_string(changed, ', ')
            USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium', TABLE = 'deliverables';
    END IF;
    IF OLD.status <> 'NEEDS_APPROVAL' OR NEW.status NOT IN ('APPROVED', 'IN_PROGRESS') THEN
        RAISE EXCEPTION 'mycelium: a portal user may only approve a deliverable awaiting approval, or send it back'
            USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium', TABLE = 'deliverables', COLUMN = 'status',
                  DETAIL = format('The deliverable is %s; the requested status is %s.', OLD.status, NEW.status);
    END IF;
    -- The approval time is the database's, never the caller's.
    NEW.approved_at := CASE WHEN NEW.status = 'APPROVED' THEN now() ELSE OLD.approved_at END;
    RETURN NEW;
END;
$$;

-- Moving work between clients. The UPDATE policies check the new row with the
-- same rule as the old one, but that rule is an OR of rights (the assignee, a
-- CUSTOM role's services, the clients one serves, a project's manager), and a row
-- that stays visible by one of them could still change the others: an assignee
-- or a CUSTOM role moving a deliverable to a client it does not serve, a manager
-- moving the project, hands it and its comments to that client's portal users
-- and staff. So the place a row moves to must be held by the same right as the
-- place it leaves: a non-ADMIN moves a deliverable or project to another client
-- only between clients they are both assigned to, and a deliverable to another
-- service type only if they serve its client or hold both service types.
-- ADMINs move anything within the organization; portal users move nothing
-- (guard_portal_deliverable_update).
CREATE OR REPLACE FUNCTION mycelium_internal.guard_move() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    clients uuid[];
    services uuid[];
    kind text := CASE TG_TABLE_NAME WHEN 'deliverables' THEN 'deliverable' ELSE 'project' END;
BEGIN
    IF NOT row_security_active(TG_RELID) OR (SELECT mycelium.current_app_role()) = 'ADMIN' THEN
        RETURN NEW;
    END IF;
    clients := mycelium.my_writable_client_ids();
    IF NEW.client_id IS DISTINCT FROM OLD.client_id
       AND NOT (OLD.client_id = ANY (clients) AND NEW.client_id = ANY (clients)) THEN
        RAISE EXCEPTION 'mycelium: % % cannot move from client % to client %', kind, OLD.id, OLD.client_id, NEW.client_id
            USING ERRCODE = 'insufficient_privilege',
                  SCHEMA = 'mycelium', TABLE = TG_TABLE_NAME, COLUMN = 'client_id',
                  DETAIL = 'Only an ADMIN, or a user assigned to both clients, may move work between clients.';
    END IF;
    IF TG_TABLE_NAME = 'deliverables' THEN
        IF NEW.service_type_id IS DISTINCT FROM OLD.service_type_id AND NOT NEW.client_id = ANY (clients) THEN
            services := mycelium.my_service_type_ids();
            IF NOT (OLD.service_type_id = ANY (services) AND NEW.service_type_id = ANY (services)) THEN
                RAISE EXCEPTION 'mycelium: deliverable % cannot move from service type % to %',
                                OLD.id, OLD.service_type_id, NEW.service_type_id
                    USING ERRCODE = 'insufficient_privilege',
                          SCHEMA = 'mycelium', TABLE = 'deliverables', COLUMN = 'service_type_id',
                          DETAIL = 'Only an ADMIN, a user assigned to its client, or a role with both service '
                                   'types may change the service type of a deliverable.';
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY mycelium_internal.tenant_tables()
    LOOP
        EXECUTE format('ALTER TABLE mycelium.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE mycelium.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE OR REPLACE TRIGGER require_context BEFORE INSERT OR UPDATE OR DELETE ON mycelium.%I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()', t);
    END LOOP;
END;
$$;
-- Nobody but its owner reads the keys; RLS with no policy shuts out everyone else
-- should a privilege ever be granted by mistake.
ALTER TABLE mycelium_internal.auth_keys ENABLE ROW LEVEL SECURITY;

CREATE OR REPLACE TRIGGER guard_user_update BEFORE UPDATE ON mycelium.users
    FOR EACH ROW EXECUTE FUNCTION mycelium_internal.limit_changes(
        'name', 'phone', 'title', 'bio', 'avatar_url', 'last_login_at');
-- Only a tenant user who is not an ADMIN is limited, so only their updates pay
-- the PL/pgSQL call: without a context, row-level security hides every row from
-- a role it applies to, and the delivery worker's batches run none.
-- A portal ADMIN changes its colleagues' names, roles, flags and whether they are
-- active, never their e-mail (the login a password reset is sent to) or whether
-- it is verified; the rows it adds start unverified.
CREATE OR REPLACE FUNCTION mycelium_internal.guard_portal_user_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.email_verified := false;
    NEW.last_login_at := NULL;
    RETURN NEW;
END;
$$;
CREATE OR REPLACE TRIGGER guard_portal_user_insert BEFORE INSERT ON mycelium.client_users
    FOR EACH ROW WHEN (mycelium.current_app_role() = 'CLIENT')
    EXECUTE FUNCTION mycelium_internal.guard_portal_user_insert();
CREATE OR REPLACE TRIGGER guard_portal_user_update BEFORE UPDATE ON mycelium.client_users
    FOR EACH ROW WHEN (mycelium.current_app_role() = 'CLIENT')
    EXECUTE FUNCTION mycelium_internal.limit_changes(
        'name', 'title', 'phone', 'role', 'is_active', 'can_approve', 'can_download', 'can_comment');
CREATE OR REPLACE TRIGGER guard_recipient_update BEFORE UPDATE ON mycelium.notification_recipients
    FOR EACH ROW WHEN (mycelium.current_app_role() <> 'ADMIN')
    EXECUTE FUNCTION mycelium_internal.limit_changes('read_at');
-- The WHEN clause keeps staff updates (and the sweep's thousands of rows) from
-- paying a PL/pgSQL call per row: only a portal user's update runs the function.
CREATE OR REPLACE TRIGGER guard_portal_update BEFORE UPDATE ON mycelium.deliverables
    FOR EACH ROW WHEN (mycelium.current_app_role() = 'CLIENT')
    EXECUTE FUNCTION mycelium_internal.guard_portal_deliverable_update();

-- Only an update that changes where the row belongs runs the function.
CREATE OR REPLACE TRIGGER guard_move BEFORE UPDATE ON mycelium.deliverables
    FOR EACH ROW WHEN (OLD.client_id IS DISTINCT FROM NEW.client_id
                       OR OLD.service_type_id IS DISTINCT FROM NEW.service_type_id)
    EXECUTE FUNCTION mycelium_internal.guard_move();
CREATE OR REPLACE TRIGGER guard_move BEFORE UPDATE ON mycelium.projects
    FOR EACH ROW WHEN (OLD.client_id IS DISTINCT FROM NEW.client_id)
    EXECUTE FUNCTION mycelium_internal.guard_move();

-- ------ The organization itself, its settings, branding and subscription ------

CREATE POLICY organizations_select ON mycelium.organizations FOR SELECT
    USING (id = (SELECT mycelium.current_organization_id()));
CREATE POLICY organizations_update ON mycelium.organizations FOR UPDATE
    USING (id = (SELECT mycelium.current_organization_id()) AND (SELECT mycelium.current_app_role()) = 'ADMIN')
    WITH CHECK (id = (SELECT mycelium.current_organization_id()));
-- No INSERT or DELETE policy: organizations are created by create_organization
-- and removed by the database owner.

CREATE POLICY organization_settings_select ON mycelium.organization_settings FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id()));
CREATE POLICY organization_branding_select ON mycelium.organization_branding FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id()));
-- The organization's ADMINs read its subscription. The billing service (roles
-- granted the billing kind: members of mycelium_billing, which grant_access
-- keeps apart from app and readonly) reads and writes every organization's,
-- without a context, as it follows Stripe; nobody else writes it.
CREATE POLICY subscriptions_select ON mycelium.subscriptions FOR SELECT
    USING ((organization_id = (SELECT mycelium.current_organization_id())
            AND (SELECT mycelium.current_app_role()) = 'ADMIN')
           OR (SELECT pg_catalog.pg_has_role('mycelium_billing', 'USAGE')));
CREATE POLICY subscriptions_insert ON mycelium.subscriptions FOR INSERT
    WITH CHECK ((SELECT pg_catalog.pg_has_role('mycelium_billing', 'USAGE')));
CREATE POLICY subscriptions_update ON mycelium.subscriptions FOR UPDATE
    USING ((SELECT pg_catalog.pg_has_role('mycelium_billing', 'USAGE')))
    WITH CHECK ((SELECT pg_catalog.pg_has_role('mycelium_billing', 'USAGE')));
CREATE POLICY subscriptions_delete ON mycelium.subscriptions FOR DELETE
    USING ((SELECT pg_catalog.pg_has_role('mycelium_billing', 'USAGE')));

-- ------ ADMIN-managed configuration: write policies ------
-- settings, branding, service types, fields, integrations, users, clients,
-- assignments and portal users are written by ADMINs only (users also update
-- their own profile, below).
DO $$
DECLARE
    t text;
    admin_only text := 'organization_id = (SELECT mycelium.current_organization_id()) '
                       'AND (SELECT mycelium.current_app_role()) = ''ADMIN''';
BEGIN
    FOREACH t IN ARRAY ARRAY['organization_settings', 'organization_branding', 'service_types',
                             'deliverable_fields', 'integrations', 'clients', 'client_assignments']
    LOOP
        EXECUTE format('CREATE POLICY %I ON mycelium.%I FOR INSERT WITH CHECK (%s)', t || '_insert', t, admin_only);
        EXECUTE format('CREATE POLICY %I ON mycelium.%I FOR UPDATE USING (%s) WITH CHECK (%s)',
                       t || '_update', t, admin_only, admin_only);
        EXECUTE format('CREATE POLICY %I ON mycelium.%I FOR DELETE USING (%s)', t || '_delete', t, admin_only);
    END LOOP;
END;
$$;

-- Service types and their fields are the organization's vocabulary: everyone in
-- it reads them (the portal shows service names and forms). Integrations hold
-- credentials in config: ADMINs only, reading included.
CREATE POLICY service_types_select ON mycelium.service_types FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id()));
CREATE POLICY deliverable_fields_select ON mycelium.deliverable_fields FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id()));
CREATE POLICY integrations_select ON mycelium.integrations FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND (SELECT mycelium.current_app_role()) = 'ADMIN');

-- ------ People ------

-- Staff see their colleagues; portal users see none of them.
CREATE POLICY users_select ON mycelium.users FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND (SELECT mycelium.current_app_role()) <> 'CLIENT');
CREATE POLICY users_insert ON mycelium.users FOR INSERT
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
                AND (SELECT mycelium.current_app_role()) = 'ADMIN');
-- ADMINs update anyone of the organization; others only themselves, and then
-- only their profile (guard_user_update).
CREATE POLICY users_update ON mycelium.users FOR UPDATE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT' AND id = (SELECT mycelium.current_app_user_id()))))
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id()));
CREATE POLICY users_delete ON mycelium.users FOR DELETE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND (SELECT mycelium.current_app_role()) = 'ADMIN');

-- Assignments: ADMINs see all; a user sees their own.
CREATE POLICY client_assignments_select ON mycelium.client_assignments FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT' AND user_id = (SELECT mycelium.current_app_user_id()))));

-- Portal users: ADMINs see all; a portal user sees those of their own client.
-- ADMINs write them; so does a portal ADMIN for its own client's, never beyond
-- it (WITH CHECK keeps every row in its client), changing only what
-- guard_portal_user_update allows; deleting is the agency's.
CREATE POLICY client_users_insert ON mycelium.client_users FOR INSERT
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
                AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                     OR ((SELECT mycelium.current_app_role()) = 'CLIENT' AND client_id = (SELECT mycelium.current_client_id())
                         AND (SELECT mycelium.portal_can('manage')))));
CREATE POLICY client_users_update ON mycelium.client_users FOR UPDATE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) = 'CLIENT' AND client_id = (SELECT mycelium.current_client_id())
                    AND (SELECT mycelium.portal_can('manage')))))
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
                AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                     OR ((SELECT mycelium.current_app_role()) = 'CLIENT' AND client_id = (SELECT mycelium.current_client_id())
                         AND (SELECT mycelium.portal_can('manage')))));
CREATE POLICY client_users_delete ON mycelium.client_users FOR DELETE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND (SELECT mycelium.current_app_role()) = 'ADMIN');
CREATE POLICY client_users_select ON mycelium.client_users FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) = 'CLIENT' AND client_id = (SELECT mycelium.current_client_id()))));

-- ------ Clients and projects ------

-- ADMINs see every client; staff the clients they are assigned to; a portal user
-- their own client.
CREATE POLICY clients_select ON mycelium.clients FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR mycelium.uuid_among(id, (SELECT mycelium.my_client_ids()))
                OR ((SELECT mycelium.current_app_role()) = 'CLIENT' AND id = (SELECT mycelium.current_client_id()))));

CREATE POLICY projects_select ON mycelium.projects FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT' AND manager_id = (SELECT mycelium.current_app_user_id()))
                OR mycelium.uuid_among(client_id, (SELECT mycelium.my_client_ids()))
                OR ((SELECT mycelium.current_app_role()) = 'CLIENT' AND client_id = (SELECT mycelium.current_client_id()))));
CREATE POLICY projects_insert ON mycelium.projects FOR INSERT
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
                AND (SELECT mycelium.current_app_role()) = 'ADMIN');
CREATE POLICY projects_update ON mycelium.projects FOR UPDATE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT' AND manager_id = (SELECT mycelium.current_app_user_id()))))
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT' AND manager_id = (SELECT mycelium.current_app_user_id()))));
CREATE POLICY projects_delete ON mycelium.projects FOR DELETE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND (SELECT mycelium.current_app_role()) = 'ADMIN');

-- ------ Deliverables ------
-- ADMIN: all of the organization's. Other staff: assigned to them, or of clients
-- they are assigned to. CUSTOM, also: of the service types in its access. CLIENT:
-- its own client's.

CREATE POLICY deliverables_select ON mycelium.deliverables FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT'
                    AND (assigned_user_id = (SELECT mycelium.current_app_user_id())
                         OR mycelium.uuid_among(client_id, (SELECT mycelium.my_client_ids()))
                         OR service_type_id = ANY ((SELECT mycelium.my_service_type_ids())::uuid[])))
                OR ((SELECT mycelium.current_app_role()) = 'CLIENT' AND client_id = (SELECT mycelium.current_client_id()))));
-- Staff create work for clients they are assigned to, not as a VIEWER (CUSTOM
-- also in its services).
CREATE POLICY deliverables_insert ON mycelium.deliverables FOR INSERT
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
                AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                     OR ((SELECT mycelium.current_app_role()) <> 'CLIENT'
                         AND (mycelium.uuid_among(client_id, (SELECT mycelium.my_writable_client_ids()))
                              OR service_type_id = ANY ((SELECT mycelium.my_service_type_ids())::uuid[])))));
-- Staff update what they may change (what they see, but a VIEWER assignment's
-- clients only when the work is assigned to them), and cannot move it out; a
-- portal user with can_approve approves its own client's deliverables
-- (guard_portal_deliverable_update limits what changes).
CREATE POLICY deliverables_update ON mycelium.deliverables FOR UPDATE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT'
                    AND (assigned_user_id = (SELECT mycelium.current_app_user_id())
                         OR mycelium.uuid_among(client_id, (SELECT mycelium.my_writable_client_ids()))
                         OR service_type_id = ANY ((SELECT mycelium.my_service_type_ids())::uuid[])))
                OR ((SELECT mycelium.current_app_role()) = 'CLIENT' AND client_id = (SELECT mycelium.current_client_id())
                    AND (SELECT mycelium.portal_can('approve')))))
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT'
                    AND (assigned_user_id = (SELECT mycelium.current_app_user_id())
                         OR mycelium.uuid_among(client_id, (SELECT mycelium.my_writable_client_ids()))
                         OR service_type_id = ANY ((SELECT mycelium.my_service_type_ids())::uuid[])))
                OR ((SELECT mycelium.current_app_role()) = 'CLIENT' AND client_id = (SELECT mycelium.current_client_id())
                    AND (SELECT mycelium.portal_can('approve')))));
CREATE POLICY deliverables_delete ON mycelium.deliverables FOR DELETE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND (SELECT mycelium.current_app_role()) = 'ADMIN');

-- ------ Comments and time ------
-- A comment is visible with its deliverable (the sub-select applies the
-- deliverables policy), and internal comments never reach a portal user.
CREATE POLICY comments_select ON mycelium.comments FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND NOT (is_internal AND (SELECT mycelium.current_app_role()) = 'CLIENT')
           AND EXISTS (SELECT FROM mycelium.deliverables d
                       WHERE d.organization_id = comments.organization_id AND d.id = comments.deliverable_id));
-- Everyone comments as themselves, on what they can see; a portal user only with
-- can_comment, and never internally.
CREATE POLICY comments_insert ON mycelium.comments FOR INSERT
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
                AND (((SELECT mycelium.current_app_role()) <> 'CLIENT'
                      AND user_id = (SELECT mycelium.current_app_user_id()) AND client_user_id IS NULL)
                     OR ((SELECT mycelium.current_app_role()) = 'CLIENT'
                         AND client_user_id = (SELECT mycelium.current_app_user_id()) AND user_id IS NULL
                         AND NOT is_internal AND (SELECT mycelium.portal_can('comment'))))
                AND EXISTS (SELECT FROM mycelium.deliverables d
                            WHERE d.organization_id = comments.organization_id AND d.id = comments.deliverable_id));
CREATE POLICY comments_update ON mycelium.comments FOR UPDATE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND coalesce(user_id, client_user_id) = (SELECT mycelium.current_app_user_id()))
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
                AND coalesce(user_id, client_user_id) = (SELECT mycelium.current_app_user_id())
                AND NOT (is_internal AND (SELECT mycelium.current_app_role()) = 'CLIENT')
                AND EXISTS (SELECT FROM mycelium.deliverables d
                            WHERE d.organization_id = comments.organization_id AND d.id = comments.deliverable_id));
CREATE POLICY comments_delete ON mycelium.comments FOR DELETE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND (coalesce(user_id, client_user_id) = (SELECT mycelium.current_app_user_id())
                OR (SELECT mycelium.current_app_role()) = 'ADMIN'));

-- Time entries: your own, or all for ADMINs; logged on deliverables you can see.
CREATE POLICY time_entries_select ON mycelium.time_entries FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT' AND user_id = (SELECT mycelium.current_app_user_id()))));
-- Time is logged on work one may change: not on a client one only views.
CREATE POLICY time_entries_insert ON mycelium.time_entries FOR INSERT
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
                AND (SELECT mycelium.current_app_role()) <> 'CLIENT'
                AND user_id = (SELECT mycelium.current_app_user_id())
                AND EXISTS (SELECT FROM mycelium.deliverables d
                            WHERE d.organization_id = time_entries.organization_id AND d.id = time_entries.deliverable_id
                              AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                                   OR d.assigned_user_id = (SELECT mycelium.current_app_user_id())
                                   OR mycelium.uuid_among(d.client_id, (SELECT mycelium.my_writable_client_ids()))
                                   OR d.service_type_id = ANY ((SELECT mycelium.my_service_type_ids())::uuid[]))));
CREATE POLICY time_entries_update ON mycelium.time_entries FOR UPDATE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT' AND user_id = (SELECT mycelium.current_app_user_id()))))
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT' AND user_id = (SELECT mycelium.current_app_user_id())))
                AND EXISTS (SELECT FROM mycelium.deliverables d
                            WHERE d.organization_id = time_entries.organization_id AND d.id = time_entries.deliverable_id));
CREATE POLICY time_entries_delete ON mycelium.time_entries FOR DELETE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT' AND user_id = (SELECT mycelium.current_app_user_id()))));

-- Earlier versions of attachments (59_attachments.sql): read with the
-- deliverable they belong to, and a comment's with the comment (so an internal
-- comment's never by a portal user), both under the caller's own policies; a
-- portal user only with can_download. Nobody writes them but the trigger
-- (SECURITY DEFINER): no INSERT, UPDATE or DELETE policy exists.
CREATE POLICY attachment_versions_select ON mycelium.attachment_versions FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) <> 'CLIENT' OR (SELECT mycelium.portal_can('download')))
           AND EXISTS (SELECT FROM mycelium.deliverables d
                       WHERE d.organization_id = attachment_versions.organization_id
                         AND d.id = attachment_versions.deliverable_id)
           AND (comment_id IS NULL
                OR EXISTS (SELECT FROM mycelium.comments c
                           WHERE c.organization_id = attachment_versions.organization_id
                             AND c.id = attachment_versions.comment_id)));

-- ------ Notifications ------
-- A user reads the notifications addressed to them (ADMINs: all), and their own
-- recipient rows, which they may mark read. The outbox is the database's: an
-- application makes notifications of its own types only (never one of
-- database_notification_types(), whose keys the sweeps rely on), signed by the
-- staff member who sends them, addresses only those, and never writes an
-- address or delivery state. Column privileges (grant_access) keep the delivery
-- columns out of every write, these policies the types and senders, and
-- address_recipient checks what is addressed and fills in the address and the
-- place in the queue. docs/notifications.md, "What an application may write".

-- The notification types the database makes, and only it: send_notifications
-- makes the deliverables' (the sweeps, the deliverable and comment triggers),
-- notify_admins the invitations' (invite_user, accept_invitation), send_notices
-- the clients', projects' and integrations' (their triggers) and the operator's
-- SYSTEM_MAINTENANCE (announce_maintenance). That is every type of the design
-- document, so an application makes no notification of its own: it reads its
-- people's and marks them read. An array, so that a policy reads it once per
-- statement.
CREATE OR REPLACE FUNCTION mycelium.database_notification_types() RETURNS mycelium.notification_type[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['DELIVERABLE_ASSIGNED', 'DELIVERABLE_DUE_SOON', 'DELIVERABLE_OVERDUE', 'DELIVERABLE_COMPLETED',
                 'DELIVERABLE_APPROVED', 'DELIVERABLE_NEEDS_REVIEW', 'COMMENT_ADDED',
                 'MENTION_RECEIVED', 'USER_INVITED', 'USER_ACTIVATED', 'CLIENT_ADDED', 'CLIENT_UPDATED',
                 'PROJECT_CREATED', 'PROJECT_COMPLETED', 'INTEGRATION_ERROR',
                 'SYSTEM_MAINTENANCE']::mycelium.notification_type[];
$$;
COMMENT ON FUNCTION mycelium.database_notification_types() IS
    'The notification types only the database makes (never an application)';

-- A recipient row that an application writes must belong to a notification the
-- application made, that the caller sent (an ADMIN: any such): a notification the
-- database made keeps the recipients it chose. The row goes to the user's own
-- address, and joins the outbox when its notification is due but never before
-- now: an earlier place would put it ahead of every organization's waiting
-- deliveries. In a trigger rather than the insert policy, whose sub-select on
-- notifications would recurse through notifications_select back into this table.
-- Invoker's rights: a notification the caller cannot see is not theirs to address.
CREATE OR REPLACE FUNCTION mycelium_internal.address_recipient() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n record;
BEGIN
    -- Another organization's row is notification_recipients_insert's to refuse.
    IF NEW.organization_id IS DISTINCT FROM mycelium.current_organization_id() THEN
        RETURN NEW;
    END IF;
    SELECT x.type, x.sender_id, x.scheduled_for INTO n
    FROM mycelium.notifications x
    WHERE x.organization_id = NEW.organization_id AND x.id = NEW.notification_id;
    IF NOT FOUND OR n.type = ANY (mycelium.database_notification_types())
       OR (mycelium.current_app_role() IS DISTINCT FROM 'ADMIN'
           AND n.sender_id IS DISTINCT FROM mycelium.current_app_user_id()) THEN
        RAISE EXCEPTION 'mycelium: notification % is not one the caller may address', NEW.notification_id
            USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium', TABLE = 'notification_recipients',
                  DETAIL = 'Recipients are added to an application''s notification by its sender or an ADMIN; '
                           'the database addresses the notifications it makes.';
    END IF;
    NEW.email_address := CASE WHEN NEW.channel = 'email' THEN
        (SELECT u.email FROM mycelium.users u WHERE u.organization_id = NEW.organization_id AND u.id = NEW.user_id)
    END;
    NEW.next_attempt_at := CASE WHEN NEW.channel <> 'in_app' THEN greatest(now(), n.scheduled_for) END;
    RETURN NEW;
END;
$$;
-- Only writers under row-level security: send_notifications fills both columns
-- itself, for thousands of rows a sweep, without a call per row.
CREATE OR REPLACE TRIGGER address_recipient BEFORE INSERT ON mycelium.notification_recipients
    FOR EACH ROW WHEN (row_security_active('mycelium.notification_recipients'::regclass))
    EXECUTE FUNCTION mycelium_internal.address_recipient();

-- A portal user reads and marks read its own rows (client_user_id), like staff.
CREATE POLICY notification_recipients_select ON mycelium.notification_recipients FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT' AND user_id = (SELECT mycelium.current_app_user_id()))
                OR ((SELECT mycelium.current_app_role()) = 'CLIENT'
                    AND client_user_id = (SELECT mycelium.current_app_user_id()))));
-- Which notification a row may belong to: address_recipient.
CREATE POLICY notification_recipients_insert ON mycelium.notification_recipients FOR INSERT
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
                AND (SELECT mycelium.current_app_role()) <> 'CLIENT');
CREATE POLICY notification_recipients_update ON mycelium.notification_recipients FOR UPDATE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT' AND user_id = (SELECT mycelium.current_app_user_id()))
                OR ((SELECT mycelium.current_app_role()) = 'CLIENT'
                    AND client_user_id = (SELECT mycelium.current_app_user_id()))))
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT' AND user_id = (SELECT mycelium.current_app_user_id()))
                OR ((SELECT mycelium.current_app_role()) = 'CLIENT'
                    AND client_user_id = (SELECT mycelium.current_app_user_id()))));
CREATE POLICY notification_recipients_delete ON mycelium.notification_recipients FOR DELETE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND (SELECT mycelium.current_app_role()) = 'ADMIN');

CREATE POLICY notifications_select ON mycelium.notifications FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT'
                    AND (sender_id = (SELECT mycelium.current_app_user_id())
                         OR EXISTS (SELECT FROM mycelium.notification_recipients r
                                    WHERE r.organization_id = notifications.organization_id
                                      AND r.notification_id = notifications.id
                                      AND r.user_id = (SELECT mycelium.current_app_user_id()))))
                -- A portal user: the notifications addressed to it.
                OR ((SELECT mycelium.current_app_role()) = 'CLIENT'
                    AND EXISTS (SELECT FROM mycelium.notification_recipients r
                                WHERE r.organization_id = notifications.organization_id
                                  AND r.notification_id = notifications.id
                                  AND r.client_user_id = (SELECT mycelium.current_app_user_id())))));
-- Staff sign what they send; only an ADMIN speaks for the organization unsigned,
-- as the database's own notifications do.
CREATE POLICY notifications_insert ON mycelium.notifications FOR INSERT
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id())
                AND (SELECT mycelium.current_app_role()) <> 'CLIENT'
                AND type <> ALL ((SELECT mycelium.database_notification_types())::mycelium.notification_type[])
                AND (sender_id = (SELECT mycelium.current_app_user_id())
                     OR (sender_id IS NULL AND (SELECT mycelium.current_app_role()) = 'ADMIN')));
-- An ADMIN may cancel a pending notification (status, the one column an
-- application may update): its delivery state is otherwise finish_delivery's.
CREATE POLICY notifications_update ON mycelium.notifications FOR UPDATE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND (SELECT mycelium.current_app_role()) = 'ADMIN' AND status = 'PENDING')
    WITH CHECK (organization_id = (SELECT mycelium.current_organization_id()) AND status = 'CANCELLED');
CREATE POLICY notifications_delete ON mycelium.notifications FOR DELETE
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND (SELECT mycelium.current_app_role()) = 'ADMIN');

-- ------ Activity log ------
-- ADMINs read the organization's log, others what they did. Nobody writes it but
-- the triggers (SECURITY DEFINER): no INSERT, UPDATE or DELETE policy exists.
CREATE POLICY activity_logs_select ON mycelium.activity_logs FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND ((SELECT mycelium.current_app_role()) = 'ADMIN'
                OR ((SELECT mycelium.current_app_role()) <> 'CLIENT' AND user_id = (SELECT mycelium.current_app_user_id()))));

-- ------ Webhook deliveries ------
-- The event outbox of the organization's integrations (56_webhooks.sql): its
-- ADMINs read it (what went out, what failed and why), like the integrations
-- themselves; nobody else, and no portal user. Nobody writes it but the event
-- triggers and the delivery worker's functions (SECURITY DEFINER): no INSERT,
-- UPDATE or DELETE policy exists.
CREATE POLICY webhook_deliveries_select ON mycelium.webhook_deliveries FOR SELECT
    USING (organization_id = (SELECT mycelium.current_organization_id())
           AND (SELECT mycelium.current_app_role()) = 'ADMIN');
