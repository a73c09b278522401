// The scripted request sequence (clients/README.md) with Prisma 7 (the
// prisma-client generator, @prisma/adapter-pg) and the shipped schema
// (clients/generated/schema.prisma). Each request is one interactive
// transaction, prisma.$transaction(async (tx) => ...), that starts with
// authenticate.
import { PrismaPg } from '@prisma/adapter-pg';
import { isDeepStrictEqual } from 'node:util';
import { PrismaClient } from './generated/client.js';

const name = 'prisma';
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
// What an error from PostgreSQL looks like through Prisma and the pg adapter.
interface PgError { code?: string; message: string; detail?: string; column?: string }
function pgError(e: unknown): PgError {
  const err = e as { code?: string; message: string; meta?: { driverAdapterError?: { cause?: Record<string, unknown> } } };
  const cause = err.meta?.driverAdapterError?.cause;
  if (cause && typeof cause.originalCode === 'string') {
    return { code: cause.originalCode, message: String(cause.originalMessage ?? err.message), detail: cause.detail as string | undefined,
             column: cause.column as string | undefined };
  }
  return { code: err.code, message: err.message };
}
async function expectError(code: string, fn: () => Promise<unknown>): Promise<PgError> {
  try {
    await fn();
  } catch (e) {
    const err = pgError(e);
    if (err.code !== code) console.error(e);
    check(err.code === code, `expected SQLSTATE ${code}, got ${err.code}: ${err.message}`);
    return err;
  }
  fail(`expected SQLSTATE ${code}, but the statement succeeded`);
}

const org = env('MYCELIUM_ORGANIZATION_ID');
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: env('DATABASE_URL'), max: 2 }) });
type Tx = Parameters<Parameters<typeof prisma.$transaction>[0]>[0];

interface Context { organization_id: string; user_id: string; role: string; expires_at: Date }
// One request: one interactive transaction, authenticate first, every query on tx.
async function request<T>(token: string, work: (tx: Tx, ctx: Context) => Promise<T>): Promise<T> {
  return prisma.$transaction(async (tx) => {
    const [ctx] = await tx.$queryRaw<Context[]>`SELECT organization_id, user_id, role, expires_at FROM mycelium.authenticate(${token})`;
    check(ctx, 'authenticate returned no row');
    return work(tx, ctx);
  });
}

