-- ====== Mycelium's tables are the extension's ======
-- A change to a Mycelium table made outside the extension's scripts is lost or
-- breaks a restore: pg_dump writes the extension's tables as CREATE EXTENSION, so
-- an added column's values have nowhere to go (the table's rows are refused), an
-- added index or trigger is silently dropped. So such changes are refused, and
-- applications extend the schema in their own (docs/operations.md, "Extending
-- the schema"). An operator who must change a table anyway (autovacuum settings
-- on a large table, say) says so for one transaction:
--     SET LOCAL mycelium.allow_schema_changes = on;
-- and the change is recorded in mycelium_internal.schema_manifest, so that a dump of this
-- database refuses to load into Mycelium tables that lack it.

CREATE OR REPLACE FUNCTION mycelium_internal.in_extension_script() RETURNS boolean
    AS 'MODULE_PATHNAME', 'mycelium_in_extension_script'
    LANGUAGE C STABLE;

-- The shape of the tables a dump's data must fit: every table of the schema and
-- its columns with their types. Order-blind, so that a column an update added at
-- the end matches the same column of a fresh install.
CREATE OR REPLACE FUNCTION mycelium_internal.schema_digest() RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT md5(coalesce(string_agg(c.oid::regclass::text || '.' || a.attname || ' '
                                   || format_type(a.atttypid, a.atttypmod),
                                   E'\n' ORDER BY c.oid::regclass::text, a.attname), ''))
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.oid = ANY (mycelium_internal.extension_tables());
$$;

-- Writes this database's shape into the manifest. An UPDATE, not an upsert: an
-- INSERT meeting the row is what check_manifest takes for a dump's.
CREATE OR REPLACE FUNCTION mycelium_internal.record_schema() RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH now_is AS (
        SELECT e.extversion AS version, mycelium_internal.schema_digest() AS digest
        FROM pg_catalog.pg_extension e WHERE e.extname = 'mycelium'
    ), updated AS (
        UPDATE mycelium_internal.schema_manifest m SET version = n.version, digest = n.digest, recorded_at = now()
        FROM now_is n
        WHERE m.singleton
        RETURNING m.singleton
    )
    INSERT INTO mycelium_internal.schema_manifest (version, digest)
    SELECT n.version, n.digest FROM now_is n
    WHERE NOT EXISTS (SELECT FROM updated) AND NOT EXISTS (SELECT FROM mycelium_internal.schema_manifest);
$$;

-- A manifest row arriving while one exists is a dump's: it must describe the
-- tables it is loaded into. Then it is dropped (this database's row stays); else
-- the restore fails here, naming the difference, whatever the restore's options.
CREATE OR REPLACE FUNCTION mycelium_internal.check_manifest() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    mine mycelium_internal.schema_manifest;
BEGIN
    SELECT * INTO mine FROM mycelium_internal.schema_manifest m WHERE m.singleton;
    IF NOT FOUND THEN
        RETURN NEW;
    END IF;
    IF NEW.digest IS DISTINCT FROM mycelium_internal.schema_digest() THEN
        RAISE EXCEPTION 'mycelium: this dump''s Mycelium tables differ from this database''s'
            USING ERRCODE = 'object_not_in_prerequisite_state', SCHEMA = 'mycelium',
                  DETAIL = format('The dump was made with Mycelium %s and tables of shape %s; this database has '
                                  'Mycelium %s and tables of shape %s. Rows of the tables that differ cannot be '
                                  'restored as they were.', NEW.version, NEW.digest, mine.version,
                                  mycelium_internal.schema_digest()),
                  HINT = 'Restore into a database with the Mycelium version the dump was made with '
                         '(CREATE EXTENSION mycelium VERSION ...), then ALTER EXTENSION mycelium UPDATE; '
                         'see "Backups and restore" in Mycelium''s docs/operations.md.';
    END IF;
    RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER check_manifest BEFORE INSERT ON mycelium_internal.schema_manifest
    FOR EACH ROW EXECUTE FUNCTION mycelium_internal.check_manifest();
-- Also when a restore runs with session_replication_role = replica.
ALTER TABLE mycelium_internal.schema_manifest ENABLE ALWAYS TRIGGER check_manifest;

-- SECURITY DEFINER: an event trigger runs for every role's DDL, in any schema
-- (an application's migrations too), and such roles have no privilege on
-- Mycelium's functions. It reads the command list and writes only the manifest.
CREATE OR REPLACE FUNCTION mycelium_internal.guard_schema() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cmd record;
    touched boolean := false;
BEGIN
    FOR cmd IN SELECT * FROM pg_catalog.pg_event_trigger_ddl_commands() c
               WHERE c.schema_name IN ('mycelium', 'mycelium_internal') AND c.command_tag NOT IN ('GRANT', 'REVOKE')
    LOOP
        IF mycelium_internal.in_extension_script() THEN
            RETURN;
        END IF;
        IF coalesce(current_setting('mycelium.allow_schema_changes', true), '') <> 'on' THEN
            RAISE EXCEPTION 'mycelium: % % changes the Mycelium schema', cmd.command_tag, cmd.object_identity
                USING ERRCODE = 'feature_not_supported', SCHEMA = 'mycelium',
                      DETAIL = 'A dump holds Mycelium''s tables as CREATE EXTENSION makes them: a column, index, '
                               'trigger or object added to them is lost or breaks the restore.',
                      HINT = 'Keep your own tables in your own schema, keyed by (organization_id, id) '
                             '("Extending the schema" in Mycelium''s docs/operations.md); an operator who must '
                             'change a table runs SET LOCAL mycelium.allow_schema_changes = on first.';
        END IF;
        touched := true;
    END LOOP;
    IF touched THEN
        PERFORM mycelium_internal.record_schema();
    END IF;
END;
$$;

DROP EVENT TRIGGER IF EXISTS mycelium_guard_schema;
CREATE EVENT TRIGGER mycelium_guard_schema ON ddl_command_end
    EXECUTE FUNCTION mycelium_internal.guard_schema();

SELECT mycelium_internal.record_schema();
