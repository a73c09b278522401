-- Delivering notifications: claim_deliveries and finish_delivery, the worker's protocol.
\i sql/include/helpers.psql

-- Each file starts from an empty schema.
SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO';

-- The deliveries of each notification: channel, attempts, and what became of them.
CREATE FUNCTION pg_temp.outbox() RETURNS TABLE (notification text, status text, retry_count integer,
                                                failure_reason text, deliveries text)
    LANGUAGE sql AS $$
    SELECT n.message, n.status::text, n.retry_count, n.failure_reason,
           (SELECT string_agg(format('%s:%s#%s', r.channel,
                                     CASE WHEN r.delivered_at IS NOT NULL THEN 'delivered'
                                          WHEN r.failed_at IS NOT NULL THEN 'failed'
                                          WHEN r.next_attempt_at > now() THEN 'waiting'
                                          ELSE 'due' END, r.attempts), ' ' ORDER BY r.channel, r.user_id)
            FROM mycelium.notification_recipients r
            WHERE r.organization_id = n.organization_id AND r.notification_id = n.id AND r.channel <> 'in_app')
    FROM mycelium.notifications n
    ORDER BY n.message;
$$;

-- ------ Two agencies ------
-- Post sends at once, by e-mail and Slack; Digest sends a daily digest by e-mail.
SELECT id AS post FROM mycelium.create_organization('Post', timezone => 'Europe/Berlin') \gset
SELECT id AS digest FROM mycelium.create_organization('Digest', timezone => 'Asia/Tokyo') \gset
UPDATE mycelium.organization_settings SET notification_frequency = 'immediate', enable_slack_notifications = true
WHERE organization_id = :'post';
-- Slack is queued only for an organization with a connected Slack integration.
INSERT INTO mycelium.integrations (organization_id, type, name, is_enabled, is_connected, config)
VALUES (:'post', 'SLACK', 'Slack', true, true, '{"webhook_url": "https://hooks.slack.com/services/T/B/post"}');
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000d-0000-7000-8000-0000000000a1', :'post', 'ada@post.test', 'Ada', 'ADMIN', 'ACTIVE'),
    ('0000000d-0000-7000-8000-0000000000e1', :'post', 'eve@post.test', 'Eve', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000d-0000-7000-8000-0000000000b1', :'digest', 'bob@digest.test', 'Bob', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.clients (id, organization_id, name) VALUES
    ('0000000d-0000-7000-8000-0000000000c1', :'post', 'Kiosk'),
    ('0000000d-0000-7000-8000-0000000000c2', :'digest', 'Tea House');
-- Adding them told the ADMINs (CLIENT_ADDED, sql/19_notification_types.sql); this
-- file follows the deliverables' notices alone.
DELETE FROM mycelium.notifications WHERE type = 'CLIENT_ADDED';
-- Assigned on creation: Eve hears of two deliverables, Bob of one (at 08:00 Tokyo).
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, assigned_user_id,
                                   created_by_id)
SELECT v.org, v.client, st.id, v.title, v.assignee, v.assignee
FROM (VALUES (:'post'::uuid, '0000000d-0000-7000-8000-0000000000c1'::uuid, 'Poster',
              '0000000d-0000-7000-8000-0000000000e1'::uuid),
             (:'post', '0000000d-0000-7000-8000-0000000000c1', 'Flyer', '0000000d-0000-7000-8000-0000000000e1'),
             (:'digest', '0000000d-0000-7000-8000-0000000000c2', 'Menu', '0000000d-0000-7000-8000-0000000000b1'))
     AS v(org, client, title, assignee)
JOIN mycelium.service_types st ON st.organization_id = v.org AND st.slug = 'social';
SELECT * FROM pg_temp.outbox();

-- ------ Claiming ------
CREATE FUNCTION pg_temp.mail_of(deliverable text) RETURNS uuid LANGUAGE sql AS $$
    SELECT r.id FROM mycelium.notification_recipients r
    JOIN mycelium.notifications n ON n.organization_id = r.organization_id AND n.id = r.notification_id
    WHERE r.channel = 'email' AND n.message LIKE '%"' || deliverable || '"%';
