-- ====== Finite times ======
-- No timestamptz or date column of any table has a use for +/-infinity: an open
-- end is NULL, and every computation over these columns (durations, reports,
-- digests, retention) fails or goes wrong on an infinite value. A deliverable
-- completed at -infinity made productivity_scores() fail for its whole
-- organization. So each such column, of every table, whoever writes it, gets
-- CHECK (isfinite(column)), named <table>_<column>_finite. Added here, after the
-- last table, from the catalog, so that no column is left out, later ones
-- included. The functions that take a time refuse an infinite one themselves
-- (22023), where it has no meaning.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT t.relname, a.attname
             FROM pg_catalog.pg_attribute a
             JOIN pg_catalog.pg_class t ON t.oid = a.attrelid
             WHERE t.relnamespace = 'mycelium'::regnamespace AND t.relkind = 'r'
               AND a.attnum > 0 AND NOT a.attisdropped
               AND a.atttypid IN ('pg_catalog.timestamptz'::pg_catalog.regtype,
                                  'pg_catalog.timestamp'::pg_catalog.regtype,
                                  'pg_catalog.date'::pg_catalog.regtype)
             ORDER BY t.relname, a.attnum
    LOOP
        EXECUTE format('ALTER TABLE mycelium.%I ADD CONSTRAINT %I CHECK (pg_catalog.isfinite(%I))',
                       c.relname, c.relname || '_' || c.attname || '_finite', c.attname);
    END LOOP;
END;
$$;
