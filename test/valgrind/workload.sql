-- The workload test/valgrind/run gives the server under memcheck, after
-- demo/demo.sql (which already ran a generation and made notifications): every
-- native code path once with good input and once with bad. Small on purpose:
-- under valgrind every statement costs some twenty times its normal time.
--
-- Bad input is run through pg_temp.try(), which returns the SQLSTATE a statement
-- fails with (or 'ok'): what matters here is that the native code runs, not what
-- it answers, which the regression suites check. A crash stops the script.
\set ON_ERROR_STOP on
\set QUIET on
SET client_min_messages = warning;

CREATE FUNCTION pg_temp.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END;
$$;

-- HMAC-SHA256 over the built-in sha256(), and unpadded base64url, to sign tokens
-- here independently of the code under test.
CREATE FUNCTION pg_temp.hmac_sha256(key bytea, message bytea) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    k bytea := CASE WHEN length(key) > 64 THEN sha256(key) ELSE key END;
    inner_pad bytea;
    outer_pad bytea;
BEGIN
    k := k || decode(repeat('00', 64 - length(k)), 'hex');
    inner_pad := k;
    outer_pad := k;
    FOR i IN 0..63 LOOP
        inner_pad := set_byte(inner_pad, i, get_byte(k, i) # 54);
        outer_pad := set_byte(outer_pad, i, get_byte(k, i) # 92);
    END LOOP;
    RETURN sha256(outer_pad || sha256(inner_pad || message));
END;
$$;
CREATE FUNCTION pg_temp.b64url(data bytea) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT translate(encode(data, 'base64'), E'+/=\n', '-_')
$$;
CREATE FUNCTION pg_temp.jwt(claims text, secret text DEFAULT 'valgrind-token-key-0123456789abcdef-0123',
                            header text DEFAULT '{"alg":"HS256","typ":"JWT"}') RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT s || '.' || pg_temp.b64url(pg_temp.hmac_sha256(convert_to(secret, 'UTF8'), convert_to(s, 'UTF8')))
      FROM (SELECT pg_temp.b64url(convert_to(header, 'UTF8')) || '.' || pg_temp.b64url(convert_to(claims, 'UTF8')) AS s) t
$$;

SELECT id AS org FROM mycelium.organizations WHERE slug = 'isemedia' \gset
SELECT '550e8400-e29b-41d4-a716-446655440001' AS admin, '550e8400-e29b-41d4-a716-446655440010' AS client \gset

-- ---------------------------------------------------------------------------
-- Both sweeps, and generation again (nothing new: exactly once).
SELECT count(*) AS overdue FROM mycelium.sweep_overdue();
SELECT count(*) AS due_soon FROM mycelium.sweep_due_soon(interval '90 days');
SELECT pg_temp.try('SELECT count(*) FROM mycelium.sweep_overdue(''infinity'')') AS overdue_infinity;
SELECT pg_temp.try('SELECT count(*) FROM mycelium.sweep_due_soon(NULL)') AS due_soon_null;
SELECT count(*) AS generated FROM mycelium.generate_recurring_deliverables(period => date_trunc('month', now())::date);
SELECT count(*) AS dry_run FROM mycelium.generate_recurring_deliverables(
    period => (date_trunc('month', now()) + interval '2 months')::date, dry_run => true);
SELECT count(*) AS scores FROM mycelium.productivity_scores();
SELECT mycelium.calculate_user_productivity(:'admin') IS NOT NULL AS productivity;

-- ---------------------------------------------------------------------------
-- Custom fields: a service type with one field of every type and every rule its
-- type takes, values that pass, and values that break each rule.
INSERT INTO mycelium.service_types (organization_id, name, slug, workflow_type)
VALUES (:'org', 'All fields', 'allfields', 'ONEOFF') RETURNING id AS allf \gset
INSERT INTO mycelium.deliverable_fields
    (organization_id, service_type_id, name, slug, type, is_required, min_length, max_length,
     min_value, max_value, pattern, options, default_value, sort_order)
SELECT :'org', :'allf', 'Field ' || t, 'f_' || lower(t), t::mycelium.field_type, t IN ('TEXT', 'USER_SELECT'),
       CASE WHEN t IN ('TEXT', 'TEXTAREA', 'EMAIL', 'URL', 'PHONE') THEN 1 END,
       CASE WHEN t IN ('TEXT', 'TEXTAREA', 'EMAIL', 'URL', 'PHONE') THEN 80 END,
       CASE WHEN t IN ('NUMBER', 'DECIMAL') THEN -5 END,
       CASE t WHEN 'NUMBER' THEN 500 WHEN 'DECIMAL' THEN 500.5 END,
       CASE t WHEN 'TEXT' THEN '[a-zé ]+' WHEN 'PHONE' THEN '\+[0-9 ]+' END,
       CASE WHEN t IN ('SELECT', 'MULTISELECT', 'RADIO') THEN '["red", "green", "blue"]'::jsonb END,
       CASE t WHEN 'NUMBER' THEN '7' WHEN 'CHECKBOX' THEN 'true' END,
       ord
FROM unnest(enum_range(NULL::mycelium.field_type)::text[]) WITH ORDINALITY AS e(t, ord);

SELECT jsonb_build_object(
    'f_text', 'café au lait', 'f_textarea', E'two\nlines', 'f_number', 42, 'f_decimal', '12.50',
    'f_date', '2028-02-29', 'f_datetime', '2026-12-01T09:00:00+01:00', 'f_time', '23:59:59.5',
    'f_email', 'lena@café.example', 'f_url', 'https://bücher.example/a?b=c', 'f_phone', '+1 555 010 4477',
    'f_select', 'red', 'f_multiselect', jsonb_build_array('red', 'blue'), 'f_radio', 'green',
    'f_checkbox', false, 'f_file', jsonb_build_object('name', 'a.pdf', 'url', 'https://x.example/a.pdf'),
    'f_user_select', :'admin', 'f_client_select', :'client') AS good \gset

SELECT count(*) AS problems_in_good FROM mycelium.validate_custom_fields(:'allf', :'good');
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, status,
                                   assigned_user_id, created_by_id, due_date, custom_fields)
VALUES (:'org', :'client', :'allf', 'Every field', 'IN_PROGRESS', :'admin', :'admin', now() + interval '2 days',
        :'good') RETURNING id AS every \gset
UPDATE mycelium.deliverables SET custom_fields = custom_fields || '{"f_number": 8}'
 WHERE organization_id = :'org' AND id = :'every';

-- One bad value per field type and rule, each reported.
SELECT count(*) AS problems_in_bad FROM mycelium.validate_custom_fields(:'allf', jsonb_build_object(
    'f_text', E'UPPER\nCASE', 'f_textarea', repeat('é', 100), 'f_number', 1.5, 'f_decimal', '1e999999',
    'f_date', '2026-02-29', 'f_datetime', '2026-12-01 09:00', 'f_time', '24:00', 'f_email', 'no@tld',
    'f_url', 'https://user:pw@pаypal.example', 'f_phone', '+12', 'f_select', 'purple',
    'f_multiselect', jsonb_build_array('red', 'red'), 'f_radio', 3, 'f_checkbox', 'yes',
    'f_file', jsonb_build_object('name', '', 'url', 'ftp://x'), 'f_user_select', 'not-a-uuid',
    'f_client_select', '00000000-0000-0000-0000-000000000000', 'f_unknown', 1));
SELECT count(*) AS problems_in_odd FROM mycelium.validate_custom_fields(:'allf', jsonb_build_object(
    'f_number', 1e400, 'f_decimal', -5.000000000000000000001, 'f_text', repeat('a', 1000000),
    'f_multiselect', '[]'::jsonb, 'f_file', '[]'::jsonb, 'f_time', '', 'f_email', repeat('a', 300) || '@x.example'));
SELECT count(*) AS problems_in_null FROM mycelium.validate_custom_fields(:'allf', NULL);
SELECT count(*) AS problems_in_array FROM mycelium.validate_custom_fields(:'allf', '[1, 2]');
SELECT count(*) AS problems_in_scalar FROM mycelium.validate_custom_fields(:'allf', '"text"');
SELECT pg_temp.try(format('SELECT * FROM mycelium.validate_custom_fields(NULL, %L)', :'good')) AS null_service;
SELECT pg_temp.try(format('SELECT * FROM mycelium.validate_custom_fields(%L, %L)', mycelium.uuid_v7(), :'good'))
    AS unknown_service;
SELECT pg_temp.try(format('UPDATE mycelium.deliverables SET custom_fields = %L WHERE organization_id = %L AND id = %L',
                          '{"f_number": "x", "f_text": null}', :'org', :'every')) AS trigger_refuses;

-- Definitions the definition check refuses: a pattern that does not compile, bad
-- options, a rule on the wrong type, min above max, a default its rules refuse.
SELECT pg_temp.try(format($$INSERT INTO mycelium.deliverable_fields (organization_id, service_type_id, name, slug, type, %s)
                            VALUES (%L, %L, 'Bad', 'bad', %L, %s)$$, c, :'org', :'allf', t, v)) AS bad_definition
FROM (VALUES ('pattern', 'TEXT', quote_literal('([a-z')), ('pattern', 'TEXT', quote_literal(repeat('(', 5000))),
             ('options', 'SELECT', quote_literal('[1, 2]')), ('options', 'SELECT', quote_literal('{"a": 1}')),
             ('options', 'SELECT', quote_literal('["a", "a"]')), ('options', 'TEXT', quote_literal('["a"]')),
             ('min_value', 'TEXT', '1'), ('min_length, max_length', 'TEXT', '5, 2'),
             ('default_value', 'NUMBER', quote_literal('1.5')), ('default_value', 'DATE', quote_literal('2026-13-01')))
     AS b(c, t, v);

-- A catastrophic pattern fails one field with pattern_timeout instead of hanging.
INSERT INTO mycelium.deliverable_fields (organization_id, service_type_id, name, slug, type, pattern)
VALUES (:'org', :'allf', 'Slow', 'f_slow', 'TEXT', '(a+)+$');
SELECT code FROM mycelium.validate_custom_fields(:'allf', jsonb_build_object('f_slow', repeat('a', 40) || '!'))
 WHERE field_slug = 'f_slow';

-- ---------------------------------------------------------------------------
-- Tokens: a good one, then every way a token can be wrong.
SELECT mycelium.set_jwt_secret('valgrind-token-key-0123456789abcdef-0123');
SELECT pg_temp.jwt(jsonb_build_object('organization_id', :'org', 'sub', :'admin', 'app_role', 'ADMIN',
                                      'exp', extract(epoch FROM now())::bigint + 3600)::text) AS token \gset
BEGIN;
SELECT mycelium.authenticate(:'token');
SELECT count(*) AS visible FROM mycelium.deliverables;
COMMIT;
SELECT (mycelium_internal.verify_token(:'token')).role;
SELECT pg_temp.try(format('SELECT mycelium.authenticate(%L)', t)) AS bad_token
FROM (VALUES (NULL), (''), ('.'), ('..'), ('a.b.c'), ('a.b.c.d'), (repeat('A', 1000000)),
             (left(:'token', -1) || 'x'), (:'token' || '.'), (replace(:'token', '.', '..')),
             (pg_temp.jwt('{"organization_id": 1}')), (pg_temp.jwt('not json')), (pg_temp.jwt('[]')),
             (pg_temp.jwt('{"sub": "x"}', header => '{"alg": "none"}')),
             (pg_temp.jwt('{"sub": "x"}', header => '{"alg": "HS256", "crit": ["x"]}')),
             (pg_temp.jwt('{"sub": "x"}', header => repeat('[', 100000))),
             (pg_temp.jwt(jsonb_build_object('organization_id', :'org', 'sub', :'admin', 'app_role', 'ADMIN',
                                             'exp', 1)::text)),
             (pg_temp.jwt(jsonb_build_object('organization_id', :'org', 'sub', :'admin', 'app_role', 'ADMIN',
                                             'exp', 1e300)::text)),
             (pg_temp.jwt(jsonb_build_object('organization_id', :'org', 'sub', :'admin', 'app_role', 'ADMIN',
                                             'exp', extract(epoch FROM now())::bigint + 3600)::text, 'another key')),
             (E'\\x00.\\xff.\\x80')) AS t(t);
SELECT pg_temp.try('SELECT mycelium.set_jwt_secret(''short'')') AS short_secret;
SELECT pg_temp.try('SELECT mycelium.set_context(NULL, NULL, ''ADMIN'')') AS null_context;
SELECT pg_temp.try(format('SELECT mycelium.set_context(%L, %L, %L)', :'org', :'admin', repeat('X', 100000)))
    AS huge_role;
SELECT pg_temp.try(format('SET mycelium.context = %L; SELECT count(*) FROM mycelium.deliverables',
                          repeat('{', 10000))) AS forged_context;
RESET mycelium.context;

-- ---------------------------------------------------------------------------
-- The other native functions, with NULLs, huge strings and malformed rules.
SELECT mycelium.slugify('Łódź Bakery & Café Münster ☕ 東京'), mycelium.slugify(NULL);
SELECT pg_temp.try(format('SELECT mycelium.slugify(%L)', s)) AS odd_slug
FROM (VALUES (''), (repeat('Ünïcödé ', 200000)), (E'\u0301\u200d'), ('☕☕'), (repeat(E'\u0301', 100000))) AS s(s);
SELECT mycelium.uuid_v7_time(mycelium.uuid_v7()) IS NOT NULL AS v7, mycelium.uuid_v7_time(NULL);
SELECT pg_temp.try(format('SELECT mycelium.uuid_v7_time(%L)', u)) AS not_v7
FROM (VALUES ('00000000-0000-0000-0000-000000000000'), ('550e8400-e29b-41d4-a716-446655440000'),
             ('ffffffff-ffff-7fff-bfff-ffffffffffff')) AS u(u);
SELECT mycelium.is_valid_time_zone(z)
FROM (VALUES ('Europe/Berlin'), ('UTC'), ('Mars/Olympus'), (''), (NULL), (repeat('Europe/', 100000)),
             ('../../etc/passwd'), ('+05:30'), (E'Europe/Berlin\n')) AS z(z);
SELECT l, mycelium.is_known_locale(l), pg_temp.try(format('SELECT mycelium.date_label(%L, %L)', '2026-12-01', l))
FROM (VALUES ('de-DE'), ('en'), ('sr-Latn-RS'), ('ar-EG'), ('tlh'), (''), (repeat('x', 100000)),
             ('en@calendar=hebrew')) AS l(l);
SELECT pg_temp.try(format('SELECT mycelium.date_label(%L, %L, %L)', d, l, s)) AS bad_label
FROM (VALUES ('2026-12-01', 'xx-nope', 'yMMMM'), ('infinity', 'en', 'yMMMM'), ('4713-01-01 BC', 'en', 'yMMMM'),
             ('2026-12-01', 'en', repeat('y', 100000))) AS b(d, l, s);
SELECT pg_temp.try(format('SELECT mycelium.check_recurrence_rule(%L)', r)) AS rule
FROM (VALUES ('FREQ=MONTHLY;BYMONTHDAY=-1'), ('FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10'), ('0 9 * * 1-5'),
             ('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29'), ('RRULE:FREQ=DAILY;INTERVAL=0'), ('FREQ=MONTHLY;BYDAY=+99MO'),
             ('FREQ=;;;'), ('*/0 * * * *'), ('61 25 32 13 8'), (''), (NULL), (repeat('FREQ=DAILY;', 100000)),
             (repeat('1,', 100000) || '1 * * * *'), ('FREQ=MONTHLY;UNTIL=99999999T999999Z')) AS r(r);
SELECT count(*) AS occurrences FROM mycelium.expand_recurrence('FREQ=MONTHLY;BYMONTHDAY=-1', '2026-01-31',
                                                               '2026-01-01', '2027-01-01', 'America/Chicago');
SELECT count(*) AS occurrences FROM mycelium.expand_recurrence('30 2 * * *', '2026-03-01', '2026-03-01',
                                                               '2026-04-01', 'Europe/Berlin');
SELECT pg_temp.try('SELECT count(*) FROM mycelium.expand_recurrence(''FREQ=DAILY'', ''2026-01-01'', ''-infinity'', ''infinity'')')
    AS unbounded;
SELECT pg_temp.try(format('SELECT count(*) FROM mycelium.expand_recurrence(%L, %L, %L, %L, %L)', r, s, a, b, z))
    AS bad_expansion
FROM (VALUES ('FREQ=SOMETIMES', '2026-01-01', '2026-01-01', '2027-01-01', 'UTC'),
             ('FREQ=DAILY', '2026-01-01', '2026-01-01', '2027-01-01', 'Nowhere/Land'),
             ('FREQ=DAILY', 'infinity', '2026-01-01', '2027-01-01', 'UTC'),
             ('FREQ=SECONDLY', '2026-01-01', '2026-01-01', '9999-01-01', 'UTC'),
             ('* * * * *', '2026-01-01', '2026-01-01', '4000-01-01', 'UTC'),
             ('FREQ=DAILY', '2026-01-01', '2027-01-01', '2026-01-01', repeat('z', 100000))) AS b(r, s, a, b, z);
SELECT pg_temp.try(format('SELECT mycelium_internal.next_delivery_time(now(), %L, %L, %s)', f, z, w)) AS delivery_time
FROM (VALUES ('IMMEDIATE', 'UTC', '1'), ('DAILY', 'Asia/Kathmandu', '1'), ('WEEKLY', 'Pacific/Chatham', '7'),
             ('WEEKLY', 'America/Chicago', '0'), ('HOURLY', 'UTC', '1'), ('DAILY', 'Nowhere/Land', '1'),
             ('WEEKLY', 'UTC', '99'), (NULL, NULL, 'NULL')) AS n(f, z, w);
SELECT pg_temp.try(format('SELECT * FROM mycelium.productivity_scores(period_days => %s)', p)) AS bad_period
FROM (VALUES (0), (-1), (2147483647)) AS p(p);
SELECT mycelium.require_writable(NULL), mycelium.require_writable('workload');
SELECT pg_temp.try(format('SELECT count(*) FROM mycelium.expand_recurrence(%s, %s, %s, %s)', r, s, a, b))
    AS null_expansion
FROM (VALUES ('NULL', '''2026-01-01''', '''2026-01-01''', '''2027-01-01'''),
             ('''FREQ=DAILY''', 'NULL', 'NULL', 'NULL')) AS n(r, s, a, b);
SELECT pg_temp.try('SELECT mycelium.date_label(NULL, NULL, NULL)') AS null_label;
BEGIN READ ONLY;
SELECT pg_temp.try('SELECT mycelium.require_writable(' || quote_literal(repeat('x', 100000)) || ')') AS read_only;
COMMIT;

-- Passwords and signing in: Argon2id (libargon2) and bcrypt (crypt_r), a right
-- and a wrong password, an unknown e-mail, a refused place and bad input.
SELECT mycelium.set_password(:'admin', 'a valgrind password, long enough', false);
SELECT mycelium.import_password_hash('550e8400-e29b-41d4-a716-446655440002',
                                     '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW');
SELECT o.id AS org FROM mycelium.organizations o WHERE o.slug = 'isemedia' \gset
CALL mycelium.sign_in(:'org', 'christiaan@isemediaagency.com', 'a valgrind password, long enough');
CALL mycelium.sign_in(:'org', 'caleb@isemediaagency.com', 'U*U');
\set ON_ERROR_STOP 0
CALL mycelium.sign_in(:'org', 'christiaan@isemediaagency.com', 'wrong');
CALL mycelium.sign_in(:'org', 'nobody@isemediaagency.com', 'wrong');
CALL mycelium.sign_in(:'org', NULL, repeat('p', 100000));
BEGIN;
CALL mycelium.sign_in(:'org', 'christiaan@isemediaagency.com', 'wrong');
ROLLBACK;
\set ON_ERROR_STOP 1
SELECT pg_temp.try(format('SELECT mycelium.set_password(%L, %L)', :'admin', p)) AS policy
FROM (VALUES ('short'), (repeat('é', 200)), (E'bad \\xff')) AS p(p);

-- The account life cycle: a temporary password's password-change session (its
-- own seal), sign_out by the token's id, a sign-up's token.
SELECT mycelium.set_temporary_password(:'admin') AS temporary \gset
CALL mycelium.sign_in(:'org', 'christiaan@isemediaagency.com', :'temporary') \gset
BEGIN;
SELECT mycelium.authenticate(:'token');
SELECT (mycelium_internal.password_change_account()).user_id = :'admin' AS password_change_session;
SELECT mycelium.change_password(:'temporary', 'a valgrind password, long enough');
COMMIT;
CALL mycelium.sign_in(:'org', 'christiaan@isemediaagency.com', 'a valgrind password, long enough') \gset
BEGIN;
SELECT mycelium.authenticate(:'token');
-- The context acts as mycelium_admin; the workload reads mycelium_internal as itself.
RESET ROLE;
SELECT (mycelium_internal.current_token()).token_id IS NOT NULL AS remembered;
SELECT mycelium.sign_out();
COMMIT;
SELECT pg_temp.try(format('SELECT mycelium.authenticate(%L)', :'token')) AS signed_out;
SELECT (mycelium.sign_up('Valgrind Agency', 'owner@valgrind.example', 'Owner', 'a valgrind password, long enough'))
           .token IS NOT NULL AS signed_up;

