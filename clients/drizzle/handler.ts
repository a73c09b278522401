// The scripted request sequence (clients/README.md) with Drizzle and the shipped
// schema (clients/generated/drizzle.ts): db.select().from(...), and
// db.query.deliverables.findMany({ with: { client: true } }) through the
// composite foreign key (organization_id, client_id). Each request is one
// transaction, db.transaction(async (tx) => ...), that starts with authenticate.
import { drizzle } from 'drizzle-orm/node-postgres';
import { desc, eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { isDeepStrictEqual } from 'node:util';
import * as schema from '../generated/drizzle.js';

const name = 'drizzle';
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
interface PgError { code?: string; message: string; detail?: string; schema?: string; table?: string; column?: string; constraint?: string; cause?: unknown }
// Drizzle wraps a driver error in a DrizzleQueryError whose cause is node-postgres's error.
const pgError = (e: unknown): PgError => {
  const err = e as PgError;
  return err.cause && typeof err.cause === 'object' && 'code' in err.cause ? (err.cause as PgError) : err;
};
async function expectError(code: string, fn: () => Promise<unknown>): Promise<PgError> {
  try {
    await fn();
  } catch (e) {
    const err = pgError(e);
    check(err.code === code, `expected SQLSTATE ${code}, got ${err.code}: ${err.message}`);
    return err;
  }
  fail(`expected SQLSTATE ${code}, but the statement succeeded`);
}

const org = env('MYCELIUM_ORGANIZATION_ID');
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 2 });
const db = drizzle(pool, { schema });
type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

interface Context { organization_id: string; user_id: string; role: string; expires_at: string }
// One request: one transaction, authenticate first, every query on tx.
async function request<T>(token: string, work: (tx: Tx, ctx: Context) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const { rows: [ctx] } = await tx.execute<{ organization_id: string; user_id: string; role: string; expires_at: string }>(
      sql`SELECT organization_id, user_id, role, expires_at FROM mycelium.authenticate(${token})`);
    check(ctx, 'authenticate returned no row');
    return work(tx, ctx);
  });
}

