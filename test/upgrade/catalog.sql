-- A description of everything the extension puts in the database, one sorted
-- line per property, so that two databases can be compared with diff: the
-- upgraded one and a fresh install (test/upgrade/run). Columns are compared by
-- name, not position: an upgrade can only append columns.
\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset footer off
SET search_path = pg_catalog;

CREATE TEMP VIEW ext_schemas AS
    SELECT n.oid, n.nspname FROM pg_namespace n
     WHERE n.nspname = 'mycelium'
        OR EXISTS (SELECT FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                    WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid
                      AND d.deptype = 'e' AND e.extname = 'mycelium');

CREATE TEMP VIEW ext_relations AS
    SELECT c.* FROM pg_class c JOIN ext_schemas s ON s.oid = c.relnamespace;

CREATE TEMP VIEW catalog_lines AS
SELECT 'schema ' || s.nspname || ' acl=' || coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text)
                                                       FROM unnest(coalesce(n.nspacl, acldefault('n'::"char", n.nspowner))) a), '-') AS line
  FROM ext_schemas s JOIN pg_namespace n ON n.oid = s.oid
UNION ALL
SELECT format('relation %s kind=%s rls=%s force=%s options=%s acl=%s', c.oid::regclass, c.relkind,
              c.relrowsecurity, c.relforcerowsecurity, coalesce(array_to_string(c.reloptions, ','), '-'),
              -- No ACL means the default one; a REVOKE writes the default out.
              coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text)
                          FROM unnest(coalesce(c.relacl, acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner))) a), '-'))
  FROM ext_relations c WHERE c.relkind <> 'i'
UNION ALL
SELECT format('column %s.%s %s notnull=%s default=%s collation=%s identity=%s generated=%s acl=%s',
              c.oid::regclass, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
              coalesce(pg_get_expr(d.adbin, d.adrelid), '-'),
              CASE WHEN a.attcollation = 0 THEN '-' ELSE (SELECT collname FROM pg_collation WHERE oid = a.attcollation) END,
              a.attidentity, a.attgenerated,
              coalesce((SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(a.attacl) x), '-'))
  FROM ext_relations c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'c', 'f')
UNION ALL
SELECT format('constraint %s.%s %s', c.oid::regclass, k.conname, pg_get_constraintdef(k.oid))
  FROM ext_relations c JOIN pg_constraint k ON k.conrelid = c.oid
UNION ALL
SELECT format('domain-constraint %s.%s %s', k.contypid::regtype, k.conname, pg_get_constraintdef(k.oid))
  FROM pg_constraint k JOIN pg_type t ON t.oid = k.contypid JOIN ext_schemas s ON s.oid = t.typnamespace
UNION ALL
SELECT format('index %s', pg_get_indexdef(i.indexrelid))
  FROM ext_relations c JOIN pg_index i ON i.indrelid = c.oid
UNION ALL
SELECT format('trigger %s.%s %s enabled=%s', c.oid::regclass, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled)
  FROM ext_relations c JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal
UNION ALL
SELECT format('policy %s.%s cmd=%s permissive=%s roles=%s using=%s check=%s', c.oid::regclass, p.polname,
              p.polcmd, p.polpermissive,
              (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END, ',' ORDER BY r) FROM unnest(p.polroles) r),
              coalesce(pg_get_expr(p.polqual, p.polrelid), '-'), coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '-'))
  FROM ext_relations c JOIN pg_policy p ON p.polrelid = c.oid
UNION ALL
SELECT format('view %s %s', c.oid::regclass, regexp_replace(pg_get_viewdef(c.oid), '\s+', ' ', 'g'))
  FROM ext_relations c WHERE c.relkind IN ('v', 'm')
UNION ALL
SELECT format('function %s kind=%s lang=%s returns=%s volatile=%s parallel=%s strict=%s secdef=%s leakproof=%s cost=%s rows=%s config=%s acl=%s',
              p.oid::regprocedure, p.prokind, l.lanname, pg_get_function_result(p.oid), p.provolatile, p.proparallel,
              p.proisstrict, p.prosecdef, p.proleakproof, p.procost, p.prorows,
              coalesce(array_to_string(p.proconfig, ','), '-'),
              coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text)
                          FROM unnest(coalesce(p.proacl, acldefault('f'::"char", p.proowner))) a), '-'))
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang JOIN ext_schemas s ON s.oid = p.pronamespace
UNION ALL
SELECT format('function-arguments %s %s', p.oid::regprocedure, pg_get_function_arguments(p.oid))
  FROM pg_proc p JOIN ext_schemas s ON s.oid = p.pronamespace
UNION ALL
SELECT format('function-body %s %s', p.oid::regprocedure, md5(coalesce(p.prosrc, '') || '|' || coalesce(p.probin, '')))
  FROM pg_proc p JOIN ext_schemas s ON s.oid = p.pronamespace
UNION ALL
SELECT format('type %s type=%s', t.oid::regtype, t.typtype)
  FROM pg_type t JOIN ext_schemas s ON s.oid = t.typnamespace
 WHERE t.typtype IN ('e', 'd', 'c') AND NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')
UNION ALL
SELECT format('enum %s %s', t.oid::regtype, (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                                             FROM pg_enum e WHERE e.enumtypid = t.oid))
  FROM pg_type t JOIN ext_schemas s ON s.oid = t.typnamespace WHERE t.typtype = 'e'
UNION ALL
SELECT format('comment %s %s', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
  FROM pg_description d
 WHERE EXISTS (SELECT FROM pg_depend x JOIN pg_extension e ON e.oid = x.refobjid
                WHERE e.extname = 'mycelium' AND x.deptype = 'e'
                  AND x.classid = d.classoid AND x.objid = d.objoid)
    OR (d.classoid = 'pg_class'::regclass AND d.objsubid > 0
        AND EXISTS (SELECT FROM ext_relations c WHERE c.oid = d.objoid))
UNION ALL
SELECT format('member %s', pg_describe_object(d.classid, d.objid, d.objsubid))
  FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
 WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'mycelium' AND d.deptype = 'e'
UNION ALL
SELECT format('config-dump %s where=%s', c::regclass, coalesce(nullif(w, ''), '-'))
  FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(c, w)
 WHERE e.extname = 'mycelium'
UNION ALL
SELECT format('default-acl %s %s %s', d.defaclrole::regrole, d.defaclobjtype,
              (SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(d.defaclacl) a))
  FROM pg_default_acl d JOIN ext_schemas s ON s.oid = d.defaclnamespace
UNION ALL
SELECT format('job %s %s', j.name, j.description) FROM mycelium_internal.jobs j
UNION ALL
SELECT format('key %s', k.purpose) FROM mycelium_internal.auth_keys k WHERE k.purpose = 'context'
UNION ALL
SELECT format('manifest version=%s digest=%s', m.version, m.digest) FROM mycelium_internal.schema_manifest m
UNION ALL
SELECT format('event-trigger %s on %s runs %s enabled=%s tags=%s', t.evtname, t.evtevent, t.evtfoid::regprocedure,
              t.evtenabled, coalesce(array_to_string(t.evttags, ','), '-'))
  FROM pg_event_trigger t
UNION ALL
SELECT 'extension version=' || e.extversion || ' relocatable=' || e.extrelocatable
  FROM pg_extension e WHERE e.extname = 'mycelium';

SELECT line FROM catalog_lines ORDER BY line COLLATE "C";
