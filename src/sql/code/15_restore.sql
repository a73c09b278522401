-- ====== Restores that need no special options ======
-- CREATE EXTENSION makes Mycelium's tables, with their triggers and foreign keys,
-- before a restore loads any data (pg_dump writes extension tables that way).
-- Left alone, the triggers would record the restore as new activity, send
-- notifications again, refuse deliverables loaded before their fields, and the
-- foreign keys would refuse rows that pg_restore -j loads before their parents.
-- So a restore's statements run as a replica's: the first statement that loads
-- a Mycelium table in a transaction sets session_replication_role = replica for
-- the rest of that transaction, as the documented
--     PGOPTIONS='-c session_replication_role=replica' pg_restore ...
-- would for the whole session. Every row then loads once, as it was dumped.
-- What makes a statement a restore: mycelium.restoring().

CREATE OR REPLACE FUNCTION mycelium.restoring() RETURNS boolean
    AS 'MODULE_PATHNAME', 'mycelium_restoring'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.restoring() IS
    'Whether the session is loading a dump: row_security off and a superuser login, as pg_dump''s scripts run';

-- Not SECURITY DEFINER: the restoring role is a superuser.
CREATE OR REPLACE FUNCTION mycelium_internal.load_as_replica() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM set_config('session_replication_role', 'replica', true);
    RETURN NULL;
END;
$$;

-- Every table a dump holds rows of. The WHEN clause keeps other statements from
-- paying more than the test.
DO $$
DECLARE
    t regclass;
BEGIN
    FOREACH t IN ARRAY mycelium_internal.extension_tables()
    LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER load_as_replica BEFORE INSERT ON %s FOR EACH STATEMENT '
                       'WHEN (mycelium.restoring()) EXECUTE FUNCTION mycelium_internal.load_as_replica()', t);
    END LOOP;
END;
$$;
