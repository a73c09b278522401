-- Triggers: updated_at, slugs and the activity log.

-- Each file starts from an empty schema.
SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
RESET client_min_messages;

INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.test', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'eve@a.test', 'Eve', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bob@b.test', 'Bob', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type) VALUES
    ('0000000a-0000-7000-8000-0000000000e1', '0000000a-0000-7000-8000-000000000000', 'Social', 'social', 'RECURRING');

-- ------ updated_at ------
-- Set on every update to the transaction's time, on every table that has it.
SELECT count(*) AS tables_with_updated_at,
       count(*) FILTER (WHERE EXISTS (SELECT FROM pg_trigger g WHERE g.tgrelid = c.oid
                                      AND g.tgname = 'touch_updated_at')) AS with_trigger
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'updated_at'
WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind = 'r';
BEGIN;
UPDATE mycelium.users SET updated_at = '2000-01-01', created_at = '2000-01-01';
SELECT bool_and(updated_at = now()) AS touched, bool_and(created_at = '2000-01-01') AS created_kept
FROM mycelium.users;
COMMIT;
-- The trigger refuses to be used where it makes no sense.
CREATE TABLE pg_temp.no_updated_at (x int);
CREATE TRIGGER t BEFORE UPDATE ON pg_temp.no_updated_at FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at();
INSERT INTO pg_temp.no_updated_at VALUES (1);
UPDATE pg_temp.no_updated_at SET x = 2;
SELECT mycelium_internal.touch_updated_at();

-- ------ Slugs ------
-- An empty or NULL slug comes from the name, with -2, -3 to stay unique in its
-- organization; another organization starts again at the plain slug.
INSERT INTO mycelium.clients (organization_id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Café Münster', ''),
    ('0000000a-0000-7000-8000-000000000000', 'Cafe Munster', NULL),
    ('0000000a-0000-7000-8000-000000000000', 'CAFÉ MÜNSTER!', '');
INSERT INTO mycelium.clients (organization_id, name) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Café Münster GmbH'),
    ('0000000b-0000-7000-8000-000000000000', 'Café Münster');
SELECT o.slug AS organization, c.name, c.slug FROM mycelium.clients c
JOIN mycelium.organizations o ON o.id = c.organization_id ORDER BY o.slug, c.slug;
-- An explicit slug is kept as given; a clash is the unique key's error.
INSERT INTO mycelium.clients (organization_id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Anything', 'cafe-munster');
-- A malformed explicit slug is refused.
\set VERBOSITY terse
INSERT INTO mycelium.clients (organization_id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Bad', 'Not A Slug');
\set VERBOSITY default
-- A name with nothing to make a slug from is refused, naming the problem.
INSERT INTO mycelium.clients (organization_id, name) VALUES ('0000000a-0000-7000-8000-000000000000', '🎉');
-- Renaming keeps the slug (URLs stay stable); blanking the slug makes a new one.
UPDATE mycelium.clients SET name = 'Münster Roasters' WHERE slug = 'cafe-munster-3';
UPDATE mycelium.clients SET slug = '' WHERE name = 'Münster Roasters';
SELECT name, slug FROM mycelium.clients WHERE name = 'Münster Roasters';
-- Organizations are unique across the system, service types per organization.
INSERT INTO mycelium.organizations (name, slug) VALUES ('Agency A', ''), ('Agency  A!', '');
INSERT INTO mycelium.service_types (organization_id, name, workflow_type) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Social', 'RECURRING');
SELECT slug FROM mycelium.organizations ORDER BY slug;
SELECT slug FROM mycelium.service_types ORDER BY slug;
-- A statement that fills many slugs holds one advisory lock per scope, not one per
-- row: a transaction keeps its locks to the end, and a bulk import of tens of
-- thousands of clients must not run the shared lock table out of memory.
BEGIN;
INSERT INTO mycelium.clients (organization_id, name)
SELECT o.id, 'Bulk client ' || n
FROM generate_series(1, 200) AS n
CROSS JOIN (VALUES ('0000000a-0000-7000-8000-000000000000'::uuid), ('0000000b-0000-7000-8000-000000000000')) AS o(id);
SELECT count(*) AS slugs_filled, count(DISTINCT (organization_id, slug)) AS distinct_slugs
FROM mycelium.clients WHERE name LIKE 'Bulk client %';
SELECT count(*) AS advisory_locks_held FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();
ROLLBACK;

-- ------ Activity log ------
TRUNCATE mycelium.activity_logs;
-- Inserts: one row each, with the new values; no session user, so no actor.
INSERT INTO mycelium.deliverables (id, organization_id, client_id, service_type_id, title, created_by_id)
SELECT ('0000000a-0000-7000-8000-0000000000d' || n)::uuid, '0000000a-0000-7000-8000-000000000000', c.id,
       '0000000a-0000-7000-8000-0000000000e1', 'Reel ' || n, '0000000a-0000-7000-8000-0000000000a1'
FROM generate_series(1, 3) AS n, mycelium.clients c WHERE c.slug = 'cafe-munster' AND c.organization_id = '0000000a-0000-7000-8000-000000000000';
SELECT action, resource_type, resource_name, user_id, new_values ->> 'title' AS new_title, old_values, changed_fields
FROM mycelium.activity_logs ORDER BY resource_name;

-- The actor is the context's user (here from request.jwt.claims, as PostgREST
-- sets it), not the deliverable's creator.
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub": "0000000a-0000-7000-8000-0000000000a2", "app_role": "VIDEO_EDITOR",
    "organization_id": "0000000a-0000-7000-8000-000000000000"}', true) IS NOT NULL AS claims_set;
UPDATE mycelium.deliverables SET status = 'IN_PROGRESS', assigned_user_id = '0000000a-0000-7000-8000-0000000000a2'
 WHERE title = 'Reel 1';
-- The completion is stamped by the database (now, by the actor), whatever the
-- caller writes into completed_at.
UPDATE mycelium.deliverables SET status = 'COMPLETED', completed_at = '2026-11-01 12:00+00' WHERE title = 'Reel 2';
-- An update that changes nothing records nothing.
UPDATE mycelium.deliverables SET title = title WHERE title = 'Reel 3';
COMMIT;
SELECT action, resource_name, u.name AS actor, changed_fields, old_values, new_values - 'completed_at' AS new_values,
       (new_values ->> 'completed_at')::timestamptz > '2026-11-02' AS completed_now
FROM mycelium.activity_logs l LEFT JOIN mycelium.users u ON u.id = l.user_id
WHERE action <> 'created' ORDER BY resource_name;

-- A user of another organization, or a malformed claim, is no actor at all (and
-- never makes the write fail).
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub": "0000000b-0000-7000-8000-0000000000b1", "app_role": "ADMIN",
    "organization_id": "0000000b-0000-7000-8000-000000000000"}', true) IS NOT NULL AS claims_set;
