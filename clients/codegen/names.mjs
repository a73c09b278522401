// Names shared by every emitter, so that the Kysely, Drizzle and Prisma files
// call a table, a column and a relation the same way.

export const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
export const pascal = (s) => camel(s).replace(/^[a-z]/, (c) => c.toUpperCase());

// Plural table names to singular model names (deliverables -> Deliverable,
// time_entries -> TimeEntry). Names whose last word is not a plural stay.
const NOT_PLURAL = new Set(['settings', 'analytics', 'data', 'branding', 'overview', 'activity', 'status']);
export function singular(name) {
    const parts = name.split('_');
    const last = parts[parts.length - 1];
    if (NOT_PLURAL.has(last)) return name;
    let s = last;
    if (/ies$/.test(s)) s = s.replace(/ies$/, 'y');
    else if (/(ss|us)$/.test(s)) s = last;
    else if (/s$/.test(s)) s = s.replace(/s$/, '');
    parts[parts.length - 1] = s;
    return parts.join('_');
}

export const modelName = (table) => pascal(singular(table));

// The relation a foreign key gives its table (the "one" side) and the one it
// gives the referenced table (the "many" side, or one for a 1:1 key). A
// composite key (organization_id, client_id) is named by its own column:
// client_id -> client; created_by_id -> createdBy; invited_by -> invitedByUser.
export function relationNames(model) {
    const names = new Map();  // fk name -> { one, many, oneToOne }
    const tables = new Map(model.relations.map((r) => [r.name, r]));
    const used = new Map(model.relations.map((r) => [r.name, new Set(r.columns.map((c) => camel(c.name)))]));
    const claim = (table, wanted) => {
        const taken = used.get(table);
        let name = wanted;
        for (let i = 2; taken.has(name); i++) name = `${wanted}${i}`;
        taken.add(name);
        return name;
    };
    const fks = model.relations.flatMap((r) => r.foreignKeys);
    // "one" side first, for every table, then the "many" side.
    for (const fk of fks) {
        const own = fk.columns.filter((c, i) => !(c === 'organization_id' && fk.foreignColumns[i] === 'organization_id'));
        let base;
        if (own.length === 1 && /_id$/.test(own[0])) base = own[0].replace(/_id$/, '');
        else if (own.length === 1 && fk.to === 'organizations' && own[0] === 'organization_id') base = 'organization';
        else if (own.length === 1) base = `${own[0]}_${singular(fk.to)}`;
        else base = singular(fk.to);
        names.set(fk.name, { one: claim(fk.from, camel(base)) });
    }
    for (const fk of fks) {
        const from = tables.get(fk.from);
        const keySets = [from.primaryKey, ...from.uniques].filter(Boolean).map((k) => [...k.columns].sort().join(','));
        const oneToOne = keySets.includes([...fk.columns].sort().join(','));
        const siblings = fks.filter((x) => x.from === fk.from && x.to === fk.to);
        let base = oneToOne ? singular(fk.from) : fk.from;
        if (siblings.length > 1 || fk.from === fk.to) base = `${base}_by_${names.get(fk.name).one.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
        const entry = names.get(fk.name);
        entry.many = claim(fk.to, camel(base));
        entry.oneToOne = oneToOne;
    }
    return names;
}

// Whether every column of a key is NOT NULL (the related row then always exists).
export function keyRequired(rel, columns) {
    return columns.every((c) => rel.columns.find((x) => x.name === c).not_null);
}
