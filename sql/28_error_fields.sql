-- The fields of an error a client reads besides its message (docs/errors.md):
-- SQLSTATE, SCHEMA_NAME, TABLE_NAME, COLUMN_NAME, CONSTRAINT_NAME, DATATYPE_NAME,
-- read as a driver reads them, after catching the error, by the application's
-- own role (no superuser). The three families an application routes by code: a
-- custom-field violation (23514, fix the input), a failure to establish who the
-- caller is (class 28, sign in again) and a refusal of a known caller (42501,
-- forbidden).
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
DROP ROLE IF EXISTS regress_fields_app;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- Runs a statement and shows what a client sees of its error: the SQLSTATE and
-- every field that is set (schema.table.column, constraint, datatype).
CREATE OR REPLACE FUNCTION regress.error_fields(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text; schema_name text; table_name text; column_name text; constraint_name text; datatype text;
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, schema_name = SCHEMA_NAME, table_name = TABLE_NAME,
                            column_name = COLUMN_NAME, constraint_name = CONSTRAINT_NAME,
                            datatype = PG_DATATYPE_NAME;
    RETURN concat_ws(' ', state,
                     'schema=' || nullif(schema_name, ''), 'table=' || nullif(table_name, ''),
                     'column=' || nullif(column_name, ''), 'constraint=' || nullif(constraint_name, ''),
                     'datatype=' || nullif(datatype, ''));
END;
$$;

INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.test', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'ed@a.test', 'Ed', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-000000000000', 'old@a.test', 'Old', 'FILMER', 'INACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bob@b.test', 'Bob', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.clients (id, organization_id, name) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Acme');
INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name, role, is_active) VALUES
    ('0000000a-0000-7000-8000-0000000000f1', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c1', 'pat@acme.test', 'Pat', 'PRIMARY', false);
INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type) VALUES
    ('0000000a-0000-7000-8000-0000000000e1', '0000000a-0000-7000-8000-000000000000', 'Video', 'video', 'PROJECT');
INSERT INTO mycelium.deliverable_fields (organization_id, service_type_id, name, slug, type, min_value, max_value) VALUES
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Takes', 'takes', 'NUMBER', 1, 99);
INSERT INTO mycelium.deliverables (id, organization_id, client_id, service_type_id, title, created_by_id) VALUES
    ('0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-0000000000e1', 'Reel',
     '0000000a-0000-7000-8000-0000000000a1');
SELECT mycelium.set_jwt_secret('mycelium-regression-secret-of-32-bytes+');
CREATE ROLE regress_fields_app;
SELECT mycelium.grant_access('regress_fields_app', 'app');
SET ROLE regress_fields_app;

-- ------ A custom-field violation: 23514, named as a CHECK violation is ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT regress.error_fields($$INSERT INTO mycelium.deliverables (client_id, service_type_id, title, custom_fields)
    VALUES ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-0000000000e1', 'Bad',
            '{"takes": 0, "colour": "red"}')$$) AS custom_fields_insert;
SELECT regress.error_fields($$UPDATE mycelium.deliverables SET custom_fields = '{"takes": 100}'
    WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$) AS custom_fields_update;
-- PostgreSQL's own CHECK violation, for comparison.
SELECT regress.error_fields($$UPDATE mycelium.deliverables SET title = ' '
    WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$) AS check_constraint;
-- The JSON detail stays as it was.
DO $$
DECLARE
    detail text;
BEGIN
    INSERT INTO mycelium.deliverables (client_id, service_type_id, title, custom_fields)
    VALUES ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-0000000000e1', 'Bad', '{"takes": 0}');
EXCEPTION WHEN check_violation THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RAISE NOTICE 'detail: %', detail;
END;
$$;
COMMIT;

-- ------ Who is calling is not established: class 28 ------
-- An inactive user, an unknown user, a user of another organization, a role the
-- user does not have, an inactive portal user: 28000, naming the accounts' table.
SELECT regress.error_fields($$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000',
    '0000000a-0000-7000-8000-0000000000a3', 'FILMER')$$) AS inactive_user;
SELECT regress.error_fields($$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000',
    '0000000a-0000-7000-8000-0000000000ff', 'ADMIN')$$) AS unknown_user;
SELECT regress.error_fields($$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000',
    '0000000b-0000-7000-8000-0000000000b1', 'ADMIN')$$) AS other_organization;
SELECT regress.error_fields($$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000',
    '0000000a-0000-7000-8000-0000000000a2', 'ADMIN')$$) AS wrong_role;
SELECT regress.error_fields($$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000',
    '0000000a-0000-7000-8000-0000000000f1', 'CLIENT')$$) AS inactive_portal_user;
-- A role that is no role at all is bad input, naming its type.
SELECT regress.error_fields($$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000',
    '0000000a-0000-7000-8000-0000000000a1', 'KING')$$) AS unknown_role;
-- Tokens: malformed (checked natively), empty, signed with another key.
SELECT regress.error_fields($$SELECT mycelium.authenticate('not.a.token')$$) AS malformed_token;
SELECT regress.error_fields($$SELECT mycelium.authenticate('')$$) AS empty_token;
SELECT regress.error_fields($$SELECT mycelium.authenticate('eyJhbGciOiJIUzI1NiJ9.e30.c2ln')$$) AS bad_signature;
-- No context at all: 28M01, as strict mode says it.
SELECT regress.error_fields($$SELECT mycelium.sign_out()$$) AS sign_out_without_context;
SELECT regress.error_fields($$SELECT mycelium.invite_user('new@a.test', 'New', 'FILMER')$$)
    AS admin_function_without_context;
SELECT regress.error_fields($$SELECT * FROM mycelium.validate_custom_fields('0000000a-0000-7000-8000-0000000000e1', '{}')$$)
    AS native_function_without_context;
SELECT regress.error_fields($$INSERT INTO mycelium.clients (organization_id, name)
    VALUES ('0000000a-0000-7000-8000-000000000000', 'Nobody''s')$$) AS write_without_context;

-- ------ A known caller who may not: 42501 ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
SELECT regress.error_fields($$SELECT mycelium.invite_user('new@a.test', 'New', 'FILMER')$$) AS admin_only_function;
SELECT regress.error_fields($$UPDATE mycelium.users SET role = 'ADMIN'
    WHERE id = '0000000a-0000-7000-8000-0000000000a2'$$) AS admin_only_column;
-- PostgreSQL's own refusal by a policy, for comparison: it names no object.
SELECT regress.error_fields($$INSERT INTO mycelium.clients (organization_id, name)
    VALUES ('0000000b-0000-7000-8000-000000000000', 'Elsewhere')$$) AS policy_refusal;
COMMIT;

-- ------ Bad arguments: the schema, and the table a row argument names ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT regress.error_fields($$SELECT mycelium.calculate_user_productivity('0000000a-0000-7000-8000-0000000000ff')$$)
    AS unknown_user_argument;
SELECT regress.error_fields($$SELECT mycelium.invite_user('ann@a.test', 'Ann', 'FILMER')$$) AS taken_email;
SELECT regress.error_fields($$SELECT mycelium.slugify(repeat('x', 100000))$$) AS native_bad_input;
-- A field definition that could never be satisfied names its table.
SELECT regress.error_fields($$INSERT INTO mycelium.deliverable_fields (service_type_id, name, slug, type, pattern)
    VALUES ('0000000a-0000-7000-8000-0000000000e1', 'Code', 'code', 'TEXT', '[a-z')$$) AS bad_definition;
COMMIT;

RESET ROLE;
DROP OWNED BY regress_fields_app;
DROP ROLE regress_fields_app;
