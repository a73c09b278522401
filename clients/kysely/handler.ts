// The scripted request sequence (clients/README.md) with Kysely and the shipped
// types: clients/generated/kysely.ts (the DB interface) and kysely-functions.ts
// (typed calls of mycelium's functions). Each request is one transaction,
// db.transaction().execute(trx => ...), that starts with authenticate.
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { isDeepStrictEqual } from 'node:util';
import type { DB } from '../generated/kysely.js';
import { authenticate, developmentToken } from '../generated/kysely-functions.js';

const name = 'kysely';
function fail(message: string): never {
  console.error(`${name}: FAILED: ${message}`);
  process.exit(1);
}
function check(condition: unknown, message: string): asserts condition {
  if (!condition) fail(message);
}
function env(key: string): string {
  const v = process.env[key];
  if (!v) fail(`${key} is not set (clients/run sets it)`);
  return v;
}
interface PgError { code?: string; message: string; detail?: string; schema?: string; table?: string; column?: string; constraint?: string }
async function expectError(code: string, fn: () => Promise<unknown>): Promise<PgError> {
  try {
    await fn();
  } catch (e) {
    const err = e as PgError;
    check(err.code === code, `expected SQLSTATE ${code}, got ${err.code}: ${err.message}`);
    return err;
  }
  fail(`expected SQLSTATE ${code}, but the statement succeeded`);
}

const org = env('MYCELIUM_ORGANIZATION_ID');
const db = new Kysely<DB>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: env('DATABASE_URL'), max: 2 }) }),
});

// One request: one transaction, authenticate first, every query on trx.
async function request<T>(token: string, work: (trx: Transaction<DB>, ctx: Awaited<ReturnType<typeof authenticate>>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => work(trx, await authenticate(trx, { token })));
}

try {
  // 1. Tokens for seeded accounts (development only), each in its own transaction.
  const tokenFor = (email: string) => db.transaction().execute((trx) => developmentToken(trx, { organization_id: org, email }));
  const admin = await tokenFor(env('MYCELIUM_ADMIN_EMAIL'));
  const staff = await tokenFor(env('MYCELIUM_STAFF_EMAIL'));
  check(admin.role === 'ADMIN' && admin.token, `no ADMIN token: ${JSON.stringify(admin)}`);
  check(staff.token && staff.role !== 'ADMIN' && staff.role !== 'CLIENT', `not a staff member: ${staff.role}`);
  const adminToken = admin.token, staffToken = staff.token;
  console.log(`1. tokens: ${admin.role} ${admin.user_id}, ${staff.role} ${staff.user_id}`);

  // 2. Request A: the context authenticate set, and the newest deliverables (selectAll).
  const newest = await request(adminToken, async (trx, ctx) => {
    check(ctx.organization_id === org && ctx.user_id === admin.user_id && ctx.role === 'ADMIN',
          `authenticate returned ${JSON.stringify(ctx)}`);
    console.log(`2. request A: authenticated as ${ctx.role} of organization ${ctx.organization_id}, until ${ctx.expires_at?.toISOString()}`);
    return trx.selectFrom('mycelium.deliverables').selectAll()
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(5).execute();
  });
  check(newest.length === 5, `request A: expected 5 deliverables, got ${newest.length}`);
  for (const d of newest) {
    check(d.organization_id === org && d.created_at instanceof Date, `request A: a row of another shape: ${JSON.stringify(d)}`);
    console.log(`   ${d.status.padEnd(12)} ${d.title}`);
  }

  // 3. Request B: a deliverable with valid custom fields. organization_id and
  // created_by_id are left to the context's defaults (optional in the generated
  // types), due_date to the service type. Then a client without a slug, as an
  // ADMIN: the trigger makes it from the name.
  const fields = { deliverable_name: 'Kysely launch reel', edit_by_date: '2027-03-01',
                   dropbox_link: 'https://www.dropbox.com/home/gtg-builders/kysely' };
  const row = await request(staffToken, async (trx, ctx) => {
    check(ctx.user_id === staff.user_id, `request B: authenticate returned user ${ctx.user_id}`);
    const client = await trx.selectFrom('mycelium.clients').select(['id', 'name']).where('slug', '=', 'gtg-builders').executeTakeFirst();
    const service = await trx.selectFrom('mycelium.service_types').select('id').where('slug', '=', 'social').executeTakeFirst();
    check(client && service, 'request B: the staff member cannot see GTG Builders or the social service type');
    const inserted = await trx.insertInto('mycelium.deliverables')
      .values({ client_id: client.id, service_type_id: service.id, title: 'Kysely launch reel', custom_fields: fields })
      .returningAll().executeTakeFirstOrThrow();
    const back = await trx.selectFrom('mycelium.deliverables').select(['title', 'custom_fields'])
      .where('id', '=', inserted.id).executeTakeFirst();
    check(back && back.title === 'Kysely launch reel' && isDeepStrictEqual(back.custom_fields, fields),
          `request B: read back as ${JSON.stringify(back)}`);
    return inserted;
  });
  check(row.organization_id === org, `request B: organization_id ${row.organization_id}`);
  check(row.created_by_id === staff.user_id, `request B: created_by_id ${row.created_by_id}, not ${staff.user_id}`);
  check(row.due_date instanceof Date, 'request B: due_date was not filled from the service type');
  console.log(`3. request B: created deliverable ${row.id}, organization_id and created_by_id from the context, due ${row.due_date.toISOString()}`);
  const florist = await request(adminToken, (trx) =>
    trx.insertInto('mycelium.clients').values({ name: 'Kysely Florist' }).returning(['id', 'slug', 'organization_id']).executeTakeFirstOrThrow());
  check(/^kysely-florist(-[0-9]+)?$/.test(florist.slug) && florist.organization_id === org, `request B: client ${JSON.stringify(florist)}`);
  console.log(`   created client ${florist.id} with slug ${florist.slug} from its name`);

  // 4. Request C: custom fields that break the service type's rules: 23514.
  const bad = await expectError('23514', () => request(staffToken, async (trx) => {
    const client = await trx.selectFrom('mycelium.clients').select('id').where('slug', '=', 'gtg-builders').executeTakeFirstOrThrow();
    const service = await trx.selectFrom('mycelium.service_types').select('id').where('slug', '=', 'social').executeTakeFirstOrThrow();
    await trx.insertInto('mycelium.deliverables')
      .values({ client_id: client.id, service_type_id: service.id, title: 'Broken reel',
                custom_fields: { deliverable_name: 'Broken reel', edit_by_date: 'next Tuesday', dropbox_link: 'not a link' } })
      .execute();
  }));
  let detail: unknown;
  try {
    detail = JSON.parse(bad.detail ?? '');
  } catch {
    fail(`request C: DETAIL is not JSON: ${bad.detail}`);
  }
  console.log(`4. request C: ${bad.code} ${bad.message}`);
  console.log(`   DETAIL: ${JSON.stringify(detail)}`);
  console.log(`   schema=${bad.schema} table=${bad.table} column=${bad.column} constraint=${bad.constraint}`);

  // 5. Request D: no transaction, no context: strict mode makes it an error.
  const none = await expectError('28M01', () => db.selectFrom('mycelium.deliverables').selectAll().execute());
  console.log(`5. request D: no context: ${none.code} ${none.message}`);
} catch (e) {
  const err = e as PgError;
  fail(`${err.code ?? ''} ${err.message}`);
} finally {
  await db.destroy();
}
