-- Webhook events (src/sql/code/56_webhooks.sql): subscriptions, the event outbox
-- the triggers write in the transaction of each change, and the delivery
-- protocol (claim_webhook_deliveries, finish_webhook_delivery). Non-superuser
-- roles of two organizations: an application's, and a delivery worker's.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
RESET client_min_messages;
SET timezone = 'Asia/Tokyo';
SET datestyle = 'ISO';
INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'vic@a.example', 'Vic', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a5', '0000000a-0000-7000-8000-000000000000', 'ada@a.example', 'Ada', 'ADMIN', 'ACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bea@b.example', 'Bea', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type, default_duration) VALUES
    ('0000000a-0000-7000-8000-0000000000e1', '0000000a-0000-7000-8000-000000000000', 'Social', 'social', 'RECURRING', 10),
    ('0000000b-0000-7000-8000-0000000000e1', '0000000b-0000-7000-8000-000000000000', 'Social', 'social', 'RECURRING', 10);
INSERT INTO mycelium.clients (id, organization_id, name, slug) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Bakery', 'bakery'),
    ('0000000b-0000-7000-8000-0000000000c1', '0000000b-0000-7000-8000-000000000000', 'Bistro', 'bistro');
INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name, role, can_approve, is_active) VALUES
    ('0000000a-0000-7000-8000-0000000000f1', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c1', 'pat@bakery.example', 'Pat', 'PRIMARY', true, true);
UPDATE mycelium.organization_settings SET enable_client_portal = true;

CREATE ROLE regress_hook_app;
SELECT mycelium.grant_access('regress_hook_app', 'app');
GRANT USAGE ON SCHEMA regress TO regress_hook_app;
CREATE ROLE regress_hook_worker;
SELECT mycelium.grant_access('regress_hook_worker', 'delivery');
GRANT USAGE ON SCHEMA regress TO regress_hook_worker;

-- The event types, one list.
SELECT unnest(mycelium.webhook_event_types()) AS event_type;

-- ------ Subscribing ------
-- Ann (ADMIN of A) connects a webhook and a Zap; Bea (ADMIN of B) a webhook.
SET ROLE regress_hook_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
INSERT INTO mycelium.integrations (id, organization_id, type, name, is_enabled, webhook_url, config) VALUES
    ('0000000a-0000-7000-8000-000000000031', '0000000a-0000-7000-8000-000000000000', 'WEBHOOKS', 'Ops hook', true,
     'https://hooks.a.example/in',
     '{"events": ["deliverable.created", "deliverable.status_changed", "deliverable.completed", "comment.created"]}'),
    ('0000000a-0000-7000-8000-000000000032', '0000000a-0000-7000-8000-000000000000', 'ZAPIER', 'Zap', true,
     'https://hooks.zapier.example/a',
     '{"events": ["client.created", "client.updated", "project.created", "project.completed",
                  "deliverable.approved"]}');
-- Bad subscriptions: 23514, naming what is wrong.
SELECT regress.try($$UPDATE mycelium.integrations SET config = '{"events": "deliverable.created"}'
                    WHERE type = 'WEBHOOKS'$$) AS not_an_array;
SELECT regress.try($$UPDATE mycelium.integrations SET config = '{"events": ["deliverable.created", "deliverable.deleted"]}'
                    WHERE type = 'WEBHOOKS'$$) AS unknown_type;
SELECT regress.try($$UPDATE mycelium.integrations SET config = '{"events": [42]}' WHERE type = 'WEBHOOKS'$$)
    AS not_a_name;
SELECT regress.try($$UPDATE mycelium.integrations SET config = '{"events": null}' WHERE type = 'WEBHOOKS'$$)
    AS json_null;
SELECT regress.try($$UPDATE mycelium.integrations
                    SET config = '{"events": ["comment.created", "comment.created"]}' WHERE type = 'WEBHOOKS'$$)
    AS twice;
