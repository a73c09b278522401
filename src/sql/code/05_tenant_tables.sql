-- ====== The tenant tables ======
-- The one list of the tables that hold tenant rows. Row-level security is forced
-- on each (50_rls.sql), and grant_access gives applications each of them
-- (90_catalog.sql). A new tenant table is added here; the system tables
-- (auth_keys, jobs, job_runs) are not tenant tables.
CREATE OR REPLACE FUNCTION mycelium.tenant_tables() RETURNS name[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['organizations', 'organization_branding', 'organization_settings', 'users',
                 'service_types', 'deliverable_fields', 'clients', 'client_assignments', 'client_users',
                 'projects', 'deliverables', 'comments', 'time_entries', 'notifications',
                 'notification_recipients', 'integrations', 'activity_logs', 'subscriptions']::name[]
$$;
COMMENT ON FUNCTION mycelium.tenant_tables() IS 'The tables of schema mycelium that hold tenant rows';
