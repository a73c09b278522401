-- ====== The extension's tables ======
-- The one list of the tables that hold tenant rows. Row-level security is forced
-- on each (50_rls.sql), and grant_access gives applications each of them
-- (90_catalog.sql). A new tenant table is added here; the system tables
-- (job_runs, and those of mycelium_internal) are not tenant tables.
CREATE OR REPLACE FUNCTION mycelium_internal.tenant_tables() RETURNS name[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['organizations', 'organization_branding', 'organization_settings', 'users',
                 'service_types', 'deliverable_fields', 'clients', 'client_assignments', 'client_users',
                 'projects', 'deliverables', 'comments', 'attachment_versions', 'time_entries', 'notifications',
                 'notification_recipients', 'integrations', 'webhook_deliveries', 'activity_logs',
                 'subscriptions']::name[]
$$;
COMMENT ON FUNCTION mycelium_internal.tenant_tables() IS 'The tables of schema mycelium that hold tenant rows';

-- Every table of the extension, in both its schemas: what the updated_at and
-- finite-time rules, the restore triggers, pg_dump and the restore's manifest
-- cover. Read from the catalogue, so that a new table is never missed.
CREATE OR REPLACE FUNCTION mycelium_internal.extension_tables() RETURNS regclass[]
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY(SELECT c.oid::regclass FROM pg_catalog.pg_class c
                 WHERE c.relnamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
                   AND c.relkind = 'r'
                 ORDER BY c.relnamespace::regnamespace::text, c.relname)
$$;
