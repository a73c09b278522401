// node-postgres workers through PgBouncer in transaction mode (clients/pgbouncer/run):
// one worker per account (its share of the demo's accounts), all at once, each
// making many requests over the pooler's two server connections and checking
// that every request sees its own context and its own rows, never another
// account's, and that nothing survives into the next transaction.
//   PGBOUNCER_URL, MYCELIUM_ORGANIZATION_ID, MYCELIUM_ADMIN_EMAIL: as for the handlers
//   SHARE=k/n   the accounts whose index i (by kind, then e-mail) has i % n == k
//   REQUESTS    requests per worker
import { isDeepStrictEqual } from "node:util";
import pg from "pg";

const tag = `pgbouncer/node-postgres[${process.env.SHARE}]`;
function fail(message) {
  console.error(`${tag}: FAILED: ${message}`);
  process.exit(1);
}
function check(condition, message) {
  if (!condition) fail(message);
}
const env = (name) => process.env[name] || fail(`${name} is not set`);

const org = env("MYCELIUM_ORGANIZATION_ID");
const [k, n] = env("SHARE").split("/").map(Number);
const requests = Number(env("REQUESTS"));
// Plain queries and unnamed statements only (no `name:`): see docs/clients.md.
const pool = new pg.Pool({ connectionString: env("PGBOUNCER_URL"), max: 4 });

async function request(token, work) {
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
    const { rows: [ctx] } = await c.query("SELECT * FROM mycelium.authenticate($1)", [token]);
    const result = await work(c, ctx);
    await c.query("COMMIT");
    return result;
  } catch (e) {
    await c.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

// What a request sees: who the context says it is, on which server
// connection, and every deliverable its role lets it read.
const SEEN = `SELECT pg_backend_pid() AS pid, mycelium.current_app_user_id() AS user_id,
                     mycelium.current_app_role() AS role, mycelium.current_client_id() AS client_id,
                     (SELECT count(*)::int FROM mycelium.deliverables) AS count,
                     (SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM mycelium.deliverables) AS ids,
                     (SELECT coalesce(bool_and(client_id = mycelium.current_client_id()), true)
                        FROM mycelium.deliverables) AS only_own_client`;

const tokenFor = async (email, portal) =>
  (await pool.query("SELECT token, user_id, role FROM mycelium.development_token($1, $2, $3)",
                    [org, email, portal])).rows[0];

try {
  // The accounts, as an ADMIN sees them, and this process's share.
  const admin = await tokenFor(env("MYCELIUM_ADMIN_EMAIL"), false);
  const { accounts, total } = await request(admin.token, async (c) => ({
    accounts: (await c.query(
      `SELECT email, false AS portal FROM mycelium.users WHERE status = 'ACTIVE'
       UNION ALL SELECT email, true FROM mycelium.client_users WHERE is_active
       ORDER BY portal, email`)).rows,
    total: (await c.query("SELECT count(*)::int AS n FROM mycelium.deliverables")).rows[0].n,
  }));
  const mine = accounts.filter((_, i) => i % n === k);
  check(mine.length > 0, `no accounts in share ${k}/${n} of ${accounts.length}`);

  // Each account's baseline, one request at a time, checked against its role.
  const workers = [];
  for (const a of mine) {
    const t = await tokenFor(a.email, a.portal);
    const base = await request(t.token, async (c, ctx) => ({ ctx, seen: (await c.query(SEEN)).rows[0] }));
    const { ctx, seen } = base;
    check(ctx.user_id === t.user_id && ctx.role === t.role && ctx.organization_id === org,
          `${a.email}: authenticate returned ${JSON.stringify(ctx)}`);
    check(seen.user_id === t.user_id, `${a.email}: current_app_user_id() is ${seen.user_id}`);
    if (a.portal) {
      check(ctx.role === "CLIENT" && ctx.client_id && seen.count > 0 && seen.only_own_client,
            `${a.email}: a portal user must see its own client's deliverables only`);
    } else if (ctx.role === "ADMIN") {
      check(seen.count === total, `${a.email}: an ADMIN sees ${seen.count} of ${total} deliverables`);
    } else {
      check(seen.count <= total, `${a.email}: a staff member sees ${seen.count} of ${total} deliverables`);
    }
    console.log(`${tag}: ${a.email} (${ctx.role}) sees ${seen.count} of ${total} deliverables`);
    workers.push({ email: a.email, token: t.token, userId: t.user_id, ctx, ids: seen.ids });
  }

  // All at once: every request must see exactly its own baseline.
  const usersByPid = new Map();
  let done = 0;
  let stale = 0;
  await Promise.all(workers.map(async (w) => {
    for (let i = 0; i < requests; i++) {
      const seen = await request(w.token, async (c, ctx) => {
        check(isDeepStrictEqual(ctx, w.ctx), `${w.email}: authenticate returned ${JSON.stringify(ctx)}`);
        await c.query("SELECT pg_sleep($1)", [Math.random() * 0.004]);
        const s = (await c.query(SEEN)).rows[0];
        const after = (await c.query("SELECT mycelium.current_app_user_id() AS u")).rows[0].u;
        check(after === w.userId, `${w.email}: the context changed within the transaction to ${after}`);
        return s;
      });
      check(seen.user_id === w.userId && seen.role === w.ctx.role && seen.client_id === w.ctx.client_id,
            `${w.email}: request ${i} saw the context of ${seen.user_id} (${seen.role})`);
      check(seen.ids === w.ids, `${w.email}: request ${i} saw ${seen.count} deliverables, not its own`);
      if (!usersByPid.has(seen.pid)) usersByPid.set(seen.pid, new Set());
      usersByPid.get(seen.pid).add(w.userId);
      done++;
      // Every fifth request: a transaction that relies on the previous one's
      // context. It has none: no user, and strict mode refuses the read.
      if (i % 5 === 4) {
        const c = await pool.connect();
        try {
          await c.query("BEGIN");
          await c.query("SELECT mycelium.authenticate($1)", [w.token]);
          await c.query("COMMIT");
          const { rows: [r] } = await c.query("SELECT mycelium.current_app_user_id() AS u");
          check(r.u === null, `${w.email}: the next transaction still has the context of ${r.u}`);
          try {
            await c.query("SELECT count(*) FROM mycelium.deliverables");
            fail(`${w.email}: a read after the request's commit succeeded`);
          } catch (e) {
            check(e.code === "28M01", `${w.email}: a read after the request's commit: ${e.code} ${e.message}`);
          }
          stale++;
        } finally {
          c.release();
        }
      }
    }
  }));

  const pids = [...usersByPid.keys()];
  check(pids.length <= 2, `${pids.length} server connections were used, not at most 2: ${pids.join(", ")}`);
  const shared = pids.filter((p) => usersByPid.get(p).size > 1);
  check(shared.length > 0, "no server connection served more than one account: nothing was multiplexed");
  console.log(`${tag}: ${done} requests by ${workers.length} accounts over server connections ` +
              `${pids.map((p) => `${p} (${usersByPid.get(p).size} accounts)`).join(", ")}: each saw only its own ` +
              `context and rows; ${stale} reads relying on a previous transaction's context failed with 28M01`);
} catch (e) {
  fail(`${e.code ?? ""} ${e.message}`);
} finally {
  await pool.end();
}
