-- Every notification type of the design document is the database's, each to the
-- people its settings name (docs/notifications.md): clients added and updated,
-- projects created and completed, an integration's errors, the operator's
-- maintenance announcement; portal users hear of work awaiting their approval
-- and of replies to their comments, on in_app and, as their client prefers, by
-- e-mail; claim_deliveries carries the organization's e-mail branding.
-- Non-superuser roles of two organizations.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.organization_settings (organization_id, timezone, notification_frequency,
                                            enable_client_portal) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'UTC', 'immediate', true),
    ('0000000b-0000-7000-8000-000000000000', 'UTC', 'immediate', false);
INSERT INTO mycelium.organization_branding (organization_id, email_header_html, email_footer_html, email_signature)
VALUES ('0000000a-0000-7000-8000-000000000000', '<h1>Agency A</h1>', '<p>Agency A, Main St.</p>', 'Your Agency A team');
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'vic@a.example', 'Vic', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-000000000000', 'sam@a.example', 'Sam', 'SEO_STRATEGIST', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a4', '0000000a-0000-7000-8000-000000000000', 'ina@a.example', 'Ina', 'ADMIN', 'INACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a5', '0000000a-0000-7000-8000-000000000000', 'ada@a.example', 'Ada', 'ADMIN', 'ACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bea@b.example', 'Bea', 'ADMIN', 'ACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b2', '0000000b-0000-7000-8000-000000000000', 'bob@b.example', 'Bob', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type, default_duration) VALUES
    ('0000000a-0000-7000-8000-0000000000e1', '0000000a-0000-7000-8000-000000000000', 'Social', 'social', 'RECURRING', 10),
    ('0000000b-0000-7000-8000-0000000000e1', '0000000b-0000-7000-8000-000000000000', 'Social', 'social', 'RECURRING', 10);
-- Bakery: no preference (e-mail) to each portal user's own address; Florist:
-- e-mail to its office; Garage: by phone, so in_app only.
INSERT INTO mycelium.clients (id, organization_id, name, slug, notification_email, preferred_contact_method) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Bakery', 'bakery', NULL, NULL),
    ('0000000a-0000-7000-8000-0000000000c2', '0000000a-0000-7000-8000-000000000000', 'Florist', 'florist',
     'office@florist.example', 'email'),
    ('0000000a-0000-7000-8000-0000000000c3', '0000000a-0000-7000-8000-000000000000', 'Garage', 'garage', NULL, 'phone'),
    ('0000000b-0000-7000-8000-0000000000c1', '0000000b-0000-7000-8000-000000000000', 'Bistro', 'bistro', NULL, NULL);
INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name, role, can_approve, is_active) VALUES
    ('0000000a-0000-7000-8000-0000000000f1', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     'pat@bakery.example', 'Pat', 'PRIMARY', true, true),
    ('0000000a-0000-7000-8000-0000000000f2', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     'pia@bakery.example', 'Pia', 'VIEWER', true, true),
    ('0000000a-0000-7000-8000-0000000000f3', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     'pam@bakery.example', 'Pam', 'PRIMARY', true, false),
    ('0000000a-0000-7000-8000-0000000000f4', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     'pen@bakery.example', 'Pen', 'PRIMARY', false, true),
    ('0000000a-0000-7000-8000-0000000000f5', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2',
     'fay@florist.example', 'Fay', 'PRIMARY', true, true),
    ('0000000a-0000-7000-8000-0000000000f6', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2',
     'flo@florist.example', 'Flo', 'ADMIN', true, true),
    ('0000000a-0000-7000-8000-0000000000f7', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c3',
     'gus@garage.example', 'Gus', 'PRIMARY', true, true),
    ('0000000b-0000-7000-8000-0000000000f1', '0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000c1',
     'bo@bistro.example', 'Bo', 'PRIMARY', true, true);
INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id, role) VALUES
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     '0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-0000000000e1', 'PRIMARY'),
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2',
     '0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-0000000000e1', 'SECONDARY');
