// The scripted request sequence (clients/README.md) with node-postgres: a Pool,
// and for each request one client taken from it, BEGIN, authenticate, the
// request's statements, COMMIT (ROLLBACK on error), release. Every answer is
// checked; anything unexpected exits 1.
import { isDeepStrictEqual } from "node:util";
import pg from "pg";

const env = (name) => {
  const v = process.env[name];
  if (!v) fail(`${name} is not set (clients/run sets it)`);
  return v;
};
function fail(message) {
  console.error(`node-postgres: FAILED: ${message}`);
  process.exit(1);
}
function check(condition, message) {
  if (!condition) fail(message);
}

const org = env("MYCELIUM_ORGANIZATION_ID");
const pool = new pg.Pool({ connectionString: env("DATABASE_URL"), max: 4 });

// One request = one transaction on one client, starting with authenticate.
// pool.query() may run each call on another connection: never for tenant data.
async function request(token, work) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const { rows: [context] } = await client.query("SELECT * FROM mycelium.authenticate($1)", [token]);
    const result = await work(client, context);
    await client.query("COMMIT");
    return result;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

// Expects fn to fail with the SQLSTATE; returns the error.
async function expectError(code, fn) {
  try {
    await fn();
  } catch (e) {
    check(e.code === code, `expected SQLSTATE ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  fail(`expected SQLSTATE ${code}, but the statement succeeded`);
}

try {
  // 1. A token per user, each in a transaction of its own (development only).
  const tokenFor = async (email) =>
    (await pool.query("SELECT token, user_id, role FROM mycelium.development_token($1, $2)", [org, email])).rows[0];
  const admin = await tokenFor(env("MYCELIUM_ADMIN_EMAIL"));
  const staff = await tokenFor(env("MYCELIUM_STAFF_EMAIL"));
  check(admin.role === "ADMIN" && typeof admin.token === "string", `no ADMIN token: ${JSON.stringify(admin)}`);
  check(staff.role !== "ADMIN" && staff.role !== "CLIENT", `not a staff member: ${staff.role}`);
  console.log(`1. tokens: ${admin.role} ${admin.user_id}, ${staff.role} ${staff.user_id}`);

  // 2. Request A: who am I, and the organization's newest deliverables.
  const newest = await request(admin.token, async (c, ctx) => {
    check(ctx.organization_id === org && ctx.user_id === admin.user_id && ctx.role === "ADMIN",
          `authenticate returned ${JSON.stringify(ctx)}`);
    console.log(`2. request A: authenticated as ${ctx.role} of organization ${ctx.organization_id}, until ${ctx.expires_at.toISOString()}`);
    const { rows } = await c.query(
      "SELECT title, status FROM mycelium.deliverables ORDER BY created_at DESC, id DESC LIMIT 5");
    return rows;
  });
  check(newest.length === 5, `request A: expected 5 deliverables, got ${newest.length}`);
  for (const d of newest) console.log(`   ${d.status.padEnd(12)} ${d.title}`);

  // A PostgreSQL array column (clients.tags is text[]) takes a JS array as is.
  const tags = await request(admin.token, async (c) =>
    (await c.query("UPDATE mycelium.clients SET tags = $1 WHERE slug = 'gtg-builders' RETURNING tags",
                   [["construction", "video"]])).rows[0].tags);
  check(isDeepStrictEqual(tags, ["construction", "video"]), `clients.tags read back as ${JSON.stringify(tags)}`);
  console.log(`   a JS array into text[] (clients.tags) as is: ${JSON.stringify(tags)}`);

  // 3. Request B: a deliverable with valid custom fields and an attachment;
  // organization_id and created_by_id come from the context, due_date from the
  // service type. A jsonb array column takes JSON.stringify(array): a JS array
  // as such is sent as a PostgreSQL array literal (see below).
  const fields = { deliverable_name: "Spring launch reel", edit_by_date: "2027-03-01",
                   dropbox_link: "https://www.dropbox.com/home/gtg-builders/spring" };
  const attachments = [{ name: "brief.pdf", url: "https://files.example.com/brief.pdf", size: 48213,
                         content_type: "application/pdf" }];
  const created = await request(staff.token, async (c, ctx) => {
    check(ctx.user_id === staff.user_id, `request B: authenticate returned user ${ctx.user_id}`);
    const { rows: [ids] } = await c.query(
      `SELECT c.id AS client_id, st.id AS service_type_id
         FROM mycelium.clients c, mycelium.service_types st
        WHERE c.slug = 'gtg-builders' AND st.slug = 'social'`);
    check(ids, "request B: the staff member cannot see GTG Builders or the social service type");
    const { rows: [row] } = await c.query(
      `INSERT INTO mycelium.deliverables (client_id, service_type_id, title, custom_fields, attachments)
       VALUES ($1, $2, $3, $4, $5)
       RETURNING id, organization_id, created_by_id, due_date, custom_fields, attachments`,
      [ids.client_id, ids.service_type_id, "Spring launch reel", fields, JSON.stringify(attachments)]);
    const { rows: [back] } = await c.query(
      "SELECT title, custom_fields, attachments FROM mycelium.deliverables WHERE id = $1", [row.id]);
    return { row, back };
  });
  const { row, back } = created;
  check(row.organization_id === org, `request B: organization_id ${row.organization_id}`);
  check(row.created_by_id === staff.user_id, `request B: created_by_id ${row.created_by_id}, not ${staff.user_id}`);
  check(row.due_date instanceof Date, "request B: due_date was not filled from the service type");
  check(back && back.title === "Spring launch reel", "request B: the deliverable does not read back");
  check(isDeepStrictEqual(back.custom_fields, fields),
        `request B: custom_fields read back as ${JSON.stringify(back.custom_fields)}`);
  check(isDeepStrictEqual(back.attachments, attachments),
        `request B: attachments read back as ${JSON.stringify(back.attachments)}`);
  console.log(`3. request B: created ${row.id}, organization_id and created_by_id from the context, ` +
              `due ${row.due_date.toISOString()}, 1 attachment`);

  // The same array passed as is: node-postgres turns a JS array into an array
  // literal ({"{\"name\":...}"}), which is not JSON (22P02). Checked so that
  // docs/clients.md stays true.
  const raw = await expectError("22P02", () => request(staff.token, (c) =>
    c.query("UPDATE mycelium.deliverables SET attachments = $1 WHERE id = $2", [attachments, row.id])));
  console.log(`   a JS array as is into jsonb: ${raw.code} ${raw.message}; JSON.stringify(array) works`);

  // 4. Request C: custom fields that break the service type's rules: 23514,
  // with the problems as JSON in DETAIL and the error fields.
  const bad = await expectError("23514", () => request(staff.token, (c) =>
    c.query(`INSERT INTO mycelium.deliverables (client_id, service_type_id, title, custom_fields)
             SELECT c.id, st.id, 'Broken reel', $1
               FROM mycelium.clients c, mycelium.service_types st
              WHERE c.slug = 'gtg-builders' AND st.slug = 'social'`,
            [{ deliverable_name: "Broken reel", edit_by_date: "next Tuesday", dropbox_link: "not a link" }])));
  let detail;
  try {
    detail = JSON.parse(bad.detail);
  } catch {
    fail(`request C: DETAIL is not JSON: ${bad.detail}`);
  }
  console.log(`4. request C: ${bad.code} ${bad.message}`);
  console.log(`   DETAIL: ${JSON.stringify(detail)}`);
  console.log(`   schema=${bad.schema} table=${bad.table} column=${bad.column} constraint=${bad.constraint}`);
  check(Array.isArray(detail) && detail.length === 2, `request C: expected two problems in DETAIL`);
  check(bad.schema === "mycelium" && bad.table === "deliverables" && bad.column === "custom_fields" &&
        bad.constraint === "deliverables_custom_fields_valid", "request C: the error does not name its table and column");

  // 5. Request D: no context (a statement outside any request's transaction)
  // under strict mode: 28M01, not an empty answer.
  const none = await expectError("28M01", () => pool.query("SELECT count(*) FROM mycelium.deliverables"));
  console.log(`5. request D: no context: ${none.code} ${none.message}`);
} catch (e) {
  fail(`${e.code ?? ""} ${e.message}`);
} finally {
  await pool.end();
}
