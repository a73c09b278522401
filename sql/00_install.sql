-- Installing creates everything in schema mycelium, and nothing elsewhere.
CREATE EXTENSION mycelium;

SELECT extversion, nspname AS schema, extrelocatable
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE extname = 'mycelium';

-- The 18 tables of the design document, by their @@map names; auth_keys, which
-- holds the server's keys for the tenant context; job_runs, the record of the
-- scheduled jobs.
SELECT relname FROM pg_class
WHERE relnamespace = 'mycelium'::regnamespace AND relkind = 'r'
ORDER BY relname;

-- The 15 enums; deliverable_status has ARCHIVED, which the document's archive
-- procedure needs and its enum lacked.
SELECT t.typname, count(*) AS labels
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typnamespace = 'mycelium'::regnamespace
GROUP BY t.typname ORDER BY t.typname;
SELECT enum_range(NULL::mycelium.deliverable_status);

-- The four views, all security_invoker so that row-level security applies.
SELECT relname, reloptions FROM pg_class
WHERE relnamespace = 'mycelium'::regnamespace AND relkind = 'v'
ORDER BY relname;

-- Every table is kept by pg_dump.
SELECT count(*) AS tables_in_dump
FROM pg_extension e, unnest(e.extconfig) AS c(oid)
WHERE e.extname = 'mycelium';

-- Nothing leaked into public.
SELECT count(*) AS objects_in_public FROM pg_class WHERE relnamespace = 'public'::regnamespace;

-- The suite's own helper, shared by the files that follow (not part of the
-- extension): runs a statement and shows its outcome, 'ok' or SQLSTATE: message.
CREATE SCHEMA regress;
GRANT USAGE ON SCHEMA regress TO PUBLIC;
CREATE FUNCTION regress.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN others THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END;
$$;