try {
  // 1. Tokens for seeded accounts (development only), each in its own transaction.
  const tokenFor = (email: string) => db.transaction(async (tx) =>
    (await tx.execute<{ token: string; user_id: string; role: string }>(
      sql`SELECT token, user_id, role FROM mycelium.development_token(${org}, ${email})`)).rows[0]);
  const admin = await tokenFor(env('MYCELIUM_ADMIN_EMAIL'));
  const staff = await tokenFor(env('MYCELIUM_STAFF_EMAIL'));
  check(admin && admin.role === 'ADMIN' && admin.token, `no ADMIN token: ${JSON.stringify(admin)}`);
  check(staff && staff.token && staff.role !== 'ADMIN' && staff.role !== 'CLIENT', `not a staff member: ${staff?.role}`);
  console.log(`1. tokens: ${admin.role} ${admin.user_id}, ${staff.role} ${staff.user_id}`);

  // 2. Request A: select().from(deliverables), then the same through the relation
  // to the client: the composite key must find every deliverable's client.
  const { newest, related } = await request(admin.token, async (tx, ctx) => {
    check(ctx.organization_id === org && ctx.user_id === admin.user_id && ctx.role === 'ADMIN',
          `authenticate returned ${JSON.stringify(ctx)}`);
    console.log(`2. request A: authenticated as ${ctx.role} of organization ${ctx.organization_id}, until ${ctx.expires_at}`);
    const newest = await tx.select().from(schema.deliverables)
      .orderBy(desc(schema.deliverables.createdAt), desc(schema.deliverables.id)).limit(5);
    const related = await tx.query.deliverables.findMany({
      with: { client: true, serviceType: true },
      orderBy: [desc(schema.deliverables.createdAt), desc(schema.deliverables.id)],
      limit: 5,
    });
    return { newest, related };
  });
  check(newest.length === 5, `request A: expected 5 deliverables, got ${newest.length}`);
  for (const d of newest) console.log(`   ${d.status.padEnd(12)} ${d.title}`);
  check(related.length === 5, `request A: the relational query returned ${related.length} deliverables`);
  for (const d of related) {
    // d.client is typed non-null: (organization_id, client_id) are both NOT NULL.
    check(d.client !== null && d.client.id === d.clientId && d.client.organizationId === d.organizationId,
          `request A: deliverable ${d.id} came back with client ${JSON.stringify(d.client)}`);
    check(d.serviceType !== null && d.serviceType.id === d.serviceTypeId, `request A: deliverable ${d.id} lost its service type`);
  }
  console.log(`   with: { client: true }: ${related.map((d) => d.client.name).join(', ')}`);

  // 3. Request B: a deliverable with valid custom fields; organization_id and
  // created_by_id from the context's defaults, due_date from the service type.
  // Then a client without a slug, as an ADMIN.
  const fields = { deliverable_name: 'Drizzle launch reel', edit_by_date: '2027-03-01',
                   dropbox_link: 'https://www.dropbox.com/home/gtg-builders/drizzle' };
  const row = await request(staff.token, async (tx, ctx) => {
    check(ctx.user_id === staff.user_id, `request B: authenticate returned user ${ctx.user_id}`);
    const [client] = await tx.select({ id: schema.clients.id }).from(schema.clients).where(eq(schema.clients.slug, 'gtg-builders'));
    const [service] = await tx.select({ id: schema.serviceTypes.id }).from(schema.serviceTypes).where(eq(schema.serviceTypes.slug, 'social'));
    check(client && service, 'request B: the staff member cannot see GTG Builders or the social service type');
    const [inserted] = await tx.insert(schema.deliverables)
      .values({ clientId: client.id, serviceTypeId: service.id, title: 'Drizzle launch reel', customFields: fields })
      .returning();
    check(inserted, 'request B: no row returned');
    const back = await tx.query.deliverables.findFirst({ where: eq(schema.deliverables.id, inserted.id), with: { client: true } });
    check(back && back.title === 'Drizzle launch reel' && isDeepStrictEqual(back.customFields, fields) && back.client.slug === 'gtg-builders',
          `request B: read back as ${JSON.stringify(back)}`);
    return inserted;
  });
  check(row.organizationId === org, `request B: organization_id ${row.organizationId}`);
  check(row.createdById === staff.user_id, `request B: created_by_id ${row.createdById}, not ${staff.user_id}`);
  check(row.dueDate instanceof Date, 'request B: due_date was not filled from the service type');
  console.log(`3. request B: created deliverable ${row.id}, organization_id and created_by_id from the context, due ${row.dueDate.toISOString()}`);
  const [florist] = await request(admin.token, (tx) =>
    tx.insert(schema.clients).values({ name: 'Drizzle Florist' }).returning({ id: schema.clients.id, slug: schema.clients.slug }));
  check(florist && /^drizzle-florist(-[0-9]+)?$/.test(florist.slug), `request B: client ${JSON.stringify(florist)}`);
  console.log(`   created client ${florist.id} with slug ${florist.slug} from its name`);

  // 4. Request C: custom fields that break the service type's rules: 23514.
  const bad = await expectError('23514', () => request(staff.token, async (tx) => {
    const [client] = await tx.select().from(schema.clients).where(eq(schema.clients.slug, 'gtg-builders'));
    const [service] = await tx.select().from(schema.serviceTypes).where(eq(schema.serviceTypes.slug, 'social'));
    check(client && service, 'request C: no client or service type');
    await tx.insert(schema.deliverables).values({
      clientId: client.id, serviceTypeId: service.id, title: 'Broken reel',
      customFields: { deliverable_name: 'Broken reel', edit_by_date: 'next Tuesday', dropbox_link: 'not a link' },
    });
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
  const none = await expectError('28M01', () => db.select().from(schema.deliverables));
  console.log(`5. request D: no context: ${none.code} ${none.message}`);
} catch (e) {
  const err = pgError(e);
  fail(`${err.code ?? ''} ${err.message}`);
} finally {
  await pool.end();
}
