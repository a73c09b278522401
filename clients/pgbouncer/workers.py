"""psycopg 3 workers through PgBouncer in transaction mode (clients/pgbouncer/run):
one thread per account (its share of the demo's accounts), all at once over a
psycopg_pool.ConnectionPool, each making many requests over the pooler's two
server connections and checking that every request sees its own context and
its own rows, never another account's, and that nothing survives into the next
transaction. Environment as for workers.mjs (PGBOUNCER_URL, SHARE, REQUESTS...)."""

import os
import random
import sys
import threading

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

TAG = f"pgbouncer/psycopg[{os.environ.get('SHARE')}]"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def env(name):
    value = os.environ.get(name)
    if not value:
        print(f"{TAG}: FAILED: {name} is not set", file=sys.stderr)
        sys.exit(1)
    return value


ORG = env("MYCELIUM_ORGANIZATION_ID")
K, N = (int(x) for x in env("SHARE").split("/"))
REQUESTS = int(env("REQUESTS"))

# What a request sees (as in workers.mjs).
SEEN = """SELECT pg_backend_pid() AS pid, mycelium.current_app_user_id() AS user_id,
                 mycelium.current_app_role() AS role, mycelium.current_client_id() AS client_id,
                 (SELECT count(*)::int FROM mycelium.deliverables) AS count,
                 (SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM mycelium.deliverables) AS ids,
                 (SELECT coalesce(bool_and(client_id = mycelium.current_client_id()), true)
                    FROM mycelium.deliverables) AS only_own_client"""


def main():
    # prepare_threshold=None: psycopg would otherwise prepare a statement run
    # five times on a connection, and PgBouncer 1.18 in transaction mode does
    # not keep prepared statements (docs/clients.md, "Through a pooler").
    with ConnectionPool(env("PGBOUNCER_URL"), min_size=4, max_size=4,
                        kwargs={"row_factory": dict_row, "prepare_threshold": None}) as pool:
        pool.wait()

        def token_for(email, portal):
            with pool.connection() as conn:
                return conn.execute("SELECT token, user_id, role FROM mycelium.development_token(%s, %s, %s)",
                                    (ORG, email, portal)).fetchone()

        def request(token, work):
            with pool.connection() as conn, conn.transaction():
                ctx = conn.execute("SELECT * FROM mycelium.authenticate(%s)", (token,)).fetchone()
                return work(conn, ctx)

        admin = token_for(env("MYCELIUM_ADMIN_EMAIL"), False)
        accounts, total = request(admin["token"], lambda c, _: (
            c.execute("SELECT email, false AS portal FROM mycelium.users WHERE status = 'ACTIVE' "
                      "UNION ALL SELECT email, true FROM mycelium.client_users WHERE is_active "
                      "ORDER BY portal, email").fetchall(),
            c.execute("SELECT count(*)::int AS n FROM mycelium.deliverables").fetchone()["n"]))
        mine = [a for i, a in enumerate(accounts) if i % N == K]
        check(mine, f"no accounts in share {K}/{N} of {len(accounts)}")

        workers = []
        for a in mine:
            t = token_for(a["email"], a["portal"])
            ctx, seen = request(t["token"], lambda c, ctx: (ctx, c.execute(SEEN).fetchone()))
            check(ctx["user_id"] == t["user_id"] and ctx["role"] == t["role"] and str(ctx["organization_id"]) == ORG,
                  f"{a['email']}: authenticate returned {ctx}")
            check(seen["user_id"] == t["user_id"], f"{a['email']}: current_app_user_id() is {seen['user_id']}")
            if a["portal"]:
                check(ctx["role"] == "CLIENT" and ctx["client_id"] and seen["count"] > 0 and seen["only_own_client"],
                      f"{a['email']}: a portal user must see its own client's deliverables only")
            elif ctx["role"] == "ADMIN":
                check(seen["count"] == total, f"{a['email']}: an ADMIN sees {seen['count']} of {total} deliverables")
            else:
                check(seen["count"] <= total, f"{a['email']}: a staff member sees {seen['count']} of {total}")
            print(f"{TAG}: {a['email']} ({ctx['role']}) sees {seen['count']} of {total} deliverables", flush=True)
            workers.append({"email": a["email"], "token": t["token"], "user_id": t["user_id"], "ctx": ctx,
                            "ids": seen["ids"]})

        users_by_pid = {}
        counts = {"done": 0, "stale": 0}
        lock = threading.Lock()
        errors = []

        def work(w):
            def one(conn, ctx):
                check(ctx == w["ctx"], f"{w['email']}: authenticate returned {ctx}")
                conn.execute("SELECT pg_sleep(%s)", (random.random() * 0.004,))
                s = conn.execute(SEEN).fetchone()
                after = conn.execute("SELECT mycelium.current_app_user_id() AS u").fetchone()["u"]
                check(after == w["user_id"], f"{w['email']}: the context changed within the transaction to {after}")
                return s

            try:
                for i in range(REQUESTS):
                    seen = request(w["token"], one)
                    check(seen["user_id"] == w["user_id"] and seen["role"] == w["ctx"]["role"]
                          and seen["client_id"] == w["ctx"]["client_id"],
                          f"{w['email']}: request {i} saw the context of {seen['user_id']} ({seen['role']})")
                    check(seen["ids"] == w["ids"], f"{w['email']}: request {i} saw {seen['count']} deliverables, "
                                                   "not its own")
                    with lock:
                        users_by_pid.setdefault(seen["pid"], set()).add(w["user_id"])
                        counts["done"] += 1
                    if i % 5 == 4:
                        # A transaction that relies on the previous one's context.
                        with pool.connection() as conn:
                            with conn.transaction():
                                conn.execute("SELECT mycelium.authenticate(%s)", (w["token"],))
                            with conn.transaction():
                                u = conn.execute("SELECT mycelium.current_app_user_id() AS u").fetchone()["u"]
                            check(u is None, f"{w['email']}: the next transaction still has the context of {u}")
                            try:
                                with conn.transaction():
                                    conn.execute("SELECT count(*) FROM mycelium.deliverables").fetchone()
                                raise Failure(f"{w['email']}: a read after the request's commit succeeded")
                            except psycopg.Error as e:
                                check(e.sqlstate == "28M01",
                                      f"{w['email']}: a read after the request's commit: {e.sqlstate} {e}")
                        with lock:
                            counts["stale"] += 1
            except (Failure, psycopg.Error) as e:
                errors.append(f"{w['email']}: {e}")

        threads = [threading.Thread(target=work, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check(not errors, "; ".join(errors))

        pids = sorted(users_by_pid)
        check(len(pids) <= 2, f"{len(pids)} server connections were used, not at most 2: {pids}")
        check(any(len(users_by_pid[p]) > 1 for p in pids),
              "no server connection served more than one account: nothing was multiplexed")
        served = ", ".join(f"{p} ({len(users_by_pid[p])} accounts)" for p in pids)
        print(f"{TAG}: {counts['done']} requests by {len(workers)} accounts over server connections {served}: "
              f"each saw only its own context and rows; {counts['stale']} reads relying on a previous "
              "transaction's context failed with 28M01", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"{TAG}: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
    except psycopg.Error as e:
        print(f"{TAG}: FAILED: {e.sqlstate} {e}", file=sys.stderr)
        sys.exit(1)
