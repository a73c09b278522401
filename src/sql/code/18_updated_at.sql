-- ====== updated_at, on every table that has it (native: src/pg/touch.cpp) ======
CREATE OR REPLACE FUNCTION mycelium_internal.touch_updated_at() RETURNS trigger
    AS 'MODULE_PATHNAME', 'mycelium_touch_updated_at'
    LANGUAGE C;

DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN
        SELECT c.oid::regclass
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = 'updated_at' AND NOT a.attisdropped
        WHERE c.oid = ANY (mycelium_internal.extension_tables())
        ORDER BY c.relnamespace::regnamespace::text, c.relname
    LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER touch_updated_at BEFORE UPDATE ON %s '
                       'FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()', t);
    END LOOP;
END;
$$;
