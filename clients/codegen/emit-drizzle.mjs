// The Drizzle schema (drizzle.ts): tables, views and enums of schema mycelium
// with their composite keys, and relations that join on every column of each
// composite foreign key (organization_id and the parent's id).
import { camel, relationNames } from './names.mjs';

const ACTIONS = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

const tsString = (s) => JSON.stringify(s);
const sqlLiteral = (s) => s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');

export const tableVar = (rel) => camel(rel.name);
const enumVar = (e) => `${camel(e.name)}Enum`;

function builder(model, col, used) {
    const t = model.types.get(col.type);
    const name = tsString(col.name);
    let base = t;
    let array = false;
    if (t.category === 'A' && t.elem !== '0') { base = model.types.get(t.elem); array = true; }
    if (base.kind === 'd') base = model.types.get(base.base);
    let b;
    if (base.kind === 'e') {
        const e = model.enumByOid.get(base.oid);
        b = `${enumVar(e)}(${name})`;
    } else {
        switch (base.name) {
            case 'uuid': b = `uuid(${name})`; break;
            case 'text': case 'varchar': case 'name': case 'citext': b = `text(${name})`; break;
            case 'int2': b = `smallint(${name})`; break;
            case 'int4': b = `integer(${name})`; break;
            case 'int8': b = `bigint(${name}, { mode: 'number' })`; break;
            case 'float8': b = `doublePrecision(${name})`; break;
            case 'numeric': {
                const p = col.numeric_precision, s = col.numeric_scale;
                b = p !== null && /numeric\(/.test(col.sql_type) ? `numeric(${name}, { precision: ${p}, scale: ${s} })` : `numeric(${name})`;
                break;
            }
            case 'bool': b = `boolean(${name})`; break;
            case 'date': b = `date(${name})`; break;
            case 'timestamptz': b = `timestamp(${name}, { withTimezone: true })`; break;
            case 'timestamp': b = `timestamp(${name})`; break;
            case 'inet': b = `inet(${name})`; break;
            case 'interval': b = `interval(${name})`; break;
            case 'json': b = `json(${name}).$type<JsonValue>()`; break;
            case 'jsonb': b = `jsonb(${name}).$type<JsonValue>()`; break;
            default: throw new Error(`no Drizzle column type for ${base.schema}.${base.name} (${col.name})`);
        }
        used.add(b.replace(/\(.*$/, ''));
    }
    if (array) b += '.array()';
    return b;
}

export function emitDrizzle(model) {
    const names = relationNames(model);
    const used = new Set();
    let body = '';
    for (const e of model.enums) {
        body += `export const ${enumVar(e)} = mycelium.enum(${tsString(e.name)}, [${e.labels.map(tsString).join(', ')}]);\n`;
    }
    body += '\n';
    for (const rel of model.relations) {
        const v = tableVar(rel);
        const notes = [rel.comment, rel.isView ? 'A view: read only.' : (!rel.can_insert ? `${model.role} cannot insert into it.` : null)]
            .filter(Boolean).join(' ');
        body += `/** mycelium.${rel.name}${notes ? `: ${notes.replace(/\*\//g, '* /')}` : ''} */\n`;
        body += `export const ${v} = mycelium.${rel.isView ? 'view' : 'table'}(${tsString(rel.name)}, {\n`;
        for (const col of rel.columns) {
            let b = builder(model, col, used);
            let comment = '';
            if (!rel.isView) {
                if (col.not_null) b += '.notNull()';
                if (col.default_expr !== null) b += `.default(sql\`${sqlLiteral(col.default_expr.replace(/\s+/g, ' ').trim())}\`)`;
                else if (col.filledBy) {
                    // No default: the trigger fills the column when an insert leaves it out
                    // (Drizzle then sends DEFAULT, which is NULL here). Declared so that
                    // the insert type makes the column optional.
                    b += '.default(sql`NULL`)';
                    comment = ` // filled by trigger ${col.filledBy}`;
                }
            }
            body += `  ${camel(col.name)}: ${b},${comment}\n`;
        }
        if (rel.isView) {
            body += '}).existing();\n\n';
            continue;
        }
        const extras = [];
        if (rel.primaryKey) {
            extras.push(`primaryKey({ name: ${tsString(rel.primaryKey.name)}, columns: [${rel.primaryKey.columns.map((c) => `t.${camel(c)}`).join(', ')}] })`);
        }
        for (const u of rel.uniques) {
            extras.push(`unique(${tsString(u.name)}).on(${u.columns.map((c) => `t.${camel(c)}`).join(', ')})`);
        }
        for (const fk of rel.foreignKeys) {
            const target = model.relations.find((r) => r.name === fk.to);
            let s = `foreignKey({ name: ${tsString(fk.name)}, columns: [${fk.columns.map((c) => `t.${camel(c)}`).join(', ')}], ` +
                `foreignColumns: [${fk.foreignColumns.map((c) => `${target === rel ? 't' : tableVar(target)}.${camel(c)}`).join(', ')}] })`;
            if (fk.onDelete !== 'a') s += `.onDelete(${tsString(ACTIONS[fk.onDelete])})`;
            if (fk.onUpdate !== 'a') s += `.onUpdate(${tsString(ACTIONS[fk.onUpdate])})`;
            if (fk.deleteSetColumns) s += ` /* ON DELETE SET NULL (${fk.deleteSetColumns.join(', ')}) only */`;
            extras.push(s);
        }
        body += `}, (t) => [\n${extras.map((x) => `  ${x},\n`).join('')}]);\n\n`;
    }

    // Relations: each foreign key gives its table one() and the referenced table
    // many() (or one() for a 1:1 key), paired by the constraint's name.
    const rels = new Map(model.relations.map((r) => [r.name, []]));
    for (const rel of model.relations) {
        for (const fk of rel.foreignKeys) {
            const n = names.get(fk.name);
            const target = model.relations.find((r) => r.name === fk.to);
            rels.get(rel.name).push(`    ${n.one}: one(${tableVar(target)}, {\n` +
                `      fields: [${fk.columns.map((c) => `${tableVar(rel)}.${camel(c)}`).join(', ')}],\n` +
                `      references: [${fk.foreignColumns.map((c) => `${tableVar(target)}.${camel(c)}`).join(', ')}],\n` +
                `      relationName: ${tsString(fk.name)},\n    }),`);
            // Drizzle's one() of the referenced side takes no relationName: it is found by
            // its table, which is unambiguous only for a single key between the two.
            if (n.oneToOne && model.relations.find((r) => r.name === fk.to).referencedBy.filter((x) => x.from === fk.from).length > 1) {
                throw new Error(`${fk.name}: two one-to-one keys from ${fk.from} to ${fk.to}`);
            }
            rels.get(fk.to).push(n.oneToOne
                ? `    ${n.many}: one(${tableVar(rel)}),`
                : `    ${n.many}: many(${tableVar(rel)}, { relationName: ${tsString(fk.name)} }),`);
        }
    }
    for (const rel of model.relations) {
        const list = rels.get(rel.name);
        if (!list.length) continue;
        const needs = [list.some((l) => / one\(/.test(l)) && 'one', list.some((l) => / many\(/.test(l)) && 'many'].filter(Boolean);
        body += `export const ${tableVar(rel)}Relations = relations(${tableVar(rel)}, ({ ${needs.join(', ')} }) => ({\n${list.join('\n')}\n}));\n\n`;
    }

    const pgCore = ['pgSchema', 'primaryKey', 'unique', 'foreignKey', ...[...used].sort()];
    let out = `// Drizzle schema of schema mycelium: drizzle(pool, { schema }) and db.query.<table> with relations.
// Generated by clients/codegen/generate from the catalogs of extension mycelium ${model.extensionVersion},
// as role ${model.role} may use schema ${model.schema}. Do not edit: run clients/codegen/generate.
// For queries only: never point drizzle-kit generate, push or migrate at schema mycelium (docs/clients.md).
import { relations, sql } from 'drizzle-orm';
import { ${[...new Set(pgCore)].join(', ')} } from 'drizzle-orm/pg-core';

export type JsonValue = boolean | number | string | null | JsonValue[] | { [key: string]: JsonValue | undefined };

export const mycelium = pgSchema(${tsString(model.schema)});

`;
    out += body;
    return out;
}