UPDATE mycelium.deliverables SET priority = 'HIGH' WHERE title = 'Reel 3';
SELECT set_config('request.jwt.claims', '{not json', true) IS NOT NULL AS claims_set;
UPDATE mycelium.deliverables SET priority = 'URGENT' WHERE title = 'Reel 3';
SELECT set_config('request.jwt.claims', '{"sub": "ann"}', true) IS NOT NULL AS claims_set;
UPDATE mycelium.deliverables SET priority = 'LOW' WHERE title = 'Reel 3';
COMMIT;
SELECT new_values ->> 'priority' AS priority, user_id FROM mycelium.activity_logs
WHERE resource_name = 'Reel 3' AND action = 'updated' ORDER BY "timestamp", new_values ->> 'priority';
-- After the transaction the setting reads back as '' and means nobody.
SELECT current_setting('request.jwt.claims', true) AS claims_after, mycelium.current_app_user_id() AS actor;

-- A password is not a column of users (mycelium_internal.credentials): setting
-- one logs nothing that holds it.
UPDATE mycelium.users SET title = 'Founder' WHERE name = 'Ann';
SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a1', 'secret-password-2');
SELECT changed_fields, old_values, new_values FROM mycelium.activity_logs
WHERE resource_type = 'user' AND action = 'updated';
SELECT count(*) AS logs_holding_a_secret FROM mycelium.activity_logs
WHERE old_values::text LIKE '%secret-password%' OR new_values::text LIKE '%secret-password%'
   OR old_values::text LIKE '%argon2%' OR new_values::text LIKE '%argon2%';

-- Deletes keep the old values; the client's cascade to its deliverables is logged too.
DELETE FROM mycelium.clients WHERE slug = 'cafe-munster' AND organization_id = '0000000a-0000-7000-8000-000000000000';
SELECT action, resource_type, resource_name, old_values ->> 'status' AS old_status
FROM mycelium.activity_logs WHERE action = 'deleted' ORDER BY resource_type, resource_name;

-- A bulk insert is logged row by row, by one statement-level call.
INSERT INTO mycelium.clients (organization_id, name)
SELECT '0000000b-0000-7000-8000-000000000000', 'Bulk client ' || n FROM generate_series(1, 1000) AS n;
SELECT count(*) AS bulk_logged FROM mycelium.activity_logs WHERE resource_name LIKE 'Bulk client %';

-- Deleting an organization removes all of it, log included, without error.
DELETE FROM mycelium.organizations WHERE id = '0000000b-0000-7000-8000-000000000000';
SELECT count(*) AS rows_left_of_b FROM mycelium.activity_logs WHERE organization_id = '0000000b-0000-7000-8000-000000000000';