$$;
SELECT pg_temp.mail_of('Poster') AS poster_mail, pg_temp.mail_of('Flyer') AS flyer_mail \gset
-- The due e-mails, one batch: the digest waits for its morning.
SELECT d.attempt, d.channel, d.user_name, d.email_address, d.type, d.message, d.related_type
FROM mycelium.claim_deliveries('email', 10) d
ORDER BY d.message;
-- Claimed deliveries are leased: nothing more is due.
SELECT count(*) AS claimed_again FROM mycelium.claim_deliveries('email');
SELECT * FROM pg_temp.outbox();

-- ------ Finishing ------
SELECT mycelium.finish_delivery(:'post', :'poster_mail', 1) AS poster_mail;
-- A second report of the same attempt changes nothing.
SELECT mycelium.finish_delivery(:'post', :'poster_mail', 1) AS reported_twice;
SELECT delivered_at IS NOT NULL AS delivered, email_status, next_attempt_at
FROM mycelium.notification_recipients WHERE organization_id = :'post' AND id = :'poster_mail';
-- Its Slack message is the notification's last delivery: it becomes SENT.
SELECT d.message, mycelium.finish_delivery(d.organization_id, d.recipient_id, d.attempt) AS outcome
FROM mycelium.claim_deliveries('slack') d
WHERE d.message LIKE '%Poster%';
SELECT * FROM pg_temp.outbox();
SELECT sent_at IS NOT NULL AS sent FROM mycelium.notifications
WHERE organization_id = :'post' AND status = 'SENT';

-- ------ Failures ------
-- The Flyer's e-mail fails: it is tried again after a minute, not before.
SELECT mycelium.finish_delivery(:'post', :'flyer_mail', 1, 'SMTP 451 try later') AS flyer_mail;
SELECT round(extract(epoch FROM next_attempt_at - now()) / 60) AS retry_in_minutes, last_error
FROM mycelium.notification_recipients WHERE organization_id = :'post' AND id = :'flyer_mail';
SELECT count(*) AS during_back_off FROM mycelium.claim_deliveries('email');
-- Leases and back-offs end: Post's deliveries become due again.
CREATE FUNCTION pg_temp.time_passes() RETURNS void LANGUAGE sql AS $$
    UPDATE mycelium.notification_recipients SET next_attempt_at = now() - interval '1 second'
    WHERE next_attempt_at > now() AND organization_id = (SELECT o.id FROM mycelium.organizations o WHERE o.name = 'Post');
$$;
-- One attempt of the Flyer's e-mail, which fails.
CREATE FUNCTION pg_temp.fail_once() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    d mycelium.delivery;
    outcome text;
    wait interval;
BEGIN
    PERFORM pg_temp.time_passes();
    SELECT * INTO d FROM mycelium.claim_deliveries('email', 1);
    IF NOT FOUND THEN
        RETURN 'nothing due';
    END IF;
    outcome := mycelium.finish_delivery(d.organization_id, d.recipient_id, d.attempt, 'SMTP 451 try later');
    SELECT r.next_attempt_at - now() INTO wait FROM mycelium.notification_recipients r
    WHERE r.organization_id = d.organization_id AND r.id = d.recipient_id;
    RETURN format('attempt %s: %s, next in %s', d.attempt, outcome, coalesce(wait::text, 'never'));
END;
$$;
-- The next waits are 4, 16 and 64 minutes; the fifth attempt fails for good.
SELECT pg_temp.fail_once() FROM generate_series(1, 5);
SELECT failed_at IS NOT NULL AS failed, last_error, attempts, next_attempt_at
FROM mycelium.notification_recipients WHERE organization_id = :'post' AND id = :'flyer_mail';
-- The Slack message still goes; then the notification has failed, and says why.
SELECT mycelium.finish_delivery(d.organization_id, d.recipient_id, d.attempt) AS flyer_slack
FROM mycelium.claim_deliveries('slack') d;
SELECT * FROM pg_temp.outbox();