INSERT INTO mycelium.deliverables (id, organization_id, client_id, service_type_id, title, created_by_id, due_date,
                                   assigned_user_id) VALUES
    ('0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     '0000000a-0000-7000-8000-0000000000e1', 'Bakery reel', '0000000a-0000-7000-8000-0000000000a1', '2026-12-20 12:00+00',
     '0000000a-0000-7000-8000-0000000000a2'),
    ('0000000a-0000-7000-8000-0000000000d2', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2',
     '0000000a-0000-7000-8000-0000000000e1', 'Florist reel', '0000000a-0000-7000-8000-0000000000a1', '2026-12-20 12:00+00',
     '0000000a-0000-7000-8000-0000000000a2'),
    ('0000000a-0000-7000-8000-0000000000d3', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c3',
     '0000000a-0000-7000-8000-0000000000e1', 'Garage reel', '0000000a-0000-7000-8000-0000000000a1', '2026-12-20 12:00+00',
     '0000000a-0000-7000-8000-0000000000a2'),
    ('0000000b-0000-7000-8000-0000000000d1', '0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000c1',
     '0000000b-0000-7000-8000-0000000000e1', 'Bistro menu', '0000000b-0000-7000-8000-0000000000b1', '2026-12-20 12:00+00',
     NULL);
INSERT INTO mycelium.integrations (id, organization_id, type, name, config) VALUES
    ('0000000a-0000-7000-8000-000000000011', '0000000a-0000-7000-8000-000000000000', 'DROPBOX', 'Dropbox', '{}');
-- The setup's own notices (the clients added by the superuser, the assignments).
SELECT type, count(*) FROM mycelium.notifications GROUP BY type ORDER BY type;
DELETE FROM mycelium.notifications;

-- Who heard what, since the last look (as the superuser, who sees everything).
CREATE VIEW regress.heard AS
SELECT o.slug AS org, n.type, n.title, coalesce(u.name, cu.name) AS recipient,
       CASE WHEN r.client_user_id IS NOT NULL THEN 'portal' ELSE 'staff' END AS kind, r.channel, r.email_address,
       n.message
  FROM mycelium.notifications n
  JOIN mycelium.organizations o ON o.id = n.organization_id
  JOIN mycelium.notification_recipients r ON r.organization_id = n.organization_id AND r.notification_id = n.id
  LEFT JOIN mycelium.users u ON u.organization_id = r.organization_id AND u.id = r.user_id
  LEFT JOIN mycelium.client_users cu ON cu.organization_id = r.organization_id AND cu.id = r.client_user_id
 ORDER BY 1, 2, 4, 6;

DROP ROLE IF EXISTS regress_ntf_app;
CREATE ROLE regress_ntf_app;
SELECT mycelium.grant_access('regress_ntf_app', 'app');
GRANT USAGE ON SCHEMA regress TO regress_ntf_app;
DROP ROLE IF EXISTS regress_ntf_ops;
CREATE ROLE regress_ntf_ops;
SELECT mycelium.grant_access('regress_ntf_ops', 'maintenance');
DROP ROLE IF EXISTS regress_ntf_mailer;
CREATE ROLE regress_ntf_mailer;
SELECT mycelium.grant_access('regress_ntf_mailer', 'delivery');
SET ROLE regress_ntf_app;

