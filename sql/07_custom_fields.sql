-- Custom-field validation: definitions checked when saved, the trigger on
-- deliverables, validate_custom_fields(), as the owner and as tenant users.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
RESET client_min_messages;

CREATE FUNCTION pg_temp.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN others THEN
    DECLARE
        detail text;
    BEGIN
        GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
        RETURN SQLSTATE || ': ' || SQLERRM || CASE WHEN detail <> '' THEN E'\n' || detail ELSE '' END;
    END;
END;
$$;

INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.test', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'old@a.test', 'Old', 'FILMER', 'INACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bob@b.test', 'Bob', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.clients (id, organization_id, name, slug) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Acme', 'acme'),
    ('0000000b-0000-7000-8000-0000000000c1', '0000000b-0000-7000-8000-000000000000', 'Umbrella', 'umbrella');
INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type) VALUES
    ('0000000a-0000-7000-8000-0000000000e1', '0000000a-0000-7000-8000-000000000000', 'Video', 'video', 'PROJECT'),
    ('0000000b-0000-7000-8000-0000000000e1', '0000000b-0000-7000-8000-000000000000', 'Video', 'video', 'PROJECT');

-- ------ Definitions are checked when saved ------
SELECT t.description, pg_temp.try(
    format('INSERT INTO mycelium.deliverable_fields (organization_id, service_type_id, name, slug, type, %s) '
           'VALUES (''0000000a-0000-7000-8000-000000000000'', ''0000000a-0000-7000-8000-0000000000e1'', ''X'', ''x'', %L, %s)',
           t.columns, t.type, t.vals)) AS outcome
FROM (VALUES
    ('pattern does not compile', 'TEXT', 'pattern', $$'[a-z'$$),
    ('options not a list', 'SELECT', 'options', $$'"a"'$$),
    ('options with duplicates', 'SELECT', 'options', $$'["a", "a"]'$$),
    ('no options on a SELECT', 'SELECT', 'is_required', 'true'),
    ('options on TEXT', 'TEXT', 'options', $$'["a"]'$$),
    ('length rule on NUMBER', 'NUMBER', 'max_length', '5'),
    ('default its own rules refuse', 'NUMBER', 'default_value', $$'12.5'$$),
    ('min above max', 'DECIMAL', 'min_value, max_value', '10, 1')
) AS t(description, type, columns, vals);

INSERT INTO mycelium.deliverable_fields (organization_id, service_type_id, name, slug, type, is_required, sort_order,
                                         default_value, min_length, max_length, min_value, max_value, pattern, options)
VALUES
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Title', 'title', 'TEXT', true, 1, NULL, 2, 10, NULL, NULL, NULL, NULL),
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Code', 'code', 'TEXT', false, 2, NULL, NULL, NULL, NULL, NULL, '[A-Z]{3}-[0-9]+', NULL),
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Takes', 'takes', 'NUMBER', false, 3, '1', NULL, NULL, 1, 99, NULL, NULL),
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Budget', 'budget', 'DECIMAL', false, 4, NULL, NULL, NULL, 0, 1000.50, NULL, NULL),
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Shoot day', 'shoot_day', 'DATE', false, 5, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Link', 'link', 'URL', false, 6, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Format', 'format', 'SELECT', true, 7, 'reel', NULL, NULL, NULL, NULL, NULL, '["reel", "story", "post"]'),
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Channels', 'channels', 'MULTISELECT', false, 8, NULL, NULL, NULL, NULL, NULL, NULL, '["ig", "tt", "yt"]'),
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Approved', 'approved', 'CHECKBOX', false, 9, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Editor', 'editor', 'USER_SELECT', false, 10, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'For client', 'for_client', 'CLIENT_SELECT', false, 11, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Contact', 'contact', 'EMAIL', false, 12, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Phone', 'phone', 'PHONE', false, 13, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000e1', 'Slate', 'slate', 'TEXT', false, 14, NULL, NULL, NULL, NULL, NULL, '(a+)+$', NULL);