-- A worker whose lease ran out: the delivery went to another, whose attempt counts.
INSERT INTO mycelium.notifications (organization_id, type, title, message, channels)
VALUES (:'post', 'SYSTEM_MAINTENANCE', 'Hello', 'Hello', '{email}') RETURNING id AS hello \gset
INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel, email_address)
VALUES (:'post', :'hello', '0000000d-0000-7000-8000-0000000000a1', 'email', 'ada@post.test'),
       (:'post', :'hello', '0000000d-0000-7000-8000-0000000000e1', 'email', 'eve@post.test');
SELECT id AS slow FROM mycelium.notification_recipients
WHERE notification_id = :'hello' AND user_id = '0000000d-0000-7000-8000-0000000000a1' \gset
SELECT id AS bouncing FROM mycelium.notification_recipients
WHERE notification_id = :'hello' AND user_id = '0000000d-0000-7000-8000-0000000000e1' \gset
SELECT user_name, attempt FROM mycelium.claim_deliveries('email', 10, '1 second') ORDER BY user_name;
SELECT pg_temp.time_passes();
SELECT user_name, attempt FROM mycelium.claim_deliveries('email', 10) ORDER BY user_name;
SELECT mycelium.finish_delivery(:'post', :'slow', 1) AS late_report;
SELECT mycelium.finish_delivery(:'post', :'slow', 2) AS current_report;
-- A bounced address is no use retrying: a permanent failure ends it at once.
SELECT mycelium.finish_delivery(:'post', :'bouncing', 2, '550 no such user', permanent => true) AS bounced;
SELECT * FROM pg_temp.outbox();

-- A cancelled notification is not delivered.
INSERT INTO mycelium.notifications (organization_id, type, title, message, channels, status)
VALUES (:'post', 'SYSTEM_MAINTENANCE', 'Never', 'Never', '{email}', 'CANCELLED') RETURNING id AS never \gset
INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel)
VALUES (:'post', :'never', '0000000d-0000-7000-8000-0000000000a1', 'email');
SELECT count(*) AS cancelled_claimed FROM mycelium.claim_deliveries('email');

-- The outbox index serves the claim.
EXPLAIN (COSTS OFF)
SELECT r.id FROM mycelium.notification_recipients r
WHERE r.channel = 'email' AND r.channel <> 'in_app' AND r.delivered_at IS NULL AND r.failed_at IS NULL
  AND coalesce(r.next_attempt_at, '-infinity'::timestamptz) <= now()
ORDER BY coalesce(r.next_attempt_at, '-infinity'::timestamptz), r.id LIMIT 10;