SELECT regress.try(format($$UPDATE mycelium.integrations SET config = jsonb_build_object('events', jsonb_build_array(%L))
                           WHERE type = 'WEBHOOKS'$$, repeat('x', 100000))) AS huge;
-- Other types keep whatever config they had (an "events" key is theirs).
INSERT INTO mycelium.integrations (organization_id, type, name, config)
VALUES ('0000000a-0000-7000-8000-000000000000', 'DROPBOX', 'Dropbox', '{"events": "any"}');
COMMIT;
BEGIN;
SELECT mycelium.set_context('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
INSERT INTO mycelium.integrations (id, organization_id, type, name, is_enabled, webhook_url, config) VALUES
    ('0000000b-0000-7000-8000-000000000031', '0000000b-0000-7000-8000-000000000000', 'WEBHOOKS', 'B hook', true,
     'https://hooks.b.example/in', jsonb_build_object('events', to_jsonb(mycelium.webhook_event_types())));
COMMIT;
RESET ROLE;

-- What went out, as the superuser sees it.
CREATE VIEW regress.outbox AS
SELECT o.slug AS org, i.name AS integration, w.event_type, w.attempts,
       CASE WHEN w.delivered_at IS NOT NULL THEN 'delivered' WHEN w.failed_at IS NOT NULL THEN 'failed'
            WHEN w.next_attempt_at > now() THEN 'waiting' ELSE 'due' END AS state,
       coalesce(w.payload #>> '{data,deliverable,title}', w.payload #>> '{data,client,name}',
                w.payload #>> '{data,project,name}', w.payload #>> '{data,comment,content}') AS about
FROM mycelium.webhook_deliveries w
JOIN mycelium.organizations o ON o.id = w.organization_id
JOIN mycelium.integrations i ON i.organization_id = w.organization_id AND i.id = w.integration_id
ORDER BY 1, 2, 3, 6;

-- ------ Events ------
-- Ann creates two deliverables in A, Bea one in B: each goes to its own
-- organization's subscribers only (A's webhook; B's webhook), never across.
SET ROLE regress_hook_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
INSERT INTO mycelium.deliverables (id, organization_id, client_id, service_type_id, title, created_by_id, due_date)
VALUES ('0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-000000000000',
        '0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-0000000000e1', 'Bakery reel',
        '0000000a-0000-7000-8000-0000000000a1', '2026-12-20 12:00+00'),
       ('0000000a-0000-7000-8000-0000000000d2', '0000000a-0000-7000-8000-000000000000',
        '0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-0000000000e1', 'Bakery post',
        '0000000a-0000-7000-8000-0000000000a1', NULL);
-- ADMINs read their organization's outbox, B's never.
SELECT event_type, payload #>> '{data,deliverable,title}' AS title FROM mycelium.webhook_deliveries ORDER BY 2;
COMMIT;
BEGIN;
SELECT mycelium.set_context('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
INSERT INTO mycelium.deliverables (id, organization_id, client_id, service_type_id, title, created_by_id)
VALUES ('0000000b-0000-7000-8000-0000000000d1', '0000000b-0000-7000-8000-000000000000',
        '0000000b-0000-7000-8000-0000000000c1', '0000000b-0000-7000-8000-0000000000e1', 'Bistro menu',
        '0000000b-0000-7000-8000-0000000000b1');
UPDATE mycelium.deliverables SET status = 'IN_PROGRESS';
SELECT event_type, payload #>> '{data,deliverable,title}' AS title FROM mycelium.webhook_deliveries ORDER BY 1, 2;
-- B's ADMIN cannot reach A's rows by naming them either.
SELECT count(*) AS a_rows_seen_by_b FROM mycelium.webhook_deliveries
WHERE organization_id = '0000000a-0000-7000-8000-000000000000';
COMMIT;
-- Staff who are not ADMINs read none; portal users have no privilege on it.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
                            'VIDEO_EDITOR');
SELECT count(*) AS staff_sees FROM mycelium.webhook_deliveries;
SELECT regress.try($$INSERT INTO mycelium.webhook_deliveries (organization_id, integration_id, event_type, payload)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-000000000031',
                             'deliverable.created', '{}')$$) AS staff_writes;
COMMIT;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f1', 'CLIENT',
                            '0000000a-0000-7000-8000-0000000000c1');
