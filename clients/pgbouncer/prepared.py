"""What psycopg's automatic prepared statements (prepare_threshold, 5 by
default) do through PgBouncer 1.18 in transaction mode (docs/clients.md,
"Through a pooler"), made certain as in prepared.mjs: a query run often enough
on one server connection is prepared there (as _pg3_0), and when the
connection's next transaction lands on the other server connection, running it
again fails. With prepare_threshold=None nothing is prepared and it works.
Environment: PGBOUNCER_URL, MYCELIUM_ORGANIZATION_ID, MYCELIUM_ADMIN_EMAIL."""

import os
import sys

import psycopg

TAG = "pgbouncer/prepared (psycopg)"


def fail(message):
    print(f"{TAG}: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


URL = os.environ.get("PGBOUNCER_URL") or fail("PGBOUNCER_URL is not set")
QUERY = "SELECT count(*) FROM mycelium.deliverables WHERE status <> %s"


def pid_of(conn):
    return conn.execute("SELECT pg_backend_pid()").fetchone()[0]


def run(threshold):
    """Returns the SQLSTATE of the last run of QUERY (None: it worked) and the
    statements prepared on the first server connection."""
    with psycopg.connect(URL, prepare_threshold=threshold) as a, psycopg.connect(URL) as b, \
            psycopg.connect(URL) as c:
        token = a.execute("SELECT token FROM mycelium.development_token(%s, %s)",
                          (os.environ["MYCELIUM_ORGANIZATION_ID"], os.environ["MYCELIUM_ADMIN_EMAIL"])).fetchone()[0]
        a.commit()
        # b holds one server connection; a runs the query often on the other.
        held = pid_of(b)
        a.execute("SELECT mycelium.authenticate(%s)", (token,))
        first = pid_of(a)
        for _ in range(8):
            a.execute(QUERY, ("ARCHIVED",)).fetchone()
        prepared = [r[0] for r in a.execute("SELECT name FROM pg_prepared_statements ORDER BY name")]
        a.commit()
        b.commit()
        if first == held:
            fail("both connections had the same server connection: is pool_mode transaction?")
        # Another client holds that server connection; a's next transaction
        # gets the other one.
        holder = b
        if pid_of(b) != first:
            if pid_of(c) != first:
                fail("no client got the first server connection: more than two?")
            b.commit()
            holder = c
        a.execute("SELECT mycelium.authenticate(%s)", (token,))
        if pid_of(a) == first:
            fail("a got the server connection held by another client")
        try:
            a.execute(QUERY, ("ARCHIVED",)).fetchone()
            state = None
        except psycopg.Error as e:
            state = e.sqlstate
            print(f"{TAG}: prepare_threshold={threshold}: the query in a later transaction: {e.sqlstate} "
                  f"{e.diag.message_primary}", flush=True)
        a.rollback()
        holder.commit()
        return state, prepared


state, prepared = run(5)
if not any(p.startswith("_pg3_") for p in prepared):
    fail(f"psycopg prepared nothing after 8 runs (prepared: {prepared})")
if state != "26000":
    fail(f"prepare_threshold=5: expected 26000 (prepared statement does not exist), got {state or 'success'}")
state, prepared = run(None)
if prepared or state is not None:
    fail(f"prepare_threshold=None: prepared {prepared}, and the query got {state}")
print(f"{TAG}: prepare_threshold=None: nothing prepared, and the query works on either server connection", flush=True)
