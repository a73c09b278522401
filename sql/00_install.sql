-- Installing creates everything in schemas mycelium and mycelium_internal, and
-- nothing elsewhere. pg_regress has already created it (--load-extension, so
-- that every file also runs alone): made again here, from nothing.
SET client_min_messages = warning;
DROP EXTENSION mycelium;
CREATE EXTENSION mycelium;
RESET client_min_messages;

SELECT extversion, nspname AS schema, extrelocatable
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE extname = 'mycelium';

-- The 18 tables of the design document, by their @@map names, and job_runs, the
-- record of the scheduled jobs; in mycelium_internal, what only the extension
-- uses: the keys of the tenant context and tokens, the job list, the settings
-- kept with the data and the manifest a restore checks.
SELECT relnamespace::regnamespace AS schema, relname FROM pg_class
WHERE relnamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace) AND relkind = 'r'
ORDER BY 1, 2;

-- The 15 enums; deliverable_status has ARCHIVED, which the document's archive
-- procedure needs and its enum lacked.
SELECT t.typname, count(*) AS labels
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typnamespace = 'mycelium'::regnamespace
GROUP BY t.typname ORDER BY t.typname;
SELECT enum_range(NULL::mycelium.deliverable_status);

-- The views: security_invoker so that row-level security applies, but for
-- portal_attachments, which applies the portal's conditions itself (52_portal.sql).
SELECT relname, reloptions FROM pg_class
WHERE relnamespace = 'mycelium'::regnamespace AND relkind = 'v'
ORDER BY relname;

-- Every table is kept by pg_dump but the job list, which the install writes, and
-- the keys of integration secrets, which never travel with a dump.
SELECT count(*) AS tables_in_dump
FROM pg_extension e, unnest(e.extconfig) AS c(oid)
WHERE e.extname = 'mycelium';

-- Nothing leaked into public.
SELECT count(*) AS objects_in_public FROM pg_class WHERE relnamespace = 'public'::regnamespace;
