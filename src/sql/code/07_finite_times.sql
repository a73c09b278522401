-- ====== Finite times ======
-- No timestamptz or date column of any table has a use for +/-infinity: an open
-- end is NULL, and every computation over these columns (durations, reports,
-- digests, retention) fails or goes wrong on an infinite value. A deliverable
-- completed at -infinity made productivity_scores() fail for its whole
-- organization. So each such column, of every table, whoever writes it, gets
-- CHECK (isfinite(column)), named <table>_<column>_finite. Added from the catalog,
-- after every table exists and again by every update, so that no column is left
-- out, later ones included; a column that has its check is left alone. An update
-- over rows holding an infinite time fails on the check (23514) and changes
-- nothing: docs/operations.md says how to find and fix them. The functions that
-- take a time refuse an infinite one themselves (22023), where it has no meaning.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT t.oid::regclass AS tbl, t.relname, a.attname
             FROM pg_catalog.pg_attribute a
             JOIN pg_catalog.pg_class t ON t.oid = a.attrelid
             WHERE t.oid = ANY (mycelium_internal.extension_tables())
               AND a.attnum > 0 AND NOT a.attisdropped
               AND a.atttypid IN ('pg_catalog.timestamptz'::pg_catalog.regtype,
                                  'pg_catalog.timestamp'::pg_catalog.regtype,
                                  'pg_catalog.date'::pg_catalog.regtype)
               AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k
                                WHERE k.conrelid = t.oid AND k.conname = t.relname || '_' || a.attname || '_finite')
             ORDER BY t.relname, a.attnum
    LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (pg_catalog.isfinite(%I))',
                       c.tbl, c.relname || '_' || c.attname || '_finite', c.attname);
    END LOOP;
END;
$$;
