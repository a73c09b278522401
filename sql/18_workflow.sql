-- What the design document's roles, flags and stamps say, kept by the database:
-- a VIEWER assignment reads but does not change; a CUSTOM user's services are
-- its users.permissions; users holds no CLIENT; completion, approval, pause and
-- assignment are stamped with who and when; a reply answers a comment on the
-- same deliverable; a deliverable without a due date gets one. Non-superuser
-- roles of two organizations.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.organization_settings (organization_id, timezone, enable_time_tracking) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Europe/Berlin', true),
    ('0000000b-0000-7000-8000-000000000000', 'UTC', false);
INSERT INTO mycelium.users (id, organization_id, email, name, role, status, permissions) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'Ann', 'ADMIN', 'ACTIVE', NULL),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'vic@a.example', 'Vic', 'VIDEO_EDITOR', 'ACTIVE', NULL),
    ('0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-000000000000', 'cus@a.example', 'Cus', 'CUSTOM', 'ACTIVE',
     '{"services": ["seo"]}'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bea@b.example', 'Bea', 'ADMIN', 'ACTIVE', NULL);
INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type, default_duration) VALUES
    ('0000000a-0000-7000-8000-0000000000e1', '0000000a-0000-7000-8000-000000000000', 'Social', 'social', 'RECURRING', 10),
    ('0000000a-0000-7000-8000-0000000000e2', '0000000a-0000-7000-8000-000000000000', 'SEO', 'seo', 'PROJECT', 30);
INSERT INTO mycelium.clients (id, organization_id, name, slug) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Bakery', 'bakery'),
    ('0000000a-0000-7000-8000-0000000000c2', '0000000a-0000-7000-8000-000000000000', 'Florist', 'florist');
INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name, role, can_approve) VALUES
    ('0000000a-0000-7000-8000-0000000000f1', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c1', 'pat@bakery.example', 'Pat', 'PRIMARY', true);
INSERT INTO mycelium.deliverables (id, organization_id, client_id, service_type_id, title, created_by_id, due_date,
                                   assigned_user_id) VALUES
    ('0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     '0000000a-0000-7000-8000-0000000000e1', 'Bakery reel', '0000000a-0000-7000-8000-0000000000a1', '2026-12-20 12:00+00',
     NULL),
    ('0000000a-0000-7000-8000-0000000000d2', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2',
     '0000000a-0000-7000-8000-0000000000e1', 'Florist reel', '0000000a-0000-7000-8000-0000000000a1', '2026-12-20 12:00+00',
     '0000000a-0000-7000-8000-0000000000a2');

DROP ROLE IF EXISTS regress_workflow_app;
CREATE ROLE regress_workflow_app;
SELECT mycelium.grant_access('regress_workflow_app', 'app');
GRANT USAGE ON SCHEMA regress TO regress_workflow_app;
SET ROLE regress_workflow_app;

-- ------ Assignments: assigned_by, and VIEWER is read-only ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id, role) VALUES
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     '0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-0000000000e1', 'VIEWER'),
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2',
     '0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-0000000000e1', 'PRIMARY');
-- The acting ADMIN, when the writer does not say.
SELECT role, assigned_by = '0000000a-0000-7000-8000-0000000000a1' AS by_ann FROM mycelium.client_assignments ORDER BY role;
COMMIT;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
-- Vic sees both clients' work...
SELECT title FROM mycelium.deliverables ORDER BY title;
-- ...changes the Florist's (PRIMARY), not the Bakery's (VIEWER), and creates none for it.
SELECT regress.try($$UPDATE mycelium.deliverables SET status = 'IN_PROGRESS' WHERE title = 'Florist reel'$$) AS primary_edits;
UPDATE mycelium.deliverables SET status = 'IN_PROGRESS' WHERE title = 'Bakery reel';
SELECT title, status FROM mycelium.deliverables ORDER BY title;
SELECT regress.try($$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
                             '0000000a-0000-7000-8000-0000000000e1', 'Sneaky', '0000000a-0000-7000-8000-0000000000a2')$$)
    AS viewer_creates;