-- ------ validate_custom_fields: every problem, not just the first ------
SELECT * FROM mycelium.validate_custom_fields('0000000a-0000-7000-8000-0000000000e1', '{
    "title": "A title that is far too long", "code": "abc-1", "takes": 1.5, "budget": "1000.51",
    "shoot_day": "2026-02-29", "link": "ftp://example.com", "format": "tiktok", "channels": ["ig", "ig"],
    "approved": "yes", "editor": "0000000a-0000-7000-8000-0000000000a2",
    "for_client": "0000000b-0000-7000-8000-0000000000c1", "contact": "not an address", "phone": "12",
    "colour": "red"}');
-- Valid values, including the edge cases: grapheme clusters ("é" written two ways,
-- a flag, each one character), a leap day, an IDN host, an integral exponent.
SELECT count(*) AS problems FROM mycelium.validate_custom_fields('0000000a-0000-7000-8000-0000000000e1', jsonb_build_object(
    'title', 'e' || U&'\0301' || 'té 🇩🇪', 'code', 'ABC-42', 'takes', 4.2e1, 'budget', '1000.50', 'shoot_day', '2028-02-29',
    'link', 'https://bücher.example/katalog?q=1', 'format', 'story', 'channels', jsonb_build_array('ig', 'yt'),
    'approved', false, 'editor', '0000000A-0000-7000-8000-0000000000A1', 'for_client', '0000000a-0000-7000-8000-0000000000c1',
    'contact', 'lena@café.example', 'phone', '+49 (30) 1234-5678'));
-- Required fields are reported by the function; an empty object, NULL or a non-object.
SELECT * FROM mycelium.validate_custom_fields('0000000a-0000-7000-8000-0000000000e1', '{}');
SELECT * FROM mycelium.validate_custom_fields('0000000a-0000-7000-8000-0000000000e1', NULL);
SELECT * FROM mycelium.validate_custom_fields('0000000a-0000-7000-8000-0000000000e1', '[1, 2]');
-- A catastrophic pattern fails that one field, quickly, instead of hanging.
SELECT field_slug, code FROM mycelium.validate_custom_fields('0000000a-0000-7000-8000-0000000000e1',
    jsonb_build_object('title', 'ok', 'format', 'reel', 'slate', repeat('a', 5000) || '!'));
-- Bad calls.
SELECT pg_temp.try($$SELECT * FROM mycelium.validate_custom_fields(NULL, '{}')$$) AS null_service_type;
SELECT pg_temp.try($$SELECT * FROM mycelium.validate_custom_fields('0000000a-0000-7000-8000-0000000000ff', '{}')$$) AS unknown_service_type;

-- ------ The trigger ------
-- PENDING: required fields may wait; defaults fill what is missing; formats and
-- rules apply to what is present.
INSERT INTO mycelium.deliverables (id, organization_id, client_id, service_type_id, title, created_by_id, custom_fields)
VALUES ('0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
        '0000000a-0000-7000-8000-0000000000e1', 'Draft', '0000000a-0000-7000-8000-0000000000a1', NULL);
SELECT custom_fields FROM mycelium.deliverables WHERE id = '0000000a-0000-7000-8000-0000000000d1';
SELECT pg_temp.try($$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id, custom_fields)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-0000000000e1',
            'Bad', '0000000a-0000-7000-8000-0000000000a1', '{"takes": 0, "colour": "red"}')$$) AS invalid_insert;
-- The trigger runs before the NOT NULL constraints: a row without its service
-- type or organization is theirs to refuse (it once crashed the backend).
SELECT regress.try($$INSERT INTO mycelium.deliverables (organization_id, client_id, title, created_by_id)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', 'No service',
            '0000000a-0000-7000-8000-0000000000a1')$$) AS no_service_type;
SELECT regress.try($$INSERT INTO mycelium.deliverables (client_id, service_type_id, title, created_by_id)
    VALUES ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-0000000000e1', 'No organization',
            '0000000a-0000-7000-8000-0000000000a1')$$) AS no_organization;
SELECT regress.try($$UPDATE mycelium.deliverables SET service_type_id = NULL
    WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$) AS service_type_set_null;
-- Leaving PENDING enforces required fields; nothing is written when refused.
SELECT pg_temp.try($$UPDATE mycelium.deliverables SET status = 'IN_PROGRESS'
    WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$) AS start_without_title;
SELECT status FROM mycelium.deliverables WHERE id = '0000000a-0000-7000-8000-0000000000d1';
UPDATE mycelium.deliverables SET status = 'IN_PROGRESS', custom_fields = custom_fields || '{"title": "Reel 1"}'
 WHERE id = '0000000a-0000-7000-8000-0000000000d1';