-- Tokens from identity services: a JWKS and a token made once with a key of
-- test/security/jwt_maker.py (ES256, expiring in 2100, without "iat" so that the
-- session timeout counts from now, for Sam, whose sessions were never ended),
-- then bad input of every kind.
\set jwks '{"keys": [{"kty": "EC", "kid": "ec", "crv": "P-256", "alg": "ES256", "x": "KDo-kUgGMwq3I6zazQ59lff-IaesEfVkoJop4tjFNqI", "y": "AlzQOU5NCd0EiJxr9KKvbJSdoK3LMOlnxvmWc92KHWY"}]}'
\set foreign 'eyJhbGciOiAiRVMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiZWMifQ.eyJpc3MiOiJodHRwczovL2lkcC52YWxncmluZC5leGFtcGxlIiwic3ViIjoidmFsZ3JpbmQtc3ViamVjdCIsImVtYWlsIjoic2FtQGlzZW1lZGlhYWdlbmN5LmNvbSIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlLCJleHAiOjQxMDI0NDQ4MDAsImp0aSI6InZhbGdyaW5kLTEifQ.rzJ-Bkrsm62LLgAiueEfOUDPun7t6Bwv86Re3Qgx8LEt8Ru0DlgyZHeLnpOYEE13G3JIUC8kRD5n2vTb5nerIg'
SELECT mycelium_internal.check_jwks(:'jwks') AS keys;
SELECT subject, email_verified, token_id
  FROM mycelium_internal.verify_foreign_token(:'foreign', :'jwks', 'https://idp.valgrind.example', '{}');