-- Nor logs time on it (but on the Florist's, which is assigned to it).
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time, end_time)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
                             '0000000a-0000-7000-8000-0000000000d1', '2026-12-01 09:00+00', '2026-12-01 10:00+00')$$)
    AS viewer_logs_time;
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time, end_time)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
                             '0000000a-0000-7000-8000-0000000000d2', '2026-12-01 09:00+00', '2026-12-01 10:00+00')$$)
    AS assignee_logs_time;
-- Nor moves the Florist's work into the client it only views.
SELECT regress.try($$UPDATE mycelium.deliverables SET client_id = '0000000a-0000-7000-8000-0000000000c1'
                     WHERE title = 'Florist reel'$$) AS viewer_target;
ROLLBACK;

-- ------ A CUSTOM user's services are its row's ------
BEGIN;
SELECT set_config('request.jwt.claims', '{"organization_id": "0000000a-0000-7000-8000-000000000000",
    "sub": "0000000a-0000-7000-8000-0000000000a3", "app_role": "CUSTOM", "service_access": ["social", "seo"]}', true)
    IS NOT NULL AS claims_set;
-- The claims asked for social too; the row grants seo only.
SELECT mycelium.current_service_access() AS from_row;
ROLLBACK;
BEGIN;
SELECT regress.try($$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000',
                     '0000000a-0000-7000-8000-0000000000a3', 'CUSTOM', NULL, '{social}')$$) AS other_services;
ROLLBACK;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
-- An ADMIN writes them, in the documented shape only.
SELECT p AS permissions, regress.try(format($$UPDATE mycelium.users SET permissions = %L WHERE email = 'cus@a.example'$$, p))
FROM (VALUES ('{"services": ["seo", "social"]}'), ('[]'), ('{"services": "seo"}'), ('{"services": ["SEO"]}'),
             ('{"services": [1]}'), ('{"admin": true}'), ('{}'), ('{"services": ["seo"]}')) AS t(p);
SELECT permissions FROM mycelium.users WHERE email = 'cus@a.example';
-- users holds staff: CLIENT is refused, on insert and on update.
SELECT regress.try($$INSERT INTO mycelium.users (organization_id, email, name, role, status)
                     VALUES ('0000000a-0000-7000-8000-000000000000', 'client@a.example', 'Client', 'CLIENT', 'ACTIVE')$$)
    AS client_row;
SELECT regress.try($$UPDATE mycelium.users SET role = 'CLIENT' WHERE email = 'vic@a.example'$$) AS to_client;
COMMIT;
-- Cus can act on nothing else, as any user: permissions are an ADMIN's to write.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a3', 'CUSTOM');
SELECT mycelium.current_service_access() AS services;
SELECT regress.try($$UPDATE mycelium.users SET permissions = '{"services": ["seo", "social", "website"]}'
                     WHERE email = 'cus@a.example'$$) AS own_permissions;
ROLLBACK;

-- ------ Completion and approval are stamped ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
-- What a caller writes into a stamp is replaced.
UPDATE mycelium.deliverables SET status = 'COMPLETED', completed_at = '2000-01-01', completed_by_id = NULL
 WHERE title = 'Florist reel';
SELECT status, completed_at = now() AS completed_now, completed_by_id = '0000000a-0000-7000-8000-0000000000a2' AS by_vic
  FROM mycelium.deliverables WHERE title = 'Florist reel';
-- Reopened, it is no longer counted as done.
UPDATE mycelium.deliverables SET status = 'IN_PROGRESS' WHERE title = 'Florist reel';
SELECT status, completed_at, completed_by_id FROM mycelium.deliverables WHERE title = 'Florist reel';
-- Staff approve: approved_by_id; then completed, the approval stays.
UPDATE mycelium.deliverables SET status = 'APPROVED' WHERE title = 'Florist reel';
UPDATE mycelium.deliverables SET status = 'COMPLETED' WHERE title = 'Florist reel';
SELECT status, approved_at IS NOT NULL AS approved, approved_by_id = '0000000a-0000-7000-8000-0000000000a2' AS by_vic,
       approved_by_client_user_id, completed_at IS NOT NULL AS completed
  FROM mycelium.deliverables WHERE title = 'Florist reel';