-- Every later write is checked too, and a user of another organization is refused.
SELECT pg_temp.try($$UPDATE mycelium.deliverables SET custom_fields = custom_fields || '{"editor": "0000000b-0000-7000-8000-0000000000b1"}'
    WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$) AS editor_of_another_organization;
-- Cancelling needs no required field.
UPDATE mycelium.deliverables SET custom_fields = '{}', status = 'CANCELLED' WHERE id = '0000000a-0000-7000-8000-0000000000d1';
SELECT pg_temp.try($$UPDATE mycelium.deliverables SET status = 'IN_PROGRESS' WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$) AS reopened_empty;

-- A definition change is seen by the next statement (the cache is dropped).
UPDATE mycelium.deliverable_fields SET max_length = 3 WHERE slug = 'title';
SELECT field_slug, code FROM mycelium.validate_custom_fields('0000000a-0000-7000-8000-0000000000e1', '{"title": "Reel 1", "format": "reel"}');
UPDATE mycelium.deliverable_fields SET max_length = 10 WHERE slug = 'title';

-- ------ As tenant users ------
CREATE ROLE regress_mycelium_app;
SELECT mycelium.grant_access('regress_mycelium_app', 'app');
SET ROLE regress_mycelium_app;
SELECT pg_temp.try($$SELECT * FROM mycelium.validate_custom_fields('0000000a-0000-7000-8000-0000000000e1', '{}')$$) AS without_context;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT count(*) AS own_service_problems FROM mycelium.validate_custom_fields('0000000a-0000-7000-8000-0000000000e1', '{}');
SELECT pg_temp.try($$SELECT * FROM mycelium.validate_custom_fields('0000000b-0000-7000-8000-0000000000e1', '{}')$$) AS other_tenants_service;
SELECT field_slug, code FROM mycelium.validate_custom_fields('0000000a-0000-7000-8000-0000000000e1',
    '{"title": "ok", "format": "reel", "editor": "0000000b-0000-7000-8000-0000000000b1", "for_client": "0000000b-0000-7000-8000-0000000000c1"}');
SELECT pg_temp.try($$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id, status, custom_fields)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-0000000000e1',
            'By Ann', '0000000a-0000-7000-8000-0000000000a1', 'IN_PROGRESS', '{"title": "Reel 2"}')$$) AS valid_insert_by_admin;
SELECT custom_fields ->> 'format' AS defaulted_format FROM mycelium.deliverables WHERE title = 'By Ann';
ROLLBACK;
RESET ROLE;

-- ------ Hostile input never crashes the backend ------
-- 3,000 random objects of random keys and values of every JSON type.
SELECT setseed(0.42);
SELECT count(*) > 1000 AS many_problems, count(DISTINCT code) > 5 AS many_kinds_of_problem
FROM generate_series(1, 3000) AS n
CROSS JOIN LATERAL (
    SELECT jsonb_object_agg(k.key, k.val) AS doc
    FROM (SELECT (ARRAY['title', 'code', 'takes', 'budget', 'shoot_day', 'link', 'format', 'channels', 'approved',
                         'editor', 'for_client', 'contact', 'phone', 'slate', 'x' || n])[1 + floor(random() * 15)::int] AS key,
                 (ARRAY['null', 'true', '1e400', '-0', '"' || repeat('é', (random() * 50)::int) || '"', '[]', '[1,[2,[3]]]',
                        '{"name": "a", "url": "b"}', '"2026-13-40"', '"+1 (555) 0100"', '"http://[::1]/"', '"a@b"',
                        '12345678901234567890', '"' || md5(n::text) || '"'])[1 + floor(random() * 14)::int]::jsonb AS val
          FROM generate_series(1, 1 + (n % 7)) AS g) k
    GROUP BY n) d
CROSS JOIN LATERAL mycelium.validate_custom_fields('0000000a-0000-7000-8000-0000000000e1', d.doc) v;
SELECT 'alive' AS backend;

REVOKE ALL ON ALL TABLES IN SCHEMA mycelium FROM regress_mycelium_app;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA mycelium FROM regress_mycelium_app;
REVOKE ALL ON SCHEMA mycelium FROM regress_mycelium_app;
DROP ROLE regress_mycelium_app;