SELECT * FROM mycelium_internal.token_header(:'foreign');
BEGIN;
SELECT mycelium.set_context(:'org', :'admin', 'ADMIN');
SELECT mycelium.current_organization_id_for('admin') = :'org' AS for_admin,
       mycelium.current_organization_id_for('staff') IS NULL AS not_for_staff;
SELECT pg_temp.try(format('SELECT mycelium.current_organization_id_for(%L)', k)) AS bad_kind
FROM (VALUES (''), ('ADMIN'), (repeat('admin', 100000))) AS x(k);
SELECT mycelium.set_identity_provider('https://idp.valgrind.example', :'jwks') IS NOT NULL AS registered;
COMMIT;
BEGIN;
SELECT mycelium.authenticate(:'foreign');
SELECT mycelium.current_app_role() AS foreign_role;
COMMIT;
SELECT pg_temp.try(format('SELECT mycelium_internal.check_jwks(%L)', j)) AS bad_jwks
FROM (VALUES (''), ('[]'), ('{"keys": []}'), ('{"keys": [1]}'), (repeat('{"keys": [', 20000)),
             (replace(:'jwks', '"EC"', '"RSA"')), (replace(:'jwks', 'jNfV', 'AAAA')),
             ('{"keys": [{"kty": "RSA", "n": "' || repeat('A', 60000) || '", "e": "AQAB"}]}'),
             ('{"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AA"}]}')) AS j(j);
SELECT pg_temp.try(format('SELECT * FROM mycelium_internal.verify_foreign_token(%L, %L, NULL, NULL)', t, :'jwks'))
    AS bad_foreign
FROM (VALUES (''), ('a.b.c'), (left(:'foreign', -2)), (replace(:'foreign', 'eyJp', 'eyJq')),
             (repeat('A', 100000)), (split_part(:'foreign', '.', 1) || '.' || split_part(:'foreign', '.', 2) || '.'),
             (split_part(:'foreign', '.', 1) || '.e30.' || split_part(:'foreign', '.', 3))) AS t(t);
SELECT pg_temp.try(format('SELECT * FROM mycelium_internal.token_header(%L)', t)) AS bad_header
FROM (VALUES (''), ('.'), ('e30.e30.'), (repeat('.', 100000))) AS t(t);