-- A stamp cannot be moved by hand.
UPDATE mycelium.deliverables SET approved_at = '2000-01-01', completed_by_id = '0000000a-0000-7000-8000-0000000000a1'
 WHERE title = 'Florist reel';
SELECT approved_at > '2000-01-01' AS approval_kept, completed_by_id = '0000000a-0000-7000-8000-0000000000a2' AS by_vic
  FROM mycelium.deliverables WHERE title = 'Florist reel';
COMMIT;
-- A portal approver is recorded as such.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
UPDATE mycelium.deliverables SET status = 'NEEDS_APPROVAL' WHERE title = 'Bakery reel';
COMMIT;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f1', 'CLIENT');
UPDATE mycelium.deliverables SET status = 'APPROVED' WHERE title = 'Bakery reel';
COMMIT;
RESET ROLE;
SELECT status, approved_at IS NOT NULL AS approved, approved_by_id,
       approved_by_client_user_id = '0000000a-0000-7000-8000-0000000000f1' AS by_pat
  FROM mycelium.deliverables WHERE title = 'Bakery reel';
-- The portal approver's account goes: the approval stays, unnamed.
DELETE FROM mycelium.client_users WHERE email = 'pat@bakery.example';
SELECT approved_at IS NOT NULL AS approved, approved_by_client_user_id FROM mycelium.deliverables WHERE title = 'Bakery reel';
-- Productivity counts the completion by whom and when it happened.
SELECT user_id = '0000000a-0000-7000-8000-0000000000a2' AS vic, total_completed
  FROM mycelium.productivity_scores('0000000a-0000-7000-8000-000000000000') WHERE total_completed > 0;
SET ROLE regress_workflow_app;

-- ------ A client's pause is stamped ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
UPDATE mycelium.clients SET is_paused = true, paused_reason = 'Holidays', paused_at = '2000-01-01' WHERE slug = 'bakery';
SELECT is_paused, paused_at = now() AS paused_now FROM mycelium.clients WHERE slug = 'bakery';
UPDATE mycelium.clients SET paused_reason = 'Holidays, longer' WHERE slug = 'bakery';
SELECT paused_at = now() AS kept FROM mycelium.clients WHERE slug = 'bakery';
UPDATE mycelium.clients SET is_paused = false WHERE slug = 'bakery';
SELECT is_paused, paused_at FROM mycelium.clients WHERE slug = 'bakery';
COMMIT;

-- ------ A reply answers a comment on the same deliverable ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
INSERT INTO mycelium.comments (id, organization_id, deliverable_id, user_id, content) VALUES
    ('0000000a-0000-7000-8000-0000000000b7', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-0000000000a1', 'On the bakery reel');
SELECT regress.try($$INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, parent_id)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000d1',
                             '0000000a-0000-7000-8000-0000000000a1', 'A reply', '0000000a-0000-7000-8000-0000000000b7')$$)
    AS same_deliverable;
SELECT regress.try($$INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, parent_id)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000d2',
                             '0000000a-0000-7000-8000-0000000000a1', 'Astray', '0000000a-0000-7000-8000-0000000000b7')$$)
    AS other_deliverable;
-- Nor may a reply be moved to another deliverable afterwards.
SELECT regress.try($$UPDATE mycelium.comments SET deliverable_id = '0000000a-0000-7000-8000-0000000000d2'
                     WHERE content = 'A reply'$$) AS moved_reply;
COMMIT;

-- ------ A deliverable without a due date gets one ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
-- Social: 10 days from its start, in Berlin: across the end of summer time the
-- deadline keeps its local hour (10:00 CEST is 08:00 UTC; 10:00 CET is 09:00 UTC).
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id, start_date)
VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2',
        '0000000a-0000-7000-8000-0000000000e1', 'Autumn reel', '0000000a-0000-7000-8000-0000000000a1',
        '2026-10-20 08:00+00');
SELECT due_date AT TIME ZONE 'UTC' AS due_utc, due_date AT TIME ZONE 'Europe/Berlin' AS due_berlin
  FROM mycelium.deliverables WHERE title = 'Autumn reel';
