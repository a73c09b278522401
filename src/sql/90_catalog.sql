-- ====== pg_dump and privileges ======

-- Tables created by an extension are left out of a dump unless registered: keep
-- every row of every table.
DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN SELECT c.oid::regclass FROM pg_catalog.pg_class c
             WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind = 'r'
             ORDER BY c.relname
    LOOP
        PERFORM pg_catalog.pg_extension_config_dump(t, '');
    END LOOP;
END;
$$;

-- Functions are executable by PUBLIC unless revoked. Maintenance and onboarding
-- are for the database owner and whom it grants them to.
REVOKE ALL ON FUNCTION mycelium.create_organization(text, text, text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION mycelium.cleanup_old_activity_logs(interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION mycelium.archive_old_deliverables(interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION mycelium.database_health_check() FROM PUBLIC;
