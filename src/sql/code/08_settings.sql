-- ====== Settings kept with the data (mycelium_internal.settings) ======
-- A switch that must survive a backup and restore lives in mycelium_internal.settings,
-- which pg_dump carries, rather than in ALTER DATABASE ... SET, which only a
-- restore with --create keeps. docs/operations.md, "Settings".

-- Sets a switch for this database (value NULL: back to its default). The names
-- and values it accepts are the table's constraints; only the extension's owner
-- and superusers may call it (no privilege is granted on it).
CREATE OR REPLACE FUNCTION mycelium.configure(setting text, value text) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    normalized text;
BEGIN
    PERFORM mycelium.require_writable('configure');
    IF setting IS NULL THEN
        RAISE EXCEPTION 'configure: setting is required'
            USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    IF value IS NULL THEN
        DELETE FROM mycelium_internal.settings s WHERE s.name = setting;
        RETURN;
    END IF;
    -- Switches take PostgreSQL's spellings of a boolean; names, any case.
    normalized := lower(btrim(value));
    IF setting IN ('require_signed_context', 'require_verified_email') THEN
        normalized := CASE WHEN normalized IN ('on', 'true', 'yes', '1') THEN 'on'
                           WHEN normalized IN ('off', 'false', 'no', '0') THEN 'off'
                           ELSE value END;
    END IF;
    BEGIN
        INSERT INTO mycelium_internal.settings AS s (name, value) VALUES (setting, normalized)
        ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value WHERE s.value <> EXCLUDED.value;
    EXCEPTION WHEN check_violation THEN
        IF SQLERRM LIKE '%settings_name_known%' THEN
            RAISE EXCEPTION 'configure: unknown setting %', quote_literal(left(setting, 100))
                USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium',
                      HINT = 'Known settings: ' || (
                          SELECT string_agg(m[1], ', ')
                          FROM pg_catalog.pg_constraint c,
                               regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
                          WHERE c.conrelid = 'mycelium_internal.settings'::regclass AND c.conname = 'settings_name_known') || '.';
        END IF;
        RAISE EXCEPTION 'configure: % cannot be %', setting, quote_literal(left(value, 100))
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium',
                  HINT = CASE setting WHEN 'base_domain' THEN 'A host name such as agency.example.'
                                      WHEN 'require_signed_context' THEN 'Use on or off.'
                                      WHEN 'require_verified_email' THEN 'Use on or off.'
                                      ELSE 'See docs/operations.md, "Settings kept with the data", for its bounds.' END;
    END;
END;
$$;
COMMENT ON FUNCTION mycelium.configure(text, text) IS
    'Sets a switch kept with the data (NULL: back to its default); see docs/operations.md';
