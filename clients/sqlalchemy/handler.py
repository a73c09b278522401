"""The scripted request sequence (clients/README.md) with SQLAlchemy 1.4's ORM
(2.0 style, future=True) over psycopg2: declarative models of the tables it
reads, and for each request a Session and one transaction,
``with Session(engine) as session, session.begin():``, starting with
mycelium.authenticate. Every answer is checked; anything unexpected exits 1."""

import json
import os
import sys

import sqlalchemy
from sqlalchemy import (Boolean, Column, DateTime, FetchedValue, ForeignKeyConstraint, Text, and_, bindparam,
                        create_engine, select, text)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, declarative_base, foreign, relationship, selectinload


def fail(message):
    print(f"sqlalchemy: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def env(name):
    value = os.environ.get(name)
    if not value:
        fail(f"{name} is not set (clients/run sets it)")
    return value


Base = declarative_base()
# Columns the database fills (defaults from the context, triggers) are marked
# FetchedValue(): SQLAlchemy leaves them out of the INSERT and reads them back
# with RETURNING (eager_defaults).
DB = dict(server_default=FetchedValue())


class User(Base):
    __tablename__ = "users"
    __table_args__ = {"schema": "mycelium"}
    organization_id = Column(UUID(as_uuid=False), primary_key=True)
    id = Column(UUID(as_uuid=False), primary_key=True, **DB)
    email = Column(Text, nullable=False)
    name = Column(Text, nullable=False)
    role = Column(Text, nullable=False)
    status = Column(Text, nullable=False)


class Client(Base):
    __tablename__ = "clients"
    __table_args__ = {"schema": "mycelium"}
    organization_id = Column(UUID(as_uuid=False), primary_key=True, **DB)
    id = Column(UUID(as_uuid=False), primary_key=True, **DB)
    name = Column(Text, nullable=False)
    slug = Column(Text, nullable=False, **DB)


class ServiceType(Base):
    __tablename__ = "service_types"
    __table_args__ = {"schema": "mycelium"}
    organization_id = Column(UUID(as_uuid=False), primary_key=True, **DB)
    id = Column(UUID(as_uuid=False), primary_key=True, **DB)
    name = Column(Text, nullable=False)
    slug = Column(Text, nullable=False, **DB)
    is_active = Column(Boolean, nullable=False, **DB)


class Deliverable(Base):
    __tablename__ = "deliverables"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "client_id"], ["mycelium.clients.organization_id", "mycelium.clients.id"]),
        ForeignKeyConstraint(["organization_id", "service_type_id"],
                             ["mycelium.service_types.organization_id", "mycelium.service_types.id"]),
        {"schema": "mycelium"},
    )
    __mapper_args__ = {"eager_defaults": True}
    organization_id = Column(UUID(as_uuid=False), primary_key=True, **DB)
    id = Column(UUID(as_uuid=False), primary_key=True, **DB)
    client_id = Column(UUID(as_uuid=False), nullable=False)
    service_type_id = Column(UUID(as_uuid=False), nullable=False)
    title = Column(Text, nullable=False)
    status = Column(Text, nullable=False, **DB)
    created_by_id = Column(UUID(as_uuid=False), nullable=False, **DB)
    due_date = Column(DateTime(timezone=True), **DB)
    # JSONB: SQLAlchemy sends dicts and lists alike as JSON.
    custom_fields = Column(JSONB)
    attachments = Column(JSONB)
    created_at = Column(DateTime(timezone=True), nullable=False, **DB)
    # Through the composite foreign keys; read only (organization_id is shared
    # by both keys, and set by the database).
    client = relationship(Client, viewonly=True, primaryjoin=and_(
        foreign(organization_id) == Client.organization_id, foreign(client_id) == Client.id))
    service_type = relationship(ServiceType, viewonly=True, primaryjoin=and_(
        foreign(organization_id) == ServiceType.organization_id, foreign(service_type_id) == ServiceType.id))


def authenticate(session, token):
    """The first statement of every request's transaction: the context it sets."""
    return session.execute(text("SELECT * FROM mycelium.authenticate(:token)"), {"token": token}).mappings().one()


def sqlstate(e):
    return getattr(e.orig, "pgcode", None)