SELECT regress.try($$SELECT count(*) FROM mycelium.webhook_deliveries$$) AS portal_reads;
COMMIT;
-- Nor does an ADMIN write it.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT regress.try($$UPDATE mycelium.webhook_deliveries SET attempts = 0$$) AS admin_updates;
SELECT regress.try($$DELETE FROM mycelium.webhook_deliveries$$) AS admin_deletes;
COMMIT;
RESET ROLE;
SELECT * FROM regress.outbox;

-- The payload: type, version, timestamp (UTC, whatever the session's zone),
-- organization and data; never the description, notes or custom fields.
SELECT jsonb_pretty(payload - 'timestamp') AS payload,
       payload ->> 'timestamp' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$' AS utc_timestamp
FROM mycelium.webhook_deliveries WHERE payload #>> '{data,deliverable,title}' = 'Bakery reel';

-- A rolled-back change leaves no event, nor does one undone by a savepoint.
SET ROLE regress_hook_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
UPDATE mycelium.deliverables SET status = 'IN_PROGRESS';
SELECT count(*) AS events_before_rollback FROM mycelium.webhook_deliveries WHERE event_type <> 'deliverable.created';
ROLLBACK;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SAVEPOINT s;
INSERT INTO mycelium.clients (organization_id, name) VALUES ('0000000a-0000-7000-8000-000000000000', 'Ghost');
ROLLBACK TO SAVEPOINT s;
COMMIT;
RESET ROLE;
SELECT count(*) AS events_after_rollback FROM mycelium.webhook_deliveries
WHERE organization_id = '0000000a-0000-7000-8000-000000000000' AND event_type <> 'deliverable.created';

-- A bulk update writes its events in one statement: 40 deliverables completed
-- at once make 120 events (status_changed and completed to the webhook,
-- nothing to the Zap, which did not ask) in one INSERT (one command id), and
-- the queueing function ran once.
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id)
SELECT '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
       '0000000a-0000-7000-8000-0000000000e1', 'Bulk ' || n, '0000000a-0000-7000-8000-0000000000a1'
FROM generate_series(1, 40) n;
SET track_functions = 'all';
SET ROLE regress_hook_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
UPDATE mycelium.deliverables SET status = 'COMPLETED' WHERE title LIKE 'Bulk %';
SELECT event_type, count(*), count(DISTINCT cmin::text) AS statements
FROM mycelium.webhook_deliveries WHERE event_type <> 'deliverable.created' GROUP BY event_type ORDER BY 1;
SELECT funcname, calls FROM pg_stat_xact_user_functions
WHERE funcname IN ('queue_webhook_events', 'webhook_deliverable_events') ORDER BY 1;
COMMIT;
RESET ROLE;
RESET track_functions;
DELETE FROM mycelium.webhook_deliveries WHERE payload #>> '{data,deliverable,title}' LIKE 'Bulk %';

-- The other events: a client added and updated (what CLIENT_UPDATED counts,
-- not its notes), a project created and completed, an approval, comments (an
-- internal one's content stays home).
SET ROLE regress_hook_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
INSERT INTO mycelium.clients (id, organization_id, name, contact_email)
VALUES ('0000000a-0000-7000-8000-0000000000c2', '0000000a-0000-7000-8000-000000000000', 'Florist', 'fay@florist.example');
UPDATE mycelium.clients SET notes = 'Prefers mornings' WHERE name = 'Florist';
UPDATE mycelium.clients SET contact_person = 'Fay', status = 'INACTIVE' WHERE name = 'Florist';
INSERT INTO mycelium.projects (id, organization_id, client_id, name)
VALUES ('0000000a-0000-7000-8000-000000000071', '0000000a-0000-7000-8000-000000000000',
        '0000000a-0000-7000-8000-0000000000c1', 'Spring campaign');
UPDATE mycelium.projects SET status = 'ACTIVE';
UPDATE mycelium.projects SET status = 'COMPLETED';
UPDATE mycelium.deliverables SET status = 'NEEDS_APPROVAL' WHERE title = 'Bakery reel';
INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, is_internal) VALUES
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000d1',
     '0000000a-0000-7000-8000-0000000000a1', 'Looks good', false),
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000d1',
     '0000000a-0000-7000-8000-0000000000a1', 'Client is late paying', true);
