-- Class 7: column statistics of tables under row-level security are hidden from
-- the application role (setup.psql runs ANALYZE, so they exist), while the
-- cumulative counts are not: docs/security.md says so.
BEGIN;
SELECT plan(2);
SELECT is((SELECT count(*) FROM pg_catalog.pg_stats WHERE schemaname = 'mycelium'), 0::bigint,
          'pg_stats shows the application role nothing of Mycelium''s tables');
SELECT ok((SELECT n_live_tup FROM pg_catalog.pg_stat_user_tables
            WHERE schemaname = 'mycelium' AND relname = 'deliverables') IS NOT NULL,
          'the cumulative row counts are visible, as documented');
SELECT * FROM finish();
ROLLBACK;
