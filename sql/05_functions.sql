-- Onboarding and maintenance functions.
\i sql/include/helpers.psql

-- Each file starts from an empty schema.
SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
RESET client_min_messages;

-- ------ create_organization ------
-- The organization, its settings and branding, and the document's defaults:
-- four service types, and three fields on the recurring social media service.
SELECT name, slug FROM mycelium.create_organization('IseMedia Agency', timezone => 'America/Chicago');
SELECT s.timezone, s.notification_frequency, b.primary_color
FROM mycelium.organizations o
JOIN mycelium.organization_settings s ON s.organization_id = o.id
JOIN mycelium.organization_branding b ON b.organization_id = o.id;
SELECT name, slug, workflow_type, default_duration FROM mycelium.service_types ORDER BY sort_order;
SELECT st.slug AS service, f.name, f.slug, f.type, f.is_required
FROM mycelium.deliverable_fields f
JOIN mycelium.service_types st ON st.organization_id = f.organization_id AND st.id = f.service_type_id
ORDER BY f.sort_order;
-- A second agency of the same name gets its own slug; an explicit one is used as given.
SELECT slug FROM mycelium.create_organization('IseMedia Agency');
SELECT slug FROM mycelium.create_organization('Other', slug => 'other-agency');
-- Bad input: a clear error, and nothing half-written.
SELECT count(*) AS organizations_before FROM mycelium.organizations;
SELECT regress.try($$SELECT mycelium.create_organization(NULL)$$) AS null_name;
SELECT regress.try($$SELECT mycelium.create_organization('   ')$$) AS blank_name;
SELECT regress.try($$SELECT mycelium.create_organization('X', timezone => 'Mars/Olympus_Mons')$$) AS bad_time_zone;
SELECT regress.try($$SELECT mycelium.create_organization('X', timezone => NULL)$$) AS null_time_zone;
SELECT regress.try($$SELECT mycelium.create_organization('X', slug => 'other-agency')$$) AS taken_slug;
SELECT regress.try($$SELECT mycelium.create_organization('X', slug => 'Bad Slug!')$$) AS malformed_slug;
SELECT regress.try($$SELECT mycelium.create_organization('🎉')$$) AS nothing_to_slug;
SELECT regress.try($$SELECT mycelium.create_organization(repeat('x', 100000))$$) AS huge_name;
SELECT count(*) AS organizations_after, (SELECT count(*) FROM mycelium.service_types) AS service_types
FROM mycelium.organizations;

-- ------ archive_old_deliverables ------
SELECT id AS org, (SELECT id FROM mycelium.service_types s WHERE s.organization_id = o.id AND slug = 'social') AS social
FROM mycelium.organizations o WHERE slug = 'isemedia-agency' \gset
INSERT INTO mycelium.users (id, organization_id, email, name, role, status)
VALUES ('0000000a-0000-7000-8000-0000000000a1', :'org', 'ann@isemedia.test', 'Ann', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.clients (id, organization_id, name) VALUES ('0000000a-0000-7000-8000-0000000000c1', :'org', 'Acme');
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, status, created_by_id, due_date,
                                   completed_at, custom_fields)
SELECT :'org', '0000000a-0000-7000-8000-0000000000c1', :'social', v.title, v.status::mycelium.deliverable_status,
       '0000000a-0000-7000-8000-0000000000a1', now() - v.age, CASE WHEN v.status = 'COMPLETED' THEN now() - v.age END,
       jsonb_build_object('deliverable_name', v.title, 'edit_by_date', '2026-01-15')
FROM (VALUES ('done 7 months ago', 'COMPLETED', interval '7 months'),
             ('done 1 month ago', 'COMPLETED', interval '1 month'),
             ('cancelled 1 year ago', 'CANCELLED', interval '1 year'),
             ('approved 1 year ago', 'APPROVED', interval '1 year'),
             ('still open, due a year ago', 'IN_PROGRESS', interval '1 year')) AS v(title, status, age);
-- Only what was completed more than six months ago is archived; nothing turns
-- OVERDUE on the way (the document's overdue trigger would have caught this update).
SELECT mycelium.archive_old_deliverables() AS archived;
SELECT title, status FROM mycelium.deliverables ORDER BY title;
-- Archived work still counts as completed in the analytics.
SELECT total_deliverables, completed_deliverables, completion_rate
FROM mycelium.organization_analytics WHERE organization_name = 'IseMedia Agency' AND total_deliverables > 0;
SELECT mycelium.archive_old_deliverables() AS archived_again;
SELECT mycelium.archive_old_deliverables(interval '2 weeks') AS archived_with_shorter_retention;
SELECT regress.try($$SELECT mycelium.archive_old_deliverables(NULL)$$) AS null_interval;
SELECT regress.try($$SELECT mycelium.archive_old_deliverables(interval '-1 day')$$) AS negative_interval;

-- ------ cleanup_old_activity_logs ------
UPDATE mycelium.activity_logs SET "timestamp" = now() - interval '2 years'
WHERE resource_type = 'client';
SELECT mycelium.cleanup_old_activity_logs() AS deleted;
SELECT count(*) FILTER (WHERE resource_type = 'client') AS client_logs_left, count(*) > 0 AS others_kept
FROM mycelium.activity_logs;
SELECT regress.try($$SELECT mycelium.cleanup_old_activity_logs(interval '0')$$) AS zero_retention;

-- ------ database_health_check ------
SELECT key, jsonb_typeof(value) AS type
FROM jsonb_each(mycelium.database_health_check()) ORDER BY key;
SELECT (h ->> 'total_organizations')::int AS organizations, (h ->> 'total_deliverables')::int AS deliverables,
       (SELECT count(*) FROM jsonb_object_keys(h -> 'table_sizes_mb')) AS sized_tables,
       h -> 'table_sizes_mb' ? 'mycelium.deliverables' AS names_are_qualified
FROM (SELECT mycelium.database_health_check() AS h) s;

-- ------ Writing functions refuse a read-only transaction (and a hot standby) ------
BEGIN READ ONLY;
SELECT mycelium.archive_old_deliverables();
ROLLBACK;
BEGIN READ ONLY;
SELECT mycelium.create_organization('Read Only');
ROLLBACK;
BEGIN READ ONLY;
SELECT (mycelium.database_health_check() ->> 'total_organizations')::int AS readable_in_read_only;
ROLLBACK;

-- ------ Maintenance is not for everyone ------
CREATE ROLE regress_mycelium_nobody;
GRANT USAGE ON SCHEMA mycelium TO regress_mycelium_nobody;
SET ROLE regress_mycelium_nobody;
SELECT mycelium.archive_old_deliverables();
SELECT mycelium.cleanup_old_activity_logs();
SELECT mycelium.create_organization('Sneaky');
RESET ROLE;
REVOKE USAGE ON SCHEMA mycelium FROM regress_mycelium_nobody;
DROP ROLE regress_mycelium_nobody;