-- SEO: 30 days from now, when it has no start.
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id)
VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2',
        '0000000a-0000-7000-8000-0000000000e2', 'Audit', '0000000a-0000-7000-8000-0000000000a1');
SELECT (due_date AT TIME ZONE 'Europe/Berlin') = (now() AT TIME ZONE 'Europe/Berlin') + interval '30 days' AS thirty_days
  FROM mycelium.deliverables WHERE title = 'Audit';
-- A due date given is kept.
SELECT due_date = '2026-12-20 12:00+00' AS kept FROM mycelium.deliverables WHERE title = 'Bakery reel';
ROLLBACK;

-- ------ No new work for a client that has ended, or a service type off ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id, is_recurring,
                                   recurrence_rule, start_date)
VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2',
        '0000000a-0000-7000-8000-0000000000e2', 'Monthly audit', '0000000a-0000-7000-8000-0000000000a1', true,
        'FREQ=MONTHLY;BYMONTHDAY=1', '2026-11-01 09:00+00');
UPDATE mycelium.clients SET status = 'TERMINATED' WHERE slug = 'bakery';
UPDATE mycelium.service_types SET is_active = false WHERE slug = 'seo';
-- Generation makes none for a service type switched off, and does not fail on it.
SELECT count(*) > 0 AS generated FROM mycelium.generate_recurring_deliverables('0000000a-0000-7000-8000-000000000000',
                                                                               '2027-01-01');
SELECT s.slug, count(*) FROM mycelium.deliverables d JOIN mycelium.service_types s ON s.id = d.service_type_id
 WHERE d.recurrence_period = '2027-01-01' GROUP BY s.slug;
SELECT regress.try($$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
                             '0000000a-0000-7000-8000-0000000000e1', 'Late reel', '0000000a-0000-7000-8000-0000000000a1')$$)
    AS terminated_client;
SELECT regress.try($$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2',
                             '0000000a-0000-7000-8000-0000000000e2', 'Old audit', '0000000a-0000-7000-8000-0000000000a1')$$)
    AS inactive_service;
-- Existing work of the client can still be finished.
SELECT regress.try($$UPDATE mycelium.deliverables SET status = 'COMPLETED' WHERE title = 'Bakery reel'$$) AS finished;
ROLLBACK;

-- ------ A VIEWER portal user reads only ------
RESET ROLE;
INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name, role, can_approve, can_comment) VALUES
    ('0000000a-0000-7000-8000-0000000000f2', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c1', 'val@bakery.example', 'Val', 'VIEWER', true, true);
UPDATE mycelium.deliverables SET status = 'NEEDS_APPROVAL' WHERE title = 'Bakery reel';
SET ROLE regress_workflow_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f2', 'CLIENT');
SELECT title FROM mycelium.deliverables;
UPDATE mycelium.deliverables SET status = 'APPROVED' WHERE title = 'Bakery reel';
SELECT status FROM mycelium.deliverables WHERE title = 'Bakery reel';
SELECT regress.try($$INSERT INTO mycelium.comments (organization_id, deliverable_id, client_user_id, content)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000d1',
                             '0000000a-0000-7000-8000-0000000000f2', 'Looks good')$$) AS viewer_comments;
ROLLBACK;

RESET ROLE;
DROP OWNED BY regress_workflow_app;
DROP ROLE regress_workflow_app;

-- ------ The audit trail: where a change came from ------
CREATE ROLE regress_workflow_app;
SELECT mycelium.grant_access('regress_workflow_app', 'app');
SET ROLE regress_workflow_app;
-- The application says so for the transaction...
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT mycelium.set_request_info('203.0.113.7', 'Mozilla/5.0 (X11; Linux)', 'web-session-42');
UPDATE mycelium.clients SET notes = 'Prefers mornings' WHERE slug = 'bakery';
COMMIT;
-- ...or PostgREST's request.headers do; a malformed one gives no address, never a failed write.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT set_config('request.headers', '{"x-forwarded-for": "198.51.100.9, 10.0.0.1", "user-agent": "curl/8.0"}', true)
    IS NOT NULL AS headers_set;