COMMIT;
-- Pat approves in the portal.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f1', 'CLIENT',
                            '0000000a-0000-7000-8000-0000000000c1');
UPDATE mycelium.deliverables SET status = 'APPROVED' WHERE title = 'Bakery reel';
COMMIT;
RESET ROLE;
SELECT * FROM regress.outbox WHERE event_type NOT LIKE 'deliverable.created';
SELECT payload -> 'data' AS client_updated FROM mycelium.webhook_deliveries WHERE event_type = 'client.updated';
SELECT (payload #> '{data,comment}') - 'id' - 'created_at' AS comments FROM mycelium.webhook_deliveries
WHERE event_type = 'comment.created' ORDER BY payload #>> '{data,comment,is_internal}';

-- A disabled integration, one without a URL and one that lists no events hear
-- nothing.
UPDATE mycelium.integrations SET is_enabled = false WHERE name = 'Zap';
UPDATE mycelium.integrations SET webhook_url = NULL WHERE name = 'B hook';
INSERT INTO mycelium.clients (organization_id, name) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Unheard'), ('0000000b-0000-7000-8000-000000000000', 'Unheard');
UPDATE mycelium.integrations SET is_enabled = true, config = '{"events": []}' WHERE name = 'Zap';
INSERT INTO mycelium.clients (organization_id, name) VALUES ('0000000a-0000-7000-8000-000000000000', 'Unheard too');
SELECT count(*) AS unheard FROM mycelium.webhook_deliveries WHERE payload #>> '{data,client,name}' LIKE 'Unheard%';
UPDATE mycelium.integrations SET webhook_url = 'https://hooks.b.example/in' WHERE name = 'B hook';
-- Only A's webhook's and B's deliveries are left to send.
DELETE FROM mycelium.webhook_deliveries w USING mycelium.integrations i
WHERE i.organization_id = w.organization_id AND i.id = w.integration_id AND i.name = 'Zap';
SELECT org, integration, count(*) FROM regress.outbox GROUP BY 1, 2 ORDER BY 1, 2;

-- ------ Delivering ------
SET ROLE regress_hook_worker;
-- The worker reads no table; it claims.
SELECT regress.try($$SELECT count(*) FROM mycelium.webhook_deliveries$$) AS worker_reads;
CREATE TEMP TABLE batch AS SELECT * FROM mycelium.claim_webhook_deliveries(3, '1 minute');
SELECT url, event_type, attempt, webhook_id = 'msg_' || id AS stable_id,
       webhook_timestamp = floor(extract(epoch FROM now())) AS claim_time,
       body::jsonb ->> 'type' = event_type AS body_is_payload,
       webhook_signature ~ '^v1,[A-Za-z0-9+/]{43}=$' AS signature_shape
FROM batch ORDER BY id;
RESET ROLE;
-- The signature is the integration's signing_secret's over id, timestamp and body.
SELECT bool_and(b.webhook_signature = mycelium_internal.webhook_signature(
                    mycelium_internal.integration_secret(b.organization_id, b.integration_id, 'signing_secret'),
                    b.webhook_id, b.webhook_timestamp, b.body)) AS signed_by_its_secret,
       bool_and(b.body = w.payload::text) AS body_is_stored_payload
FROM batch b JOIN mycelium.webhook_deliveries w ON w.organization_id = b.organization_id AND w.id = b.id;
SET ROLE regress_hook_worker;
-- A second claim skips the leased ones.
SELECT count(*) AS second_claim, bool_and(id NOT IN (SELECT id FROM batch)) AS none_twice
FROM mycelium.claim_webhook_deliveries(100, '1 minute') c;
RESET ROLE;
-- The lease runs out: everything is due again (attempt 2), and the first
-- batch's reports are now stale.
UPDATE mycelium.webhook_deliveries SET next_attempt_at = now() - interval '1 second' WHERE delivered_at IS NULL;
SET ROLE regress_hook_worker;
CREATE TEMP TABLE again AS SELECT * FROM mycelium.claim_webhook_deliveries(100, '1 minute');
SELECT attempt, count(*) FROM again GROUP BY 1 ORDER BY 1;
SELECT mycelium.finish_webhook_delivery(b.organization_id, b.id, b.attempt) AS stale
FROM (SELECT * FROM batch ORDER BY id LIMIT 1) b;
-- The id stays the same over retries; the timestamp and signature are the claim's.
SELECT bool_and(a.webhook_id = b.webhook_id) AS same_id FROM again a JOIN batch b ON b.id = a.id;

-- Outcomes: delivered (2xx), retrying (with back-off), failed for good (410).
CREATE TEMP VIEW a_again AS SELECT * FROM again WHERE url LIKE '%a.example%' ORDER BY id;
SELECT mycelium.finish_webhook_delivery(a.organization_id, a.id, a.attempt) AS delivered
FROM (SELECT * FROM a_again LIMIT 2) a;
SELECT mycelium.finish_webhook_delivery(a.organization_id, a.id, a.attempt) AS already_done
FROM (SELECT * FROM a_again LIMIT 1) a;
SELECT mycelium.finish_webhook_delivery(a.organization_id, a.id, a.attempt, 'HTTP 503 Service Unavailable')
    AS retrying
FROM (SELECT * FROM a_again OFFSET 2 LIMIT 1) a;
RESET ROLE;
SELECT name, is_enabled, error_count, last_error, last_error_at IS NOT NULL AS error_time
FROM mycelium.integrations WHERE type = 'WEBHOOKS' ORDER BY name;
SELECT attempts, last_error, round(extract(epoch FROM next_attempt_at - now()) / 60) AS back_off_minutes
FROM mycelium.webhook_deliveries
WHERE last_error IS NOT NULL;
-- A success resets the count.
SET ROLE regress_hook_worker;
SELECT mycelium.finish_webhook_delivery(a.organization_id, a.id, a.attempt) AS delivered
FROM (SELECT * FROM a_again OFFSET 3 LIMIT 1) a;
RESET ROLE;
SELECT name, is_enabled, error_count, last_error FROM mycelium.integrations WHERE type = 'WEBHOOKS' ORDER BY name;
-- B's endpoint answers 410 Gone: the delivery fails for good, the integration is
-- disabled, and B's ADMIN hears (INTEGRATION_ERROR); its other deliveries wait.
DELETE FROM mycelium.notifications;
SET ROLE regress_hook_worker;
SELECT mycelium.finish_webhook_delivery(a.organization_id, a.id, a.attempt, 'HTTP 410 Gone', true) AS gone
FROM (SELECT * FROM again WHERE url LIKE '%b.example%' ORDER BY id LIMIT 1) a;
RESET ROLE;
SELECT name, is_enabled, error_count, last_error FROM mycelium.integrations WHERE type = 'WEBHOOKS' ORDER BY name;
SELECT o.slug, n.type, u.name, n.message, n.metadata
FROM mycelium.notifications n
JOIN mycelium.organizations o ON o.id = n.organization_id
JOIN mycelium.notification_recipients r ON r.organization_id = n.organization_id AND r.notification_id = n.id
JOIN mycelium.users u ON u.organization_id = r.organization_id AND u.id = r.user_id
WHERE r.channel = 'in_app';
-- Its open deliveries are parked, out of the outbox.
SELECT count(*) FILTER (WHERE parked) AS parked, count(*) AS open
FROM mycelium.webhook_deliveries
WHERE organization_id = '0000000b-0000-7000-8000-000000000000' AND delivered_at IS NULL AND failed_at IS NULL;
-- Released past the trigger (by the owner), they are still not handed out.
UPDATE mycelium.webhook_deliveries SET next_attempt_at = NULL, parked = false
WHERE delivered_at IS NULL AND failed_at IS NULL;
SET ROLE regress_hook_worker;
SELECT count(*) FILTER (WHERE url LIKE '%b.example%') AS from_disabled, count(*) AS claimed
FROM mycelium.claim_webhook_deliveries();
RESET ROLE;

-- Bea (ADMIN of B, who may not write the outbox) enables her webhook and adds
-- two clients, and a worker claims one of its deliveries; she disables it again: every open
-- delivery is parked, the one the worker holds too, and its failure report
-- leaves it parked. Enabled, they are back, each due when it was; A's are
-- untouched.
CREATE TEMP TABLE a_before AS
SELECT id, next_attempt_at, parked FROM mycelium.webhook_deliveries
WHERE organization_id = '0000000a-0000-7000-8000-000000000000';
SET ROLE regress_hook_app;
BEGIN;
SELECT mycelium.set_context('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
UPDATE mycelium.integrations SET is_enabled = true, error_count = 0 WHERE name = 'B hook';
INSERT INTO mycelium.clients (organization_id, name)
VALUES ('0000000b-0000-7000-8000-000000000000', 'Heard one'), ('0000000b-0000-7000-8000-000000000000', 'Heard two');
COMMIT;
SET ROLE regress_hook_worker;
CREATE TEMP TABLE b_held AS SELECT * FROM mycelium.claim_webhook_deliveries(1);
SELECT count(*) AS b_claimed FROM b_held WHERE url LIKE '%b.example%';
SET ROLE regress_hook_app;
BEGIN;
SELECT mycelium.set_context('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
UPDATE mycelium.integrations SET is_enabled = false WHERE name = 'B hook';
COMMIT;
SET ROLE regress_hook_worker;
SELECT mycelium.finish_webhook_delivery(b.organization_id, b.id, b.attempt, 'HTTP 503') AS held_report FROM b_held b;
SELECT count(*) AS claimed_when_parked FROM mycelium.claim_webhook_deliveries();
RESET ROLE;
SELECT count(*) FILTER (WHERE parked) AS parked, count(*) AS open,
       count(*) FILTER (WHERE id = (SELECT id FROM b_held) AND parked
                          AND next_attempt_at > now() + interval '30 seconds') AS held_parked_retrying
FROM mycelium.webhook_deliveries
WHERE organization_id = '0000000b-0000-7000-8000-000000000000' AND delivered_at IS NULL AND failed_at IS NULL;
SET ROLE regress_hook_app;
BEGIN;
SELECT mycelium.set_context('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
UPDATE mycelium.integrations SET is_enabled = true WHERE name = 'B hook';
COMMIT;
RESET ROLE;
SELECT count(*) FILTER (WHERE NOT parked AND next_attempt_at IS NULL) AS due, count(*) FILTER (WHERE NOT parked) AS back,
       count(*) AS open
FROM mycelium.webhook_deliveries
WHERE organization_id = '0000000b-0000-7000-8000-000000000000' AND delivered_at IS NULL AND failed_at IS NULL;
SELECT count(*) AS a_moved FROM a_before b
JOIN mycelium.webhook_deliveries w ON w.id = b.id
WHERE (w.next_attempt_at, w.parked) IS DISTINCT FROM (b.next_attempt_at, b.parked);
-- Without a URL it cannot be delivered to either: parked again, and disabled as
-- the 410 left it.
UPDATE mycelium.integrations SET webhook_url = NULL WHERE name = 'B hook';
SELECT count(*) FILTER (WHERE parked) AS parked_without_url, count(*) AS open
FROM mycelium.webhook_deliveries
WHERE organization_id = '0000000b-0000-7000-8000-000000000000' AND delivered_at IS NULL AND failed_at IS NULL;
UPDATE mycelium.integrations SET webhook_url = 'https://hooks.b.example/in', is_enabled = false WHERE name = 'B hook';

-- Five failed attempts fail a delivery for good.
UPDATE mycelium.webhook_deliveries SET attempts = 4, next_attempt_at = NULL
WHERE id = (SELECT min(id::text)::uuid FROM mycelium.webhook_deliveries
            WHERE delivered_at IS NULL AND failed_at IS NULL
              AND organization_id = '0000000a-0000-7000-8000-000000000000');
UPDATE mycelium.webhook_deliveries SET next_attempt_at = now() + interval '1 hour'
WHERE delivered_at IS NULL AND failed_at IS NULL AND attempts <> 4;
SET ROLE regress_hook_worker;
SELECT c.attempt, mycelium.finish_webhook_delivery(c.organization_id, c.id, c.attempt, 'timeout after 10 s')
    AS fifth_failure
FROM mycelium.claim_webhook_deliveries() c;
RESET ROLE;

-- After integration_failure_limit consecutive failures (here 3) the integration
-- is disabled and its ADMINs hear, once.
SELECT mycelium.configure('integration_failure_limit', '3');
UPDATE mycelium.integrations SET error_count = 0 WHERE name = 'Ops hook';
SELECT regress.try($$SELECT mycelium.configure('integration_failure_limit', '0')$$) AS limit_zero;
DELETE FROM mycelium.notifications;
UPDATE mycelium.webhook_deliveries SET next_attempt_at = NULL WHERE delivered_at IS NULL AND failed_at IS NULL;
SET ROLE regress_hook_worker;
SELECT c.attempt, mycelium.finish_webhook_delivery(c.organization_id, c.id, c.attempt, 'connection refused')
    AS outcome
FROM mycelium.claim_webhook_deliveries(2) c
WHERE c.url LIKE '%a.example%';
RESET ROLE;
SELECT name, is_enabled, error_count FROM mycelium.integrations WHERE name = 'Ops hook';
SELECT count(*) AS told_before_limit FROM mycelium.notifications WHERE type = 'INTEGRATION_ERROR';
UPDATE mycelium.webhook_deliveries SET next_attempt_at = NULL WHERE delivered_at IS NULL AND failed_at IS NULL;
SET ROLE regress_hook_worker;
SELECT c.attempt, mycelium.finish_webhook_delivery(c.organization_id, c.id, c.attempt, 'connection refused')
    AS outcome
FROM mycelium.claim_webhook_deliveries(1) c;
SELECT count(*) AS claimed_when_disabled FROM mycelium.claim_webhook_deliveries();
RESET ROLE;
SELECT name, is_enabled, error_count, last_error FROM mycelium.integrations WHERE name = 'Ops hook';
SELECT u.name, n.message, n.metadata ->> 'error_count' AS error_count
FROM mycelium.notifications n
JOIN mycelium.notification_recipients r ON r.organization_id = n.organization_id AND r.notification_id = n.id
JOIN mycelium.users u ON u.organization_id = r.organization_id AND u.id = r.user_id
WHERE n.type = 'INTEGRATION_ERROR' AND r.channel = 'in_app' ORDER BY u.name;
SELECT mycelium.configure('integration_failure_limit', NULL);

-- ------ Bad input ------
SELECT id AS a_delivery FROM a_again LIMIT 1 \gset
SET ROLE regress_hook_worker;
SELECT regress.try($$SELECT mycelium.claim_webhook_deliveries(0)$$) AS batch_zero;
SELECT regress.try($$SELECT mycelium.claim_webhook_deliveries(NULL)$$) AS batch_null;
SELECT regress.try($$SELECT mycelium.claim_webhook_deliveries(10001)$$) AS batch_huge;
SELECT regress.try($$SELECT mycelium.claim_webhook_deliveries(1, '0 seconds')$$) AS lease_zero;
SELECT regress.try($$SELECT mycelium.claim_webhook_deliveries(1, NULL)$$) AS lease_null;
SELECT regress.try($$SELECT mycelium.claim_webhook_deliveries(1, '2 days')$$) AS lease_long;
SELECT regress.try($$SELECT mycelium.finish_webhook_delivery(NULL, NULL, NULL)$$) AS finish_nulls;
SELECT regress.try($$SELECT mycelium.finish_webhook_delivery('0000000a-0000-7000-8000-000000000000',
                                                            '0000000a-0000-7000-8000-000000000099', 1)$$)
    AS unknown_delivery;
SELECT replace(regress.try(format($$SELECT mycelium.finish_webhook_delivery(%L, %L, 1)$$,
                                  '0000000b-0000-7000-8000-000000000000', :'a_delivery')), :'a_delivery', '<A''s>')
    AS other_organization;
SELECT regress.try(format($$SELECT mycelium.finish_webhook_delivery(%L, %L, 1, '  ')$$,
                          '0000000a-0000-7000-8000-000000000000', :'a_delivery')) AS blank_error;
SELECT regress.try(format($$SELECT mycelium.finish_webhook_delivery(%L, %L, 1, NULL, true)$$,
                          '0000000a-0000-7000-8000-000000000000', :'a_delivery'))
    AS permanent_without_error;
SELECT regress.try(format($$SELECT mycelium.finish_webhook_delivery(%L, %L, 1, 'x', NULL)$$,
                          '0000000a-0000-7000-8000-000000000000', :'a_delivery'))
    AS permanent_null;
RESET ROLE;
-- A huge error is kept to its first 1000 characters, on the delivery and the
-- integration.
UPDATE mycelium.integrations SET is_enabled = true, error_count = 0 WHERE name = 'Ops hook';
UPDATE mycelium.webhook_deliveries SET next_attempt_at = NULL WHERE delivered_at IS NULL AND failed_at IS NULL;
SET ROLE regress_hook_worker;
SELECT mycelium.finish_webhook_delivery(c.organization_id, c.id, c.attempt, repeat('é', 100000)) AS huge_error
FROM mycelium.claim_webhook_deliveries(1) c;
RESET ROLE;
SELECT length(last_error) AS integration_error_length FROM mycelium.integrations WHERE name = 'Ops hook';
-- Read-only: 25006 before any work.
BEGIN READ ONLY;
SELECT regress.try($$SELECT mycelium.claim_webhook_deliveries()$$) AS read_only_claim;
SELECT regress.try(format($$SELECT mycelium.finish_webhook_delivery(%L, %L, 1)$$,
                          '0000000a-0000-7000-8000-000000000000', :'a_delivery')) AS read_only_finish;
ROLLBACK;
-- An application role calls neither.
SET ROLE regress_hook_app;
SELECT regress.try($$SELECT mycelium.claim_webhook_deliveries()$$) AS app_claims;
SELECT regress.try(format($$SELECT mycelium.finish_webhook_delivery(%L, %L, 1)$$,
                          '0000000a-0000-7000-8000-000000000000', :'a_delivery')) AS app_finishes;
RESET ROLE;

-- An integration's deliveries go with it.
DELETE FROM mycelium.integrations WHERE name = 'B hook';
SELECT count(*) AS b_deliveries_left FROM mycelium.webhook_deliveries
WHERE organization_id = '0000000b-0000-7000-8000-000000000000';

DROP VIEW regress.outbox;
DROP VIEW a_again;
DROP TABLE batch, again;
DROP OWNED BY regress_hook_app, regress_hook_worker;
DROP ROLE regress_hook_app, regress_hook_worker;
