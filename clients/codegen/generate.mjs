// clients/codegen/generate [--out DIR] [--role ROLE]: reads the installed
// extension's catalogs and writes the typed client files into DIR (default
// clients/generated). Connects with DATABASE_SUPERUSER_URL, else DATABASE_URL,
// else libpq's PG* variables. Types what ROLE (default mycelium_app, the
// group grant_access(..., 'app') makes a role a member of) may use.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { readCatalog } from './catalog.mjs';
import { emitKysely, emitKyselyFunctions } from './emit-kysely.mjs';
import { emitDrizzle } from './emit-drizzle.mjs';
import { emitPrisma, emitPrismaExternal } from './emit-prisma.mjs';
import { emitPython } from './emit-python.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const options = { out: join(here, '..', 'generated'), role: 'mycelium_app' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if ((a === '--out' || a === '--role') && argv[i + 1] !== undefined) options[a.slice(2)] = argv[++i];
    else {
        console.error(`usage: generate [--out DIR] [--role ROLE]\nunknown argument: ${a}`);
        process.exit(2);
    }
}
const out = resolve(options.out);

const connectionString = process.env.DATABASE_SUPERUSER_URL || process.env.DATABASE_URL || undefined;
const client = new pg.Client(connectionString ? { connectionString } : {});
await client.connect();
let model;
try {
    model = await readCatalog(client, options.role);
} finally {
    await client.end();
}

// The Prisma client is generated next to the Prisma handler, out of git.
const prismaOutput = '../prisma/generated';
const files = {
    'kysely.ts': emitKysely(model),
    'kysely-functions.ts': emitKyselyFunctions(model),
    'drizzle.ts': emitDrizzle(model),
    'schema.prisma': emitPrisma(model, { output: prismaOutput }),
    'prisma-external.ts': emitPrismaExternal(model),
    'mycelium_types.py': emitPython(model),
};
mkdirSync(out, { recursive: true });
for (const [name, text] of Object.entries(files)) writeFileSync(join(out, name), text);
console.log(`generate: ${Object.keys(files).join(', ')} in ${out} (${model.relations.length} tables and views, ` +
    `${model.enums.length} enums, ${model.functions.length} functions of mycelium ${model.extensionVersion})`);