def expect_error(code, fn):
    try:
        fn()
    except DBAPIError as e:
        check(sqlstate(e) == code, f"expected SQLSTATE {code}, got {sqlstate(e)}: {e.orig}")
        return e.orig
    fail(f"expected SQLSTATE {code}, but the statement succeeded")


def main():
    org = env("MYCELIUM_ORGANIZATION_ID")
    url = env("DATABASE_URL").replace("postgresql://", "postgresql+psycopg2://", 1)
    engine = create_engine(url, future=True, pool_size=4)

    # 1. A token per user, each in a transaction of its own (development only).
    def token_for(email):
        with Session(engine) as session, session.begin():
            return session.execute(text("SELECT token, user_id, role FROM mycelium.development_token(:o, :e)"),
                                   {"o": org, "e": email}).mappings().one()

    admin = token_for(env("MYCELIUM_ADMIN_EMAIL"))
    staff = token_for(env("MYCELIUM_STAFF_EMAIL"))
    check(admin["role"] == "ADMIN" and admin["token"], f"no ADMIN token: {dict(admin)}")
    check(staff["role"] not in ("ADMIN", "CLIENT"), f"not a staff member: {staff['role']}")
    print(f"1. tokens: {admin['role']} {admin['user_id']}, {staff['role']} {staff['user_id']}")

    # 2. Request A: who am I (select(User) works: no secret column in users),
    # and the organization's newest deliverables with their clients.
    # expire_on_commit=False: the objects are read after the transaction.
    with Session(engine, expire_on_commit=False) as session, session.begin():
        ctx = authenticate(session, admin["token"])
        check(str(ctx["organization_id"]) == org and str(ctx["user_id"]) == str(admin["user_id"])
              and ctx["role"] == "ADMIN", f"authenticate returned {dict(ctx)}")
        me = session.scalars(select(User).where(User.id == str(ctx["user_id"]))).one()
        newest = session.scalars(select(Deliverable).options(selectinload(Deliverable.client))
                                 .order_by(Deliverable.created_at.desc(), Deliverable.id.desc()).limit(5)).all()
    print(f"2. request A: authenticated as {ctx['role']} ({me.name}) of organization {ctx['organization_id']}, "
          f"until {ctx['expires_at'].isoformat()}")
    check(len(newest) == 5, f"request A: expected 5 deliverables, got {len(newest)}")
    for d in newest:
        check(d.client is not None and d.client.id == d.client_id, f"request A: {d.title} has no client")
        print(f"   {d.status:<12} {d.title} ({d.client.name})")

    # psycopg2, SQLAlchemy 1.4's driver here, splices parameters into the
    # statement text: until the session's next statement, another session of
    # the same role reads the token in pg_stat_activity (docs/clients.md).
    with Session(engine) as session, session.begin():
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        authenticate(session, admin["token"])
        with engine.connect() as other:
            shown = other.execute(text("SELECT query FROM pg_stat_activity WHERE pid = :p"), {"p": pid}).scalar_one()
    check(admin["token"] in shown, f"the token is not in the statement text pg_stat_activity shows: {shown}")
    print("   psycopg2 splices the token into the statement text, which other sessions of the role can read")

    # 3. Request B: a deliverable with valid custom fields and an attachment;
    # organization_id and created_by_id come from the context, due_date from
    # the service type.
    fields = {"deliverable_name": "Open house reel", "edit_by_date": "2027-04-15",
              "dropbox_link": "https://www.dropbox.com/home/gtg-builders/open-house"}
    attachments = [{"name": "shot-list.txt", "url": "https://files.example.com/shot-list.txt",
                    "size": 2048, "content_type": "text/plain; charset=utf-8"}]
    with Session(engine, expire_on_commit=False) as session, session.begin():
        ctx = authenticate(session, staff["token"])
        check(str(ctx["user_id"]) == str(staff["user_id"]), f"request B: authenticate returned {dict(ctx)}")
        client = session.scalars(select(Client).where(Client.slug == "gtg-builders")).one()
        service = session.scalars(select(ServiceType).where(ServiceType.slug == "social")).one()
        d = Deliverable(client_id=client.id, service_type_id=service.id, title="Open house reel",
                        custom_fields=fields, attachments=attachments)
        session.add(d)
        session.flush()
        created = d.id
        # In a text() statement, a list bound as JSONB goes in as JSON too (as
        # is, psycopg2 would send it as an ARRAY).
        session.execute(text("UPDATE mycelium.deliverables SET attachments = :a WHERE id = :id")
                        .bindparams(bindparam("a", type_=JSONB)), {"a": attachments + attachments, "id": created})
        # Read back from the database, not from the session's identity map.
        session.expunge(d)
        back = session.scalars(select(Deliverable).where(Deliverable.id == created)).one()
    check(back.organization_id == org, f"request B: organization_id {back.organization_id}")
    check(back.created_by_id == str(staff["user_id"]), f"request B: created_by_id {back.created_by_id}")
    check(back.due_date is not None, "request B: due_date was not filled from the service type")
    check(back.custom_fields == fields, f"request B: custom_fields read back as {back.custom_fields}")
    check(back.attachments == attachments + attachments, f"request B: attachments read back as {back.attachments}")
    # The same without the JSONB type: psycopg2 sends ARRAY[...], a text[].
    def untyped():
        with Session(engine) as session, session.begin():
            authenticate(session, staff["token"])
            session.execute(text("UPDATE mycelium.deliverables SET attachments = :a WHERE id = :id"),
                            {"a": ["shot-list.txt"], "id": created})

    untyped_error = expect_error("42804", untyped)
    print(f"3. request B: created {created}, organization_id and created_by_id from the context, "
          f"due {back.due_date.isoformat()}, {len(back.attachments)} attachments")
    print(f"   a list in text() without the JSONB type: {untyped_error.pgcode} {untyped_error.diag.message_primary}")

    # 4. Request C: custom fields that break the service type's rules: 23514,
    # with the problems as JSON in DETAIL and the error fields in e.orig.diag.
    def broken():
        with Session(engine) as session, session.begin():
            authenticate(session, staff["token"])
            session.add(Deliverable(client_id=client.id, service_type_id=service.id, title="Broken reel",
                                    custom_fields={"edit_by_date": "2027-04-15", "dropbox_link": "https:// x"}))
            session.flush()

    bad = expect_error("23514", broken)
    try:
        detail = json.loads(bad.diag.message_detail)
    except (TypeError, ValueError):
        fail(f"request C: DETAIL is not JSON: {bad.diag.message_detail}")
    print(f"4. request C: {bad.pgcode} {bad.diag.message_primary}")
    print(f"   DETAIL: {json.dumps(detail, ensure_ascii=False)}")
    print(f"   schema={bad.diag.schema_name} table={bad.diag.table_name} column={bad.diag.column_name} "
          f"constraint={bad.diag.constraint_name}")
    check(isinstance(detail, list) and len(detail) == 1, "request C: expected 1 problem(s) in DETAIL")
    check((bad.diag.schema_name, bad.diag.table_name, bad.diag.column_name, bad.diag.constraint_name)
          == ("mycelium", "deliverables", "custom_fields", "deliverables_custom_fields_valid"),
          "request C: the error does not name its table and column")

    # 5. Request D: a read with no context under strict mode: 28M01.
    def no_context():
        with Session(engine) as session:
            session.scalars(select(Deliverable).limit(1)).all()

    none = expect_error("28M01", no_context)
    print(f"5. request D: no context: {none.pgcode} {none.diag.message_primary}")

    # And what the default expire_on_commit=True does after a request: an
    # attribute read after the commit reloads the row without a context.
    # Without strict mode that is ObjectDeletedError; with it, 28M01.
    def read_after_commit():
        with Session(engine) as session:
            with session.begin():
                authenticate(session, staff["token"])
                d = session.scalars(select(Deliverable).where(Deliverable.id == created)).one()
            return d.title

    late = expect_error("28M01", read_after_commit)
    print(f"   an expired object read after the request's commit: {late.pgcode} {late.diag.message_primary}")
    engine.dispose()


if __name__ == "__main__":
    try:
        main()
    except DBAPIError as e:
        fail(f"{sqlstate(e)} {e.orig}")
    except sqlalchemy.exc.SQLAlchemyError as e:
        fail(f"{type(e).__name__}: {e}")