-- ------ Bad input ------
SELECT id AS in_app FROM mycelium.notification_recipients WHERE organization_id = :'post' AND channel = 'in_app'
LIMIT 1 \gset
SELECT t.description, regexp_replace(regress.try(t.statement), '[0-9a-f-]{36}', '<uuid>', 'g') AS outcome
FROM (VALUES
    ('channel NULL', $$SELECT mycelium.claim_deliveries(NULL)$$),
    ('channel in_app', $$SELECT mycelium.claim_deliveries('in_app')$$),
    ('channel unknown', $$SELECT mycelium.claim_deliveries('fax')$$),
    ('batch 0', $$SELECT mycelium.claim_deliveries('email', 0)$$),
    ('batch huge', $$SELECT mycelium.claim_deliveries('email', 10001)$$),
    ('batch NULL', $$SELECT mycelium.claim_deliveries('email', NULL)$$),
    ('lease 0', $$SELECT mycelium.claim_deliveries('email', 1, '0')$$),
    ('lease negative', $$SELECT mycelium.claim_deliveries('email', 1, '-1 minute')$$),
    ('lease 2 days', $$SELECT mycelium.claim_deliveries('email', 1, '2 days')$$),
    ('lease NULL', $$SELECT mycelium.claim_deliveries('email', 1, NULL)$$),
    ('finish org NULL', format($$SELECT mycelium.finish_delivery(NULL, %L, 1)$$, :'flyer_mail')),
    ('finish id NULL', format($$SELECT mycelium.finish_delivery(%L, NULL, 1)$$, :'post')),
    ('finish attempt NULL', format($$SELECT mycelium.finish_delivery(%L, %L, NULL)$$, :'post', :'flyer_mail')),
    ('finish permanent NULL', format($$SELECT mycelium.finish_delivery(%L, %L, 1, 'x', NULL)$$, :'post', :'flyer_mail')),
    ('finish unknown', format($$SELECT mycelium.finish_delivery(%L, %L, 1)$$, :'post', :'post')),
    ('finish of the other organization', format($$SELECT mycelium.finish_delivery(%L, %L, 1)$$, :'digest', :'flyer_mail')),
    ('finish in_app', format($$SELECT mycelium.finish_delivery(%L, %L, 0)$$, :'post', :'in_app')),
    ('finish empty error', format($$SELECT mycelium.finish_delivery(%L, %L, 5, '  ')$$, :'post', :'flyer_mail')),
    ('finish permanent, no error', format($$SELECT mycelium.finish_delivery(%L, %L, 5, NULL, true)$$, :'post', :'flyer_mail'))
) AS t(description, statement);
-- A delivery that has failed for good stays so.
SELECT mycelium.finish_delivery(:'post', :'flyer_mail', 5) AS failed_delivery_reported;
-- A huge error is kept to its first 1000 characters.
INSERT INTO mycelium.notifications (organization_id, type, title, message, channels)
VALUES (:'post', 'SYSTEM_MAINTENANCE', 'Huge', 'Huge', '{slack}') RETURNING id AS huge \gset
INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel)
VALUES (:'post', :'huge', '0000000d-0000-7000-8000-0000000000a1', 'slack');
SELECT mycelium.finish_delivery(organization_id, recipient_id, attempt, repeat('é', 100000)) AS huge_error
FROM mycelium.claim_deliveries('slack');
SELECT length(last_error) FROM mycelium.notification_recipients
WHERE organization_id = :'post' AND channel = 'slack' AND last_error IS NOT NULL;
-- Read-only: 25006 before any work.
BEGIN READ ONLY;
SELECT regress.try($$SELECT mycelium.claim_deliveries('email')$$) AS read_only_claim;
SELECT regress.try(format($$SELECT mycelium.finish_delivery(%L, %L, 1)$$, :'post', :'flyer_mail')) AS read_only_finish;
ROLLBACK;

-- ------ Who may ------
-- A delivery worker's role gets the two functions and nothing else; an
-- application role does not get them.
CREATE ROLE regress_mycelium_postman;
CREATE ROLE regress_mycelium_webapp;
SELECT mycelium.grant_access('regress_mycelium_postman', 'delivery');
SELECT mycelium.grant_access('regress_mycelium_webapp', 'app');
SET ROLE regress_mycelium_postman;
SELECT count(*) AS postman_claims FROM mycelium.claim_deliveries('email');
SELECT regress.try($$SELECT count(*) FROM mycelium.notification_recipients$$) AS postman_reads_table;
SELECT regress.try($$SELECT mycelium.sweep_overdue()$$) AS postman_sweeps;
RESET ROLE;
SET ROLE regress_mycelium_webapp;
SELECT regress.try($$SELECT mycelium.claim_deliveries('email')$$) AS app_claims;
SELECT regress.try(format($$SELECT mycelium.finish_delivery(%L, %L, 1)$$, :'post', :'flyer_mail')) AS app_finishes;
RESET ROLE;
DROP OWNED BY regress_mycelium_postman, regress_mycelium_webapp;
DROP ROLE regress_mycelium_postman, regress_mycelium_webapp;