-- ------ CLIENT_ADDED, CLIENT_UPDATED ------
-- Ann adds a client: the other active ADMIN hears (not Ann, not the inactive
-- Ina, not organization B). Bea adds one in B: Bob hears.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
INSERT INTO mycelium.clients (organization_id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Dairy', 'dairy'),
    ('0000000a-0000-7000-8000-000000000000', 'Eatery', 'eatery');
COMMIT;
BEGIN;
SELECT mycelium.set_context('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
INSERT INTO mycelium.clients (organization_id, name, slug) VALUES ('0000000b-0000-7000-8000-000000000000', 'Bar', 'bar');
COMMIT;
RESET ROLE;
SELECT org, type, title, recipient, kind, channel, message FROM regress.heard WHERE channel = 'in_app'
 ORDER BY org, message, recipient;
SELECT org, recipient, channel, email_address FROM regress.heard WHERE channel <> 'in_app';
DELETE FROM mycelium.notifications;
SET ROLE regress_ntf_app;
-- Notes, tags and a bare touch tell nobody; the status and the contact person
-- tell the ADMINs and the client's assigned staff (Vic serves Bakery).
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
UPDATE mycelium.clients SET notes = 'Likes croissants', tags = '{vip}' WHERE slug = 'bakery';
UPDATE mycelium.clients SET updated_at = now() WHERE slug = 'bakery';
SELECT count(*) AS after_notes FROM mycelium.notifications;
UPDATE mycelium.clients SET status = 'PAUSED', contact_person = 'Bea Baker' WHERE slug = 'bakery';
COMMIT;
RESET ROLE;
SELECT org, type, recipient, kind, channel FROM regress.heard WHERE channel = 'in_app';
SELECT message, metadata FROM mycelium.notifications;
DELETE FROM mycelium.notifications;
SET ROLE regress_ntf_app;

-- ------ PROJECT_CREATED, PROJECT_COMPLETED ------
-- To the manager, the client's assigned staff (Sam serves Florist) and the
-- ADMINs but the actor; other status changes tell nobody.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
INSERT INTO mycelium.projects (id, organization_id, client_id, name, manager_id) VALUES
    ('0000000a-0000-7000-8000-000000000021', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c2', 'Spring campaign', '0000000a-0000-7000-8000-0000000000a2');
UPDATE mycelium.projects SET status = 'ACTIVE' WHERE name = 'Spring campaign';
UPDATE mycelium.projects SET status = 'COMPLETED' WHERE name = 'Spring campaign';
UPDATE mycelium.projects SET description = 'Done' WHERE name = 'Spring campaign';
COMMIT;
RESET ROLE;
SELECT org, type, title, recipient, channel FROM regress.heard WHERE channel = 'in_app';
SELECT DISTINCT type, related_type, related_id = '0000000a-0000-7000-8000-000000000021' AS about_it,
       sender_id = '0000000a-0000-7000-8000-0000000000a1' AS from_ann
  FROM mycelium.notifications ORDER BY type;
DELETE FROM mycelium.notifications;
SET ROLE regress_ntf_app;

-- ------ INTEGRATION_ERROR ------
-- An integration disabled for its failures (an update that records a failure
-- and turns it off) tells the ADMINs (but the actor). A failure that leaves it
-- enabled, a sync, and an ADMIN turning it off by hand tell nobody. The
-- integration's service, without a tenant context, tells every active ADMIN.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
UPDATE mycelium.integrations SET is_enabled = true;
UPDATE mycelium.integrations SET error_count = error_count + 1, last_error = 'token expired', last_error_at = clock_timestamp();
UPDATE mycelium.integrations SET error_count = error_count + 1, last_error = 'token revoked', last_error_at = clock_timestamp(),
                                 is_enabled = false;
UPDATE mycelium.integrations SET last_sync_at = now();
COMMIT;
RESET ROLE;
UPDATE mycelium.integrations SET is_enabled = true;
UPDATE mycelium.integrations SET error_count = error_count + 1, last_error = 'quota exceeded',
                                 last_error_at = clock_timestamp(), is_enabled = false;
UPDATE mycelium.integrations SET is_enabled = true, error_count = 0, last_error = NULL;
UPDATE mycelium.integrations SET is_enabled = false;
SELECT org, type, recipient, channel, email_address FROM regress.heard;
SELECT message, metadata FROM mycelium.notifications ORDER BY id;
DELETE FROM mycelium.notifications;
SET ROLE regress_ntf_app;

-- ------ Portal users: work awaiting their approval ------
-- One statement sends three deliverables for approval: each client's active
-- portal users who may approve hear (not Pia, a VIEWER; not Pam, inactive; not
-- Pen, without can_approve). E-mail as the client prefers: Pat at his own
-- address, Florist's office once, Garage (phone) in_app only. Staff hear nothing.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
UPDATE mycelium.deliverables SET status = 'NEEDS_APPROVAL'
 WHERE id IN ('0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-0000000000d2',
              '0000000a-0000-7000-8000-0000000000d3');
COMMIT;
-- Organization B has turned its client portal off: Bo hears nothing.
BEGIN;
SELECT mycelium.set_context('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
UPDATE mycelium.deliverables SET status = 'NEEDS_APPROVAL';
COMMIT;
RESET ROLE;
SELECT org, type, recipient, kind, channel, email_address FROM regress.heard;
SELECT count(*) AS b_notifications FROM mycelium.notifications
 WHERE organization_id = '0000000b-0000-7000-8000-000000000000';
SET ROLE regress_ntf_app;

-- ------ Portal users: replies to their comments ------
-- Pat comments (the staff around the deliverable hear); Vic replies (Pat hears,
-- and Ann, its creator); an internal reply does not reach Pat; Pat answering
-- himself does not tell Pat.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f1', 'CLIENT',
                            '0000000a-0000-7000-8000-0000000000c1');
INSERT INTO mycelium.comments (id, organization_id, deliverable_id, client_user_id, content) VALUES
    ('0000000a-0000-7000-8000-000000000031', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-0000000000f1', 'Can the logo be bigger?');
COMMIT;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, parent_id) VALUES
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000d1',
     '0000000a-0000-7000-8000-0000000000a2', 'Done, have a look.', '0000000a-0000-7000-8000-000000000031');
INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, parent_id, is_internal) VALUES
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000d1',
     '0000000a-0000-7000-8000-0000000000a2', 'He always wants it bigger.', '0000000a-0000-7000-8000-000000000031', true);
