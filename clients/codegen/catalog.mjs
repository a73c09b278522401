// Reads what an application role can use of schema mycelium from the system
// catalogs of a database where the extension is installed, into a plain model
// that the emitters (emit-*.mjs) turn into files. Nothing of mycelium_internal,
// and nothing the role may not use: a table, view, column or function is in the
// model only when the role has the privilege to select it or call it.

const SCHEMA = 'mycelium';

// The catalog queries. Arrays come as JSON so that no driver-side array parser
// is needed ("char"[] and oid[] have none in node-postgres).
const RELATIONS = `
SELECT c.oid::int8::text AS oid, c.relname AS name, c.relkind AS kind,
       obj_description(c.oid, 'pg_class') AS comment,
       has_table_privilege($2, c.oid, 'INSERT') AS can_insert,
       has_table_privilege($2, c.oid, 'UPDATE') AS can_update,
       has_table_privilege($2, c.oid, 'DELETE') AS can_delete
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
   AND has_table_privilege($2, c.oid, 'SELECT')
 ORDER BY c.relname`;

const COLUMNS = `
SELECT a.attrelid::int8::text AS rel, a.attnum AS num, a.attname AS name, a.attnotnull AS not_null,
       a.atttypid::int8::text AS type, format_type(a.atttypid, a.atttypmod) AS sql_type,
       information_schema._pg_numeric_precision(a.atttypid, a.atttypmod) AS numeric_precision,
       information_schema._pg_numeric_scale(a.atttypid, a.atttypmod) AS numeric_scale,
       pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity AS identity, a.attgenerated AS generated,
       col_description(a.attrelid, a.attnum) AS comment,
       has_column_privilege($2, a.attrelid, a.attnum, 'INSERT') AS can_insert,
       has_column_privilege($2, a.attrelid, a.attnum, 'UPDATE') AS can_update
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
   AND a.attnum > 0 AND NOT a.attisdropped
   AND has_column_privilege($2, a.attrelid, a.attnum, 'SELECT')
 ORDER BY a.attrelid, a.attnum`;

const TYPES = `
SELECT t.oid::int8::text AS oid, t.typname AS name, n.nspname AS schema, t.typtype AS kind,
       t.typcategory AS category, t.typelem::int8::text AS elem, t.typbasetype::int8::text AS base,
       t.typrelid::int8::text AS relid
  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace`;

const ENUMS = `
SELECT t.oid::int8::text AS oid, t.typname AS name, to_json(array_agg(e.enumlabel ORDER BY e.enumsortorder)) AS labels
  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
 WHERE t.typnamespace = $1::regnamespace
 GROUP BY t.oid, t.typname ORDER BY t.typname`;

// Composite types of the schema (function results): their attributes.
const COMPOSITE_ATTRIBUTES = `
SELECT t.oid::int8::text AS type, a.attname AS name, a.atttypid::int8::text AS atttype
  FROM pg_catalog.pg_type t
  JOIN pg_catalog.pg_attribute a ON a.attrelid = t.typrelid
 WHERE t.typnamespace = $1::regnamespace AND t.typtype = 'c' AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY t.oid, a.attnum`;

const CONSTRAINTS = `
SELECT k.conname AS name, k.contype AS kind, k.conrelid::int8::text AS rel, to_json(k.conkey) AS columns,
       k.confrelid::int8::text AS foreign_rel, to_json(k.confkey) AS foreign_columns,
       k.confdeltype AS on_delete, k.confupdtype AS on_update, to_json(k.confdelsetcols) AS delete_set_columns
  FROM pg_catalog.pg_constraint k
 WHERE k.connamespace = $1::regnamespace AND k.contype IN ('p', 'u', 'f')
 ORDER BY k.conrelid, k.contype, k.conname`;

// BEFORE INSERT ... FOR EACH ROW triggers written in a procedural language, with
// their source: a NOT NULL column without a default that such a trigger assigns
// (NEW.slug := ...) when it is left out (the source or the trigger's WHEN tests
// NEW.slug IS NULL or IS NOT NULL) is optional on insert.
const INSERT_TRIGGERS = `
SELECT t.tgrelid::int8::text AS rel, t.tgname AS name, p.oid::regprocedure::text AS function, p.prosrc AS source,
       pg_get_triggerdef(t.oid) AS definition
  FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
  JOIN pg_catalog.pg_language l ON l.oid = p.prolang
 WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'
   AND (t.tgtype & 1) = 1 AND (t.tgtype & 2) = 2 AND (t.tgtype & 4) = 4
   AND l.lanname IN ('plpgsql', 'sql')
   AND t.tgrelid IN (SELECT oid FROM pg_catalog.pg_class WHERE relnamespace = $1::regnamespace)`;

