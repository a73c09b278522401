-- ====== Organization onboarding and maintenance ======
-- These work across tenants, so they run as the extension's owner (SECURITY
-- DEFINER) and are executable only by roles granted the 'maintenance' kind
-- (mycelium.grant_access).

-- Creates an organization with its settings, branding, and the default service
-- types and fields of the document's setup_organization_defaults, in one
-- transaction: either all of it exists afterwards or none of it.
CREATE OR REPLACE FUNCTION mycelium.create_organization(
    name        text,
    slug        text DEFAULT NULL,
    description text DEFAULT NULL,
    website     text DEFAULT NULL,
    industry    text DEFAULT NULL,
    timezone    text DEFAULT 'America/New_York'
) RETURNS mycelium.organizations
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org mycelium.organizations;
BEGIN
    PERFORM mycelium.require_writable('create_organization');
    IF name IS NULL OR btrim(name) = '' THEN
        RAISE EXCEPTION 'create_organization: the organization name must not be empty'
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium', TABLE = 'organizations', COLUMN = 'name';
    END IF;
    IF timezone IS NULL OR NOT mycelium.is_valid_time_zone(timezone) THEN
        RAISE EXCEPTION 'create_organization: unknown time zone %', coalesce(quote_literal(timezone), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  SCHEMA = 'mycelium', TABLE = 'organization_settings', COLUMN = 'timezone',
                  HINT = 'Use a name from pg_timezone_names, such as Europe/Berlin.';
    END IF;

    INSERT INTO mycelium.organizations (name, slug, description, website, industry)
    VALUES (create_organization.name, coalesce(create_organization.slug, ''), create_organization.description,
            create_organization.website, create_organization.industry)
    RETURNING * INTO org;

    INSERT INTO mycelium.organization_settings (organization_id, timezone)
    VALUES (org.id, create_organization.timezone);
    INSERT INTO mycelium.organization_branding (organization_id) VALUES (org.id);

    INSERT INTO mycelium.service_types (organization_id, name, slug, workflow_type, default_duration, sort_order)
    VALUES (org.id, 'Social Media', 'social', 'RECURRING', 7, 1),
           (org.id, 'SEO', 'seo', 'PROJECT', 30, 2),
           (org.id, 'Website Design', 'website', 'MILESTONE', 60, 3),
           (org.id, 'One-off Projects', 'oneoff', 'ONEOFF', 14, 4);

    INSERT INTO mycelium.deliverable_fields
        (organization_id, service_type_id, name, slug, type, is_required, sort_order)
    SELECT org.id, st.id, f.name, f.slug, f.type::mycelium.field_type, f.is_required, f.sort_order
    FROM mycelium.service_types st
    CROSS JOIN (VALUES ('Deliverable Name', 'deliverable_name', 'TEXT', true, 1),
                       ('Edit By Date', 'edit_by_date', 'DATE', true, 2),
                       ('Dropbox Link', 'dropbox_link', 'URL', false, 3))
               AS f(name, slug, type, is_required, sort_order)
    WHERE st.organization_id = org.id AND st.slug = 'social';

    RETURN org;
END;
$$;
COMMENT ON FUNCTION mycelium.create_organization(text, text, text, text, text, text) IS
    'Creates an organization with settings, branding and the default service types and fields';

-- Deletes activity older than the retention period; returns how many rows went.
CREATE OR REPLACE FUNCTION mycelium.cleanup_old_activity_logs(retain interval DEFAULT '1 year')
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    deleted bigint;
BEGIN
    PERFORM mycelium.require_writable('cleanup_old_activity_logs');
    IF retain IS NULL OR retain <= interval '0' THEN
        RAISE EXCEPTION 'cleanup_old_activity_logs: retain must be a positive interval, not %',
            coalesce(retain::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    DELETE FROM mycelium.activity_logs WHERE "timestamp" < now() - retain;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END;
$$;

-- Archives deliverables completed longer ago than older_than, of one organization or
-- (NULL) all of them; returns how many. run_job archives all at once and, should that
-- fail, each organization on its own (60_jobs.sql).
CREATE OR REPLACE FUNCTION mycelium.archive_old_deliverables(older_than interval DEFAULT '6 months',
                                                  organization_id uuid DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org constant uuid := archive_old_deliverables.organization_id;
    archived bigint;
BEGIN
    PERFORM mycelium.require_writable('archive_old_deliverables');
    IF older_than IS NULL OR older_than <= interval '0' THEN
        RAISE EXCEPTION 'archive_old_deliverables: older_than must be a positive interval, not %',
            coalesce(older_than::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    UPDATE mycelium.deliverables d
       SET status = 'ARCHIVED'
     WHERE d.status = 'COMPLETED'
       AND d.completed_at < now() - older_than
       AND (org IS NULL OR d.organization_id = org);
    GET DIAGNOSTICS archived = ROW_COUNT;
    RETURN archived;
END;
$$;

-- ------ Who a job acts for ------
-- The organizations a cross-tenant job (generation, the sweeps) may act for, given
-- the organization asked for (NULL: all it may). With a tenant context: only an
-- ADMIN, and only for their own organization. Without one: only a role that
-- bypasses row-level security (a superuser, BYPASSRLS, the pg_cron job) or one
-- granted the maintenance kind (it may call run_job), for any organization that
-- exists. Everything else is an error naming the function.
-- SECURITY DEFINER so that it sees every organization; it reveals nothing the
-- caller may not know (a tenant is only ever told about its own).
CREATE OR REPLACE FUNCTION mycelium_internal.acting_organizations(fn text, requested uuid) RETURNS uuid[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF mycelium.current_organization_id() IS NOT NULL THEN
        IF mycelium.current_app_role() IS DISTINCT FROM 'ADMIN' THEN
            RAISE EXCEPTION '%: only an ADMIN may run it', fn
                USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium';
        END IF;
        IF requested IS NOT NULL AND requested <> mycelium.current_organization_id() THEN
            RAISE EXCEPTION '%: organization % is not the organization of the current context', fn, requested
                USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium';
        END IF;
        RETURN ARRAY[mycelium.current_organization_id()];
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles r
                    WHERE r.oid = mycelium.calling_role()
                      AND (r.rolsuper OR r.rolbypassrls
                           OR pg_catalog.has_function_privilege(r.oid, 'mycelium.run_job(text)', 'EXECUTE'))) THEN
        RAISE EXCEPTION '%: needs a tenant context', fn
            USING ERRCODE = '28M01', SCHEMA = 'mycelium',
                  HINT = 'Call mycelium.authenticate(token) or mycelium.set_context(...) as an ADMIN first, '
                   'or run it as a role granted mycelium.grant_access(role, ''maintenance'').';
    END IF;
    IF requested IS NULL THEN
        RETURN ARRAY(SELECT g.id FROM mycelium.organizations g ORDER BY g.id);
    END IF;
    IF NOT EXISTS (SELECT FROM mycelium.organizations g WHERE g.id = requested) THEN
        RAISE EXCEPTION '%: organization % does not exist', fn, requested
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium', TABLE = 'organizations';
    END IF;
    RETURN ARRAY[requested];
END;
$$;

-- ------ How long a job waits for a row lock ------
-- A job serves every organization, and any tenant's staff can hold a lock on rows
-- of their own that it must change or reference (a deliverable, their user row,
-- their notifications) for as long as they keep a transaction open. So a job never
-- waits for a row lock without bound: run_job and finish_delivery set lock_timeout
-- to this for their work, and a wait that runs out fails that organization's part
-- alone (55P03). Five seconds is far longer than an application's own transactions
-- hold a lock; a shorter lock_timeout of the session (or of its role or database)
-- is kept, so an operator may make it shorter, never unbounded.
CREATE OR REPLACE FUNCTION mycelium_internal.job_lock_timeout() RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    -- current_setting, not pg_settings: a delivery report calls this, and reading
    -- pg_settings builds every setting's row. Its units (ms, s, min, h, d) read as
    -- an interval; 0 means no timeout.
    SELECT CASE WHEN w.t > interval '0' AND w.t < interval '5 seconds' THEN w.setting ELSE '5s' END
    FROM (SELECT pg_catalog.current_setting('lock_timeout') AS setting,
                 pg_catalog.current_setting('lock_timeout')::interval AS t) w;
$$;
COMMENT ON FUNCTION mycelium_internal.job_lock_timeout() IS
    'The longest a job waits for a row lock: 5 seconds, or the session''s lock_timeout when shorter';