COMMIT;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f1', 'CLIENT',
                            '0000000a-0000-7000-8000-0000000000c1');
INSERT INTO mycelium.comments (organization_id, deliverable_id, client_user_id, content, parent_id) VALUES
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000d1',
     '0000000a-0000-7000-8000-0000000000f1', 'And the colour too.', '0000000a-0000-7000-8000-000000000031');
COMMIT;
RESET ROLE;
SELECT n.message, coalesce(u.name, cu.name) AS recipient, r.channel
  FROM mycelium.notifications n
  JOIN mycelium.notification_recipients r ON r.organization_id = n.organization_id AND r.notification_id = n.id
  LEFT JOIN mycelium.users u ON u.organization_id = r.organization_id AND u.id = r.user_id
  LEFT JOIN mycelium.client_users cu ON cu.organization_id = r.organization_id AND cu.id = r.client_user_id
 WHERE n.type = 'COMMENT_ADDED'
 ORDER BY n.id, 2, 3;
SET ROLE regress_ntf_app;

-- ------ A portal user reads and marks its own, and nobody else's ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f1', 'CLIENT',
                            '0000000a-0000-7000-8000-0000000000c1');
SELECT type, title FROM mycelium.notifications ORDER BY id;
SELECT count(*) AS my_rows, count(*) FILTER (WHERE client_user_id = '0000000a-0000-7000-8000-0000000000f1') AS mine
  FROM mycelium.notification_recipients;
UPDATE mycelium.notification_recipients SET read_at = now() WHERE channel = 'in_app';
SELECT count(*) AS read FROM mycelium.notification_recipients WHERE read_at IS NOT NULL;
-- Fay's row, and staff rows, are not there to change.
UPDATE mycelium.notification_recipients SET read_at = now()
 WHERE client_user_id = '0000000a-0000-7000-8000-0000000000f5' OR client_user_id IS NULL;
SELECT regress.try($$UPDATE mycelium.notification_recipients SET email_status = 'opened'$$) AS email_status;
SELECT regress.try($$UPDATE mycelium.notification_recipients SET email_address = 'me@evil.example'$$) AS address;
SELECT regress.try($$DELETE FROM mycelium.notification_recipients$$) AS delete_rows;
COMMIT;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f5', 'CLIENT',
                            '0000000a-0000-7000-8000-0000000000c2');
SELECT type, title FROM mycelium.notifications ORDER BY id;
SELECT count(*) AS fay_rows, count(*) FILTER (WHERE read_at IS NOT NULL) AS read FROM mycelium.notification_recipients;
COMMIT;
-- Staff do not see the portal users' rows (Vic), ADMINs see all.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
SELECT count(*) FILTER (WHERE client_user_id IS NOT NULL) AS portal_rows_vic_sees FROM mycelium.notification_recipients;
COMMIT;
RESET ROLE;
SELECT cu.name, r.channel, r.read_at IS NOT NULL AS read
  FROM mycelium.notification_recipients r JOIN mycelium.client_users cu ON cu.id = r.client_user_id
 WHERE r.channel = 'in_app' ORDER BY 1, r.id;