const FUNCTIONS = `
SELECT p.oid::int8::text AS oid, p.proname AS name, p.prokind AS kind, p.proretset AS returns_set,
       p.prorettype::int8::text AS return_type, to_json(p.proargtypes::oid[]::int8[]) AS in_types,
       to_json(p.proallargtypes::int8[]) AS all_types, to_json(p.proargmodes::text[]) AS modes,
       to_json(p.proargnames) AS arg_names, p.pronargdefaults AS defaults, p.provolatile AS volatility,
       obj_description(p.oid, 'pg_proc') AS comment, pg_get_function_identity_arguments(p.oid) AS identity
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace = $1::regnamespace AND p.prokind IN ('f', 'p')
   AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype, 'internal'::regtype)
   AND has_function_privilege($2, p.oid, 'EXECUTE')
 ORDER BY p.proname, p.oid`;

export async function readCatalog(client, role) {
    const q = async (text) => (await client.query(text, text.includes("$2") ? [SCHEMA, role] : [SCHEMA])).rows;
    const roleCheck = await client.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [role]);
    if (roleCheck.rowCount !== 1) throw new Error(`role ${role} does not exist: is the extension installed?`);
    const version = await client.query(
        `SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'mycelium'`);
    if (version.rowCount !== 1) throw new Error('extension mycelium is not installed in this database');

    const types = new Map((await client.query(TYPES)).rows.map((t) => [t.oid, t]));
    const enums = (await q(ENUMS)).map((e) => ({ ...e, labels: e.labels }));
    const enumByOid = new Map(enums.map((e) => [e.oid, e]));
    const compositeAttributes = new Map();
    for (const a of await q(COMPOSITE_ATTRIBUTES)) {
        if (!compositeAttributes.has(a.type)) compositeAttributes.set(a.type, []);
        compositeAttributes.get(a.type).push({ name: a.name, type: a.atttype });
    }

    const relations = (await q(RELATIONS)).map((r) => ({
        ...r, isView: r.kind === 'v' || r.kind === 'm', columns: [], primaryKey: null, uniques: [], foreignKeys: [],
        referencedBy: [], fillTriggers: [],
    }));
    const byOid = new Map(relations.map((r) => [r.oid, r]));
    for (const c of await q(COLUMNS)) {
        const rel = byOid.get(c.rel);
        if (!rel) continue;
        rel.columns.push({ ...c, hasDefault: c.default_expr !== null || c.identity !== '', filledBy: null });
    }
    const colName = (rel, num) => {
        const col = rel.columns.find((x) => x.num === num);
        if (!col) throw new Error(`${rel.name}: constraint column ${num} is not readable by the role`);
        return col.name;
    };
    for (const k of await q(CONSTRAINTS)) {
        const rel = byOid.get(k.rel);
        if (!rel) continue;
        const columns = k.columns.map((n) => colName(rel, n));
        if (k.kind === 'p') rel.primaryKey = { name: k.name, columns };
        else if (k.kind === 'u') rel.uniques.push({ name: k.name, columns });
        else {
            const target = byOid.get(k.foreign_rel);
            if (!target) continue;  // a reference to something the role cannot read
            const fk = {
                name: k.name, from: rel.name, to: target.name, columns,
                foreignColumns: k.foreign_columns.map((n) => colName(target, n)),
                onDelete: k.on_delete, onUpdate: k.on_update,
                deleteSetColumns: k.delete_set_columns ? k.delete_set_columns.map((n) => colName(rel, n)) : null,
            };
            rel.foreignKeys.push(fk);
            target.referencedBy.push(fk);
        }
    }
    for (const t of await q(INSERT_TRIGGERS)) {
        const rel = byOid.get(t.rel);
        if (!rel) continue;
        for (const col of rel.columns) {
            if (!col.not_null || col.hasDefault) continue;
            const assigns = new RegExp(`\\bNEW\\.${col.name}\\s*:=`, 'i').test(t.source);
            const tests = new RegExp(`\\bNEW\\.${col.name}\\s+IS\\s+(NOT\\s+)?NULL\\b`, 'i');
            if (assigns && (tests.test(t.source) || tests.test(t.definition))) {
                col.filledBy = `${t.name} (${t.function})`;
            }
        }
    }

    const functions = (await q(FUNCTIONS)).map((f) => {
        const allTypes = f.all_types ?? f.in_types;
        const modes = f.modes ?? allTypes.map(() => 'i');
        const names = f.arg_names ?? [];
        const args = allTypes.map((type, i) => ({ type: String(type), mode: modes[i], name: names[i] || null }));
        const inputs = args.filter((a) => a.mode === 'i' || a.mode === 'b' || a.mode === 'v');
        inputs.forEach((a, i) => { a.optional = i >= inputs.length - f.defaults; });
        // A procedure's INOUT arguments are its results (CALL passes them as NULL by default).
        const inArgs = inputs.filter((a) => a.mode !== 'b' || f.kind !== 'p');
        const outArgs = args.filter((a) => a.mode === 'o' || a.mode === 'b' || a.mode === 't');
        return { ...f, args, inArgs, outArgs };
    });

    return {
        schema: SCHEMA, role, extensionVersion: version.rows[0].extversion, types, enums, enumByOid,
        compositeAttributes, relations, functions,
    };
}
