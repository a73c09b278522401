"""The scripted request sequence (clients/README.md) with psycopg 3 and a
psycopg_pool.ConnectionPool: each request is
``with pool.connection() as conn, conn.transaction():`` starting with
mycelium.authenticate. Every answer is checked; anything unexpected exits 1."""

import json
import os
import sys

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool


def fail(message):
    print(f"psycopg: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def env(name):
    value = os.environ.get(name)
    if not value:
        fail(f"{name} is not set (clients/run sets it)")
    return value


ORG = env("MYCELIUM_ORGANIZATION_ID")


class Request:
    """One request: a pooled connection and one transaction on it, beginning
    with authenticate. The context ends with the transaction: never call
    conn.commit() inside the block."""

    def __init__(self, pool, token):
        self.pool, self.token = pool, token

    def __enter__(self):
        self._conn_cm = self.pool.connection()
        conn = self._conn_cm.__enter__()
        self._tx_cm = conn.transaction()
        self._tx_cm.__enter__()
        context = conn.execute("SELECT * FROM mycelium.authenticate(%s)", (self.token,)).fetchone()
        return conn, context

    def __exit__(self, *exc):
        try:
            self._tx_cm.__exit__(*exc)
        finally:
            self._conn_cm.__exit__(*exc)
        return False


def expect_error(sqlstate, fn):
    try:
        fn()
    except psycopg.Error as e:
        check(e.sqlstate == sqlstate, f"expected SQLSTATE {sqlstate}, got {e.sqlstate}: {e}")
        return e
    fail(f"expected SQLSTATE {sqlstate}, but the statement succeeded")


def main():
    # Rows as dicts; prepare_threshold=None: no server-side prepared statements,
    # so that the same code works through PgBouncer in transaction mode
    # (docs/clients.md, "Through a pooler").
    with ConnectionPool(env("DATABASE_URL"), min_size=1, max_size=4,
                        kwargs={"row_factory": dict_row, "prepare_threshold": None}) as pool:
        pool.wait()

        # 1. A token per user, each in a transaction of its own (development only).
        def token_for(email):
            with pool.connection() as conn:
                return conn.execute("SELECT token, user_id, role FROM mycelium.development_token(%s, %s)",
                                    (ORG, email)).fetchone()

        admin = token_for(env("MYCELIUM_ADMIN_EMAIL"))
        staff = token_for(env("MYCELIUM_STAFF_EMAIL"))
        check(admin["role"] == "ADMIN" and admin["token"], f"no ADMIN token: {admin}")
        check(staff["role"] not in ("ADMIN", "CLIENT"), f"not a staff member: {staff['role']}")
        print(f"1. tokens: {admin['role']} {admin['user_id']}, {staff['role']} {staff['user_id']}")

        # 2. Request A: who am I, and the organization's newest deliverables.
        with Request(pool, admin["token"]) as (conn, ctx):
            check(str(ctx["organization_id"]) == ORG and ctx["user_id"] == admin["user_id"]
                  and ctx["role"] == "ADMIN", f"authenticate returned {ctx}")
            print(f"2. request A: authenticated as {ctx['role']} of organization {ctx['organization_id']}, "
                  f"until {ctx['expires_at'].isoformat()}")
            newest = conn.execute("SELECT title, status FROM mycelium.deliverables "
                                  "ORDER BY created_at DESC, id DESC LIMIT 5").fetchall()
        check(len(newest) == 5, f"request A: expected 5 deliverables, got {len(newest)}")
        for d in newest:
            print(f"   {d['status']:<12} {d['title']}")

        # A PostgreSQL array column (clients.tags is text[]) takes a list as is.
        with Request(pool, admin["token"]) as (conn, _):
            tags = conn.execute("UPDATE mycelium.clients SET tags = %s WHERE slug = 'ort-farms' RETURNING tags",
                                (["farm", "seasonal"],)).fetchone()["tags"]
        check(tags == ["farm", "seasonal"], f"clients.tags read back as {tags}")
        print(f"   a list into text[] (clients.tags) as is: {tags}")

        # 3. Request B: a deliverable with valid custom fields and an attachment;
        # organization_id and created_by_id come from the context, due_date from
        # the service type. jsonb values, objects and arrays alike, go in as
        # Jsonb(value): psycopg adapts no dict, and a list as a PostgreSQL array.
        fields = {"deliverable_name": "Autumn catalogue reel", "edit_by_date": "2027-09-01",
                  "dropbox_link": "https://www.dropbox.com/home/gtg-builders/autumn"}
        attachments = [{"name": "storyboard.pdf", "url": "https://files.example.com/storyboard.pdf",
                        "size": 120400, "content_type": "application/pdf"}]
        with Request(pool, staff["token"]) as (conn, ctx):
            check(ctx["user_id"] == staff["user_id"], f"request B: authenticate returned user {ctx['user_id']}")
            ids = conn.execute("SELECT c.id AS client_id, st.id AS service_type_id "
                               "FROM mycelium.clients c, mycelium.service_types st "
                               "WHERE c.slug = 'gtg-builders' AND st.slug = 'social'").fetchone()
            check(ids, "request B: the staff member cannot see GTG Builders or the social service type")
            row = conn.execute(
                "INSERT INTO mycelium.deliverables (client_id, service_type_id, title, custom_fields, attachments) "
                "VALUES (%s, %s, %s, %s, %s) "
                "RETURNING id, organization_id, created_by_id, due_date",
                (ids["client_id"], ids["service_type_id"], "Autumn catalogue reel", Jsonb(fields),
                 Jsonb(attachments))).fetchone()
            back = conn.execute("SELECT title, custom_fields, attachments FROM mycelium.deliverables WHERE id = %s",
                                (row["id"],)).fetchone()
        check(str(row["organization_id"]) == ORG, f"request B: organization_id {row['organization_id']}")
        check(row["created_by_id"] == staff["user_id"], f"request B: created_by_id {row['created_by_id']}")
        check(row["due_date"] is not None, "request B: due_date was not filled from the service type")
        check(back and back["title"] == "Autumn catalogue reel", "request B: the deliverable does not read back")
        check(back["custom_fields"] == fields, f"request B: custom_fields read back as {back['custom_fields']}")
        check(back["attachments"] == attachments, f"request B: attachments read back as {back['attachments']}")
        print(f"3. request B: created {row['id']}, organization_id and created_by_id from the context, "
              f"due {row['due_date'].isoformat()}, 1 attachment")

        # Without Jsonb: a list of dicts cannot be adapted at all, and a list of
        # strings is sent as an array literal, {brief.pdf}, which is not JSON
        # (22P02). Checked so that docs/clients.md
        # stays true.
        def raw(value):
            with Request(pool, staff["token"]) as (conn, _):
                conn.execute("UPDATE mycelium.deliverables SET attachments = %s WHERE id = %s", (value, row["id"]))

        try:
            raw(attachments)
            fail("a list of dicts passed as is into jsonb was accepted")
        except psycopg.ProgrammingError as e:
            check(e.sqlstate is None, f"a list of dicts: expected psycopg to refuse it, got {e.sqlstate}: {e}")
            print(f"   a list of dicts as is into jsonb: {type(e).__name__}: {e}")
        e = expect_error("22P02", lambda: raw(["brief.pdf"]))
        print(f"   a list of strings as is into jsonb: {e.sqlstate} {e.diag.message_primary}; Jsonb(value) works")

        # 4. Request C: custom fields that break the service type's rules: 23514,
        # with the problems as JSON in DETAIL and the error fields in e.diag.
        def broken():
            with Request(pool, staff["token"]) as (conn, _):
                conn.execute("INSERT INTO mycelium.deliverables (client_id, service_type_id, title, custom_fields) "
                             "SELECT c.id, st.id, 'Broken reel', %s "
                             "FROM mycelium.clients c, mycelium.service_types st "
                             "WHERE c.slug = 'gtg-builders' AND st.slug = 'social'",
                             (Jsonb({"deliverable_name": "Broken reel", "edit_by_date": "2027-02-30",
                                     "dropbox_link": "ftp://files.example.com/x"}),))

        bad = expect_error("23514", broken)
        try:
            detail = json.loads(bad.diag.message_detail)
        except (TypeError, ValueError):
            fail(f"request C: DETAIL is not JSON: {bad.diag.message_detail}")
        print(f"4. request C: {bad.sqlstate} {bad.diag.message_primary}")
        print(f"   DETAIL: {json.dumps(detail, ensure_ascii=False)}")
        print(f"   schema={bad.diag.schema_name} table={bad.diag.table_name} column={bad.diag.column_name} "
              f"constraint={bad.diag.constraint_name}")
        check(isinstance(detail, list) and len(detail) == 2, "request C: expected 2 problem(s) in DETAIL")
        check((bad.diag.schema_name, bad.diag.table_name, bad.diag.column_name, bad.diag.constraint_name)
              == ("mycelium", "deliverables", "custom_fields", "deliverables_custom_fields_valid"),
              "request C: the error does not name its table and column")

        # 5. Request D: a read with no context at all (on a connection of its
        # own, no authenticate) under strict mode: 28M01, not an empty answer.
        def no_context():
            with pool.connection() as conn:
                conn.execute("SELECT count(*) FROM mycelium.deliverables").fetchone()

        none = expect_error("28M01", no_context)
        print(f"5. request D: no context: {none.sqlstate} {none.diag.message_primary}")

        # And the mistake strict mode makes loud: a commit() in the
        # middle of a request ends the context, and the next statement fails
        # with 28M01 instead of seeing no rows.
        def commit_midway():
            with pool.connection() as conn:
                conn.execute("SELECT mycelium.authenticate(%s)", (staff["token"],))
                conn.commit()
                conn.execute("SELECT count(*) FROM mycelium.deliverables").fetchone()

        midway = expect_error("28M01", commit_midway)
        print(f"   a commit() midway through a request, then a read: {midway.sqlstate} {midway.diag.message_primary}")


if __name__ == "__main__":
    try:
        main()
    except psycopg.Error as e:
        fail(f"{e.sqlstate} {e}")