try {
  // 1. Tokens for seeded accounts (development only), each in its own transaction.
  const tokenFor = async (email: string) => (await prisma.$transaction((tx) =>
    tx.$queryRaw<{ token: string; user_id: string; role: string }[]>`
      SELECT token, user_id, role FROM mycelium.development_token(${org}::uuid, ${email})`))[0];
  const admin = await tokenFor(env('MYCELIUM_ADMIN_EMAIL'));
  const staff = await tokenFor(env('MYCELIUM_STAFF_EMAIL'));
  check(admin && admin.role === 'ADMIN' && admin.token, `no ADMIN token: ${JSON.stringify(admin)}`);
  check(staff && staff.token && staff.role !== 'ADMIN' && staff.role !== 'CLIENT', `not a staff member: ${staff?.role}`);
  console.log(`1. tokens: ${admin.role} ${admin.user_id}, ${staff.role} ${staff.user_id}`);

  // 2. Request A: findMany with include through the composite relation
  // (organization_id, client_id) -> clients (organization_id, id).
  const newest = await request(admin.token, async (tx, ctx) => {
    check(ctx.organization_id === org && ctx.user_id === admin.user_id && ctx.role === 'ADMIN',
          `authenticate returned ${JSON.stringify(ctx)}`);
    console.log(`2. request A: authenticated as ${ctx.role} of organization ${ctx.organization_id}, until ${ctx.expires_at.toISOString()}`);
    return tx.deliverable.findMany({
      include: { client: true, serviceType: true },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 5,
    });
  });
  check(newest.length === 5, `request A: expected 5 deliverables, got ${newest.length}`);
  for (const d of newest) {
    check(d.client && d.client.id === d.clientId && d.client.organizationId === d.organizationId,
          `request A: deliverable ${d.id} came back with client ${JSON.stringify(d.client)}`);
    check(d.serviceType && d.serviceType.id === d.serviceTypeId, `request A: deliverable ${d.id} lost its service type`);
    console.log(`   ${d.status.padEnd(12)} ${d.title} (${d.client.name})`);
  }
  // A view (Prisma's "views" preview feature): the dashboard of every client.
  const overview = await request(admin.token, (tx) => tx.clientOverview.findMany({ orderBy: { name: 'asc' } }));
  check(overview.length >= 4 && overview.every((c) => typeof c.totalDeliverables === 'bigint'),
        `request A: client_overview returned ${overview.length} rows`);
  console.log(`   view client_overview: ${overview.map((c) => `${c.name} ${c.totalDeliverables}`).join(', ')}`);

  // 3. Request B: create() a deliverable with valid custom fields; organization_id
  // and created_by_id from the context's defaults (dbgenerated in the schema),
  // due_date from the service type. Then a client without a slug, as an ADMIN.
  const fields = { deliverable_name: 'Prisma launch reel', edit_by_date: '2027-03-01',
                   dropbox_link: 'https://www.dropbox.com/home/gtg-builders/prisma' };
  const row = await request(staff.token, async (tx, ctx) => {
    check(ctx.user_id === staff.user_id, `request B: authenticate returned user ${ctx.user_id}`);
    const client = await tx.client.findFirst({ where: { slug: 'gtg-builders' } });
    const service = await tx.serviceType.findFirst({ where: { slug: 'social' } });
    check(client && service, 'request B: the staff member cannot see GTG Builders or the social service type');
    const created = await tx.deliverable.create({
      data: { clientId: client.id, serviceTypeId: service.id, title: 'Prisma launch reel', customFields: fields },
    });
    const back = await tx.deliverable.findUnique({
      where: { organizationId_id: { organizationId: created.organizationId, id: created.id } },
      include: { client: true },
    });
    check(back && back.title === 'Prisma launch reel' && isDeepStrictEqual(back.customFields, fields) && back.client.slug === 'gtg-builders',
          `request B: read back as ${JSON.stringify(back)}`);
    return created;
  });
  check(row.organizationId === org, `request B: organization_id ${row.organizationId}`);
  check(row.createdById === staff.user_id, `request B: created_by_id ${row.createdById}, not ${staff.user_id}`);
  check(row.dueDate instanceof Date, 'request B: due_date was not filled from the service type');
  console.log(`3. request B: created deliverable ${row.id}, organization_id and created_by_id from the context, due ${row.dueDate.toISOString()}`);
  const florist = await request(admin.token, (tx) => tx.client.create({ data: { name: 'Prisma Florist' } }));
  check(/^prisma-florist(-[0-9]+)?$/.test(florist.slug) && florist.organizationId === org, `request B: client ${JSON.stringify(florist)}`);
  console.log(`   created client ${florist.id} with slug ${florist.slug} from its name`);
  // create() is INSERT ... RETURNING: PostgreSQL refuses it (42501) for a row the
  // creator's policies do not let it read back. createMany() sends no RETURNING
  // and returns a count: the way to write such rows (docs/clients.md).
  const many = await request(admin.token, (tx) => tx.client.createMany({ data: [{ name: 'Prisma Nursery' }] }));
  check(many.count === 1, `request B: createMany created ${many.count} rows`);
  console.log(`   createMany (no RETURNING): ${many.count} client`);

  // 4. Request C: custom fields that break the service type's rules: 23514.
  const bad = await expectError('23514', () => request(staff.token, async (tx) => {
    const client = await tx.client.findFirstOrThrow({ where: { slug: 'gtg-builders' } });
    const service = await tx.serviceType.findFirstOrThrow({ where: { slug: 'social' } });
    await tx.deliverable.create({
      data: { clientId: client.id, serviceTypeId: service.id, title: 'Broken reel',
              customFields: { deliverable_name: 'Broken reel', edit_by_date: 'next Tuesday', dropbox_link: 'not a link' } },
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
  // @prisma/adapter-pg passes on a PostgreSQL error's code, message, detail, column and
  // hint; not its schema, table or constraint.
  console.log(`   column=${bad.column} (the pg adapter passes on no schema, table or constraint)`);

  // 5. Request D: no transaction, no context: strict mode makes it an error.
  const none = await expectError('28M01', () => prisma.deliverable.findMany({ take: 1 }));
  console.log(`5. request D: no context: ${none.code} ${none.message}`);
} catch (e) {
  const err = pgError(e);
  console.error(e);
  fail(`${err.code ?? ''} ${err.message}`);
} finally {
  await prisma.$disconnect();
}