UPDATE mycelium.clients SET notes = 'Prefers afternoons' WHERE slug = 'bakery';
SELECT set_config('request.headers', '{"x-forwarded-for": "not an address"}', true) IS NOT NULL AS headers_set;
UPDATE mycelium.clients SET notes = 'Prefers evenings' WHERE slug = 'bakery';
SELECT ip_address, user_agent, session_id, new_values ->> 'notes' AS notes
  FROM mycelium.activity_logs WHERE resource_type = 'client' AND action = 'updated' ORDER BY "timestamp", id;
COMMIT;
RESET ROLE;
DROP OWNED BY regress_workflow_app;
DROP ROLE regress_workflow_app;

-- ------ A portal ADMIN manages its own client's portal users ------
INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name, role) VALUES
    ('0000000a-0000-7000-8000-0000000000f3', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c1', 'boss@bakery.example', 'Boss', 'ADMIN'),
    ('0000000a-0000-7000-8000-0000000000f4', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c2', 'flo@florist.example', 'Flo', 'PRIMARY');
UPDATE mycelium.clients SET status = 'ACTIVE' WHERE slug = 'bakery';
CREATE ROLE regress_workflow_app;
SELECT mycelium.grant_access('regress_workflow_app', 'app');
GRANT USAGE ON SCHEMA regress TO regress_workflow_app;
SET ROLE regress_workflow_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f3', 'CLIENT');
-- Invites, changes flags and roles, deactivates: within its client.
SELECT invitation IS NOT NULL AS invited FROM mycelium.invite_client_user('0000000a-0000-7000-8000-0000000000c1',
                                                                          'new@bakery.example', 'New');
UPDATE mycelium.client_users SET can_approve = true, role = 'PRIMARY' WHERE email = 'val@bakery.example';
UPDATE mycelium.client_users SET is_active = false WHERE email = 'new@bakery.example';
SELECT email, role, can_approve, is_active FROM mycelium.client_users ORDER BY email;
-- Never another client's, nor moving one there, nor an e-mail, nor a verification, nor a delete.
SELECT regress.try($$SELECT * FROM mycelium.invite_client_user('0000000a-0000-7000-8000-0000000000c2', 'x@florist.example', 'X')$$)
    AS other_client_invite;
WITH changed AS (UPDATE mycelium.client_users SET is_active = false WHERE email = 'flo@florist.example' RETURNING 1)
SELECT count(*) AS other_client_changed FROM changed;
SELECT regress.try($$UPDATE mycelium.client_users SET client_id = '0000000a-0000-7000-8000-0000000000c2'
                     WHERE email = 'val@bakery.example'$$) AS move_away;
SELECT regress.try($$UPDATE mycelium.client_users SET email = 'mine@evil.example' WHERE email = 'val@bakery.example'$$)
    AS take_over;
SELECT regress.try($$DELETE FROM mycelium.client_users WHERE email = 'val@bakery.example'$$) AS deleted;
SELECT regress.try($$INSERT INTO mycelium.client_users (organization_id, client_id, email, name, email_verified)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
                             'direct@bakery.example', 'Direct', true)$$) AS direct_insert_verified;
SELECT regress.try($$INSERT INTO mycelium.client_users (organization_id, client_id, email, name)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
                             'direct@bakery.example', 'Direct')$$) AS direct_insert;
SELECT email_verified FROM mycelium.client_users WHERE email = 'direct@bakery.example';
ROLLBACK;
-- A PRIMARY portal user manages no one.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f4', 'CLIENT');
SELECT regress.try($$SELECT * FROM mycelium.invite_client_user('0000000a-0000-7000-8000-0000000000c2', 'y@florist.example', 'Y')$$)
    AS primary_invites;
SELECT regress.try($$INSERT INTO mycelium.client_users (organization_id, client_id, email, name)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2',
                             'z@florist.example', 'Z')$$) AS primary_inserts;
ROLLBACK;
RESET ROLE;
DROP OWNED BY regress_workflow_app;
DROP ROLE regress_workflow_app;
