// What node-postgres's named statements do through PgBouncer 1.18 in
// transaction mode (docs/clients.md, "Through a pooler"), made certain: a
// second client holds one of the two server connections while a named
// statement is prepared on the other, then that one is held and the statement
// run again. node-postgres prepares a name once per client connection (Parse
// only the first time), so the second run lands on a server connection that
// never saw it, and another client preparing the same name on the first one is
// refused because it exists there. Unnamed statements (the default for a parameterized query) are
// parsed again every time and always work.
//   PGBOUNCER_URL, MYCELIUM_ORGANIZATION_ID, MYCELIUM_ADMIN_EMAIL
import pg from "pg";

const tag = "pgbouncer/prepared (node-postgres)";
function fail(message) {
  console.error(`${tag}: FAILED: ${message}`);
  process.exit(1);
}
const url = process.env.PGBOUNCER_URL || fail("PGBOUNCER_URL is not set");
const a = new pg.Client({ connectionString: url });
const b = new pg.Client({ connectionString: url });
const c = new pg.Client({ connectionString: url });
await a.connect();
await b.connect();
await c.connect();
try {
  const { rows: [t] } = await a.query("SELECT token FROM mycelium.development_token($1, $2)",
                                      [process.env.MYCELIUM_ORGANIZATION_ID, process.env.MYCELIUM_ADMIN_EMAIL]);
  const named = { name: "my_deliverables", text: "SELECT count(*) FROM mycelium.deliverables WHERE status <> $1",
                  values: ["ARCHIVED"] };
  const pidOf = async (c) => (await c.query("SELECT pg_backend_pid() AS p")).rows[0].p;

  // b holds a server connection; a prepares and runs the statement on the other.
  await b.query("BEGIN");
  const held = await pidOf(b);
  await a.query("BEGIN");
  await a.query("SELECT mycelium.authenticate($1)", [t.token]);
  const first = await pidOf(a);
  await a.query(named);
  await a.query("COMMIT");
  await b.query("COMMIT");
  if (first === held) fail("both clients had the same server connection: is pool_mode transaction?");

  // Now another client holds the connection a prepared on (c takes the other
  // one while b looks for it), and a runs the statement again.
  await b.query("BEGIN");
  let holder = b;
  if ((await pidOf(b)) !== first) {
    await c.query("BEGIN");
    if ((await pidOf(c)) !== first) fail("no client got the first server connection: more than two?");
    await b.query("COMMIT");
    holder = c;
  }
  // The holder, which never prepared the name, is refused too: the server
  // connection has a's statement of that name.
  let holderCode = null;
  await holder.query("SELECT mycelium.authenticate($1)", [t.token]);
  try {
    await holder.query(named);
  } catch (e) {
    holderCode = e.code;
    console.log(`${tag}: another client preparing the same name there: ${e.code} ${e.message}`);
  }
  if (holderCode !== "42P05") fail(`expected 42P05 (prepared statement already exists), got ${holderCode ?? "success"}`);
  await a.query("BEGIN");
  await a.query("SELECT mycelium.authenticate($1)", [t.token]);
  if ((await pidOf(a)) === first) fail("a got the server connection held by another client");
  let code = null;
  try {
    await a.query(named);
  } catch (e) {
    code = e.code;
    console.log(`${tag}: a named statement run again in a later transaction: ${e.code} ${e.message}`);
  }
  await a.query("ROLLBACK");
  if (code !== "26000") fail(`expected 26000 (prepared statement does not exist), got ${code ?? "success"}`);

  // The same query unnamed works on whichever connection it lands.
  await a.query("BEGIN");
  await a.query("SELECT mycelium.authenticate($1)", [t.token]);
  await a.query(named.text, named.values);
  await a.query("COMMIT");
  await holder.query("COMMIT");
  console.log(`${tag}: the same statement unnamed works`);
} finally {
  await a.end();
  await b.end();
  await c.end();
}