-- ------ The database's types are the database's ------
SET ROLE regress_ntf_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT t AS type, regress.try(format(
           $$INSERT INTO mycelium.notifications (organization_id, type, title, message, sender_id, channels)
             VALUES ('0000000a-0000-7000-8000-000000000000', %L, 'Fake', 'Fake', '0000000a-0000-7000-8000-0000000000a1',
                     '{in_app,email}')$$, t)) AS outcome
  FROM unnest(ARRAY['CLIENT_ADDED', 'CLIENT_UPDATED', 'PROJECT_CREATED', 'PROJECT_COMPLETED', 'INTEGRATION_ERROR',
                    'SYSTEM_MAINTENANCE']) AS t;
SELECT count(*) AS types_an_application_may_make
  FROM unnest(enum_range(NULL::mycelium.notification_type)) AS t
 WHERE t <> ALL (mycelium.database_notification_types());
-- Nor is the announcement the application's.
SELECT regress.try($$SELECT mycelium.announce_maintenance('Down', 'Down', now())$$) AS app_announces;
COMMIT;
RESET ROLE;

-- ------ SYSTEM_MAINTENANCE ------
SET ROLE regress_ntf_ops;
SELECT mycelium.announce_maintenance('Database upgrade', 'Mycelium is down for ten minutes.',
                                     '2026-12-24 02:00+00', '2026-12-24 02:10+00') AS organizations_told;
SELECT t.description, regress.try(t.statement) AS outcome
FROM (VALUES
    ('blank title', $$SELECT mycelium.announce_maintenance(' ', 'x', now())$$),
    ('no message', $$SELECT mycelium.announce_maintenance('x', NULL, now())$$),
    ('no start', $$SELECT mycelium.announce_maintenance('x', 'x', NULL)$$),
    ('infinite start', $$SELECT mycelium.announce_maintenance('x', 'x', 'infinity')$$),
    ('ends before it starts', $$SELECT mycelium.announce_maintenance('x', 'x', '2026-12-24', '2026-12-23')$$),
    ('huge title', $$SELECT mycelium.announce_maintenance(repeat('é', 1000000), 'x', now())$$),
    ('huge message', $$SELECT mycelium.announce_maintenance('x', repeat('x', 1000000), now())$$),
    ('NULL title', $$SELECT mycelium.announce_maintenance(NULL, 'x', now())$$)
) AS t(description, statement);
RESET ROLE;
SELECT org, type, title, recipient, channel, message FROM regress.heard WHERE type = 'SYSTEM_MAINTENANCE';
SELECT DISTINCT related_type, related_id, sender_id, metadata FROM mycelium.notifications
 WHERE type = 'SYSTEM_MAINTENANCE';
-- Not from within a tenant's context, even for a role that may.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT regress.try($$SELECT mycelium.announce_maintenance('x', 'x', now())$$) AS in_a_context;
COMMIT;
BEGIN READ ONLY;
SELECT regress.try($$SELECT mycelium.announce_maintenance('x', 'x', now())$$) AS read_only;
COMMIT;

-- ------ claim_deliveries: portal addresses and the organization's branding ------
-- E-mail to the portal users of the approvals and the reply above, and the
-- announcement: the name and address are the portal user's (or its client's
-- office), the branding the organization's (B has none).
SET ROLE regress_ntf_mailer;
SELECT o.slug AS org, d.type, d.user_name, d.user_id IS NULL AS no_user, d.client_user_id IS NOT NULL AS portal,
       d.email_address, d.email_header_html, d.email_footer_html, d.email_signature
  FROM mycelium.claim_deliveries('email', 100) d
  JOIN (VALUES ('0000000a-0000-7000-8000-000000000000'::uuid, 'agency-a'),
               ('0000000b-0000-7000-8000-000000000000'::uuid, 'agency-b')) AS o(id, slug) ON o.id = d.organization_id
 WHERE d.type IN ('DELIVERABLE_NEEDS_REVIEW', 'SYSTEM_MAINTENANCE', 'COMMENT_ADDED')
 ORDER BY 1, 2, 3, 6;
RESET ROLE;

DROP VIEW regress.heard;
REVOKE USAGE ON SCHEMA regress FROM regress_ntf_app;
DROP OWNED BY regress_ntf_app, regress_ntf_ops, regress_ntf_mailer;
DROP ROLE regress_ntf_app;
DROP ROLE regress_ntf_ops;
DROP ROLE regress_ntf_mailer;
