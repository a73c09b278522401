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
-- Written past address_recipient (by the table's owner), it was in the outbox:
-- the claim that reached it ended it instead of handing it out.
SELECT attempts, failed_at IS NOT NULL AS ended, next_attempt_at, last_error
FROM mycelium.notification_recipients WHERE notification_id = :'never';

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

-- An ADMIN who cancels a pending notification ends its open deliveries at once:
-- they leave the outbox, so no claim reads past them, and a worker that held
-- one hears 'stale'.
INSERT INTO mycelium.notifications (organization_id, type, title, message, channels)
VALUES (:'post', 'SYSTEM_MAINTENANCE', 'Called off', 'Called off', '{email}') RETURNING id AS called_off \gset
INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel, email_address)
VALUES (:'post', :'called_off', '0000000d-0000-7000-8000-0000000000a1', 'email', 'ada@post.test'),
       (:'post', :'called_off', '0000000d-0000-7000-8000-0000000000e1', 'email', 'eve@post.test');
SET ROLE regress_mycelium_postman;
SELECT recipient_id AS held, attempt AS held_attempt FROM mycelium.claim_deliveries('email', 1) \gset
RESET ROLE;
SET ROLE regress_mycelium_webapp;
BEGIN;
SELECT mycelium.set_context(:'post', '0000000d-0000-7000-8000-0000000000a1', 'ADMIN') IS NOT NULL AS admin;
UPDATE mycelium.notifications SET status = 'CANCELLED' WHERE id = :'called_off';
COMMIT;
RESET ROLE;
SELECT attempts, failed_at IS NOT NULL AS ended, next_attempt_at, last_error
FROM mycelium.notification_recipients WHERE notification_id = :'called_off' ORDER BY attempts DESC;
SET ROLE regress_mycelium_postman;
SELECT mycelium.finish_delivery(:'post', :'held', :held_attempt) AS held_report;
SELECT count(*) AS claimed_after_cancel FROM mycelium.claim_deliveries('email');
RESET ROLE;
DROP OWNED BY regress_mycelium_postman, regress_mycelium_webapp;
DROP ROLE regress_mycelium_postman, regress_mycelium_webapp;

-- ------ Reporting many at once: finish_deliveries ------
-- The same rules as finish_delivery, for a batch: each report's outcome, in the
-- order of the reports. Two notifications, to Ada and Eve.
INSERT INTO mycelium.notifications (organization_id, type, title, message, channels)
VALUES (:'post', 'SYSTEM_MAINTENANCE', 'Batch one', 'Batch one', '{email,slack}') RETURNING id AS one \gset
INSERT INTO mycelium.notifications (organization_id, type, title, message, channels)
VALUES (:'post', 'SYSTEM_MAINTENANCE', 'Batch two', 'Batch two', '{email}') RETURNING id AS two \gset
INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel, email_address)
VALUES (:'post', :'one', '0000000d-0000-7000-8000-0000000000a1', 'email', 'ada@post.test'),
       (:'post', :'one', '0000000d-0000-7000-8000-0000000000e1', 'email', 'eve@post.test'),
       (:'post', :'one', '0000000d-0000-7000-8000-0000000000a1', 'slack', NULL),
       (:'post', :'two', '0000000d-0000-7000-8000-0000000000a1', 'email', 'ada@post.test'),
       (:'post', :'two', '0000000d-0000-7000-8000-0000000000e1', 'email', 'eve@post.test');
CREATE TEMP TABLE claimed AS
SELECT d.message, d.channel, d.user_name, d.organization_id, d.recipient_id, d.attempt
FROM (SELECT * FROM mycelium.claim_deliveries('email', 10) UNION ALL SELECT * FROM mycelium.claim_deliveries('slack', 10)) d;
SELECT message, channel, user_name, attempt FROM claimed ORDER BY message, channel, user_name;
-- A mixed batch: Ada's e-mail delivered, Eve's to be retried, Ada's Slack
-- message failed for good, and a late report (an attempt that is not the
-- current one) of Batch two's e-mail to Ada.
WITH reports AS (
    SELECT c.*, v.ord, v.attempt_offset, v.error, v.permanent
    FROM (VALUES (1, 'Batch one', 'email', 'Ada', 0, NULL, false),
                 (2, 'Batch one', 'email', 'Eve', 0, 'SMTP 451 try later', false),
                 (3, 'Batch one', 'slack', 'Ada', 0, 'channel_not_found', true),
                 (4, 'Batch two', 'email', 'Ada', -1, NULL, false))
         AS v(ord, message, channel, user_name, attempt_offset, error, permanent)
    JOIN claimed c USING (message, channel, user_name)
)
SELECT c.message, c.channel, c.user_name, f.outcome
FROM mycelium.finish_deliveries(ARRAY(SELECT organization_id FROM reports ORDER BY ord),
                                ARRAY(SELECT recipient_id FROM reports ORDER BY ord),
                                ARRAY(SELECT attempt + attempt_offset FROM reports ORDER BY ord),
                                ARRAY(SELECT error FROM reports ORDER BY ord),
                                ARRAY(SELECT permanent FROM reports ORDER BY ord)) WITH ORDINALITY AS f
JOIN claimed c ON c.organization_id = f.organization_id AND c.recipient_id = f.recipient_id
ORDER BY f.ordinality;
SELECT * FROM pg_temp.outbox() WHERE notification LIKE 'Batch%';
SELECT channel, round(extract(epoch FROM next_attempt_at - now()) / 60) AS retry_in_minutes, last_error, email_status
FROM mycelium.notification_recipients WHERE notification_id IN (:'one', :'two') ORDER BY channel, user_id;
-- Reported again: what is done stays done ('stale'). Without errors (NULL), a
-- batch reports deliveries.
SELECT c.user_name, f.outcome
FROM claimed c, mycelium.finish_deliveries(ARRAY[c.organization_id], ARRAY[c.recipient_id], ARRAY[c.attempt]) f
WHERE c.message = 'Batch one' AND c.channel = 'email' AND c.user_name = 'Ada';
-- Later, one batch delivers the rest: Eve's second attempt of Batch one, and
-- both of Batch two, which settle their notifications in the same call: Batch
-- one FAILED (its Slack message failed for good), Batch two SENT.
SELECT pg_temp.time_passes();
DELETE FROM claimed;
INSERT INTO claimed
SELECT d.message, d.channel, d.user_name, d.organization_id, d.recipient_id, d.attempt
FROM mycelium.claim_deliveries('email', 10) d;
SELECT message, channel, user_name, attempt FROM claimed ORDER BY message, channel, user_name;
SELECT count(*) FILTER (WHERE f.outcome = 'delivered') AS delivered, count(*) AS reports
FROM mycelium.finish_deliveries(ARRAY(SELECT organization_id FROM claimed ORDER BY recipient_id),
                                ARRAY(SELECT recipient_id FROM claimed ORDER BY recipient_id),
                                ARRAY(SELECT attempt FROM claimed ORDER BY recipient_id)) f;
SELECT * FROM pg_temp.outbox() WHERE notification LIKE 'Batch%';
SELECT message, sent_at IS NOT NULL AS sent FROM mycelium.notifications WHERE id IN (:'one', :'two') ORDER BY message;

-- Bad input: the whole batch is refused and nothing changes, also when only one
-- report is bad. A third notification with one due e-mail to Eve:
INSERT INTO mycelium.notifications (organization_id, type, title, message, channels)
VALUES (:'post', 'SYSTEM_MAINTENANCE', 'Batch three', 'Batch three', '{email}') RETURNING id AS three \gset
INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel, email_address)
VALUES (:'post', :'three', '0000000d-0000-7000-8000-0000000000e1', 'email', 'eve@post.test')
RETURNING id AS third \gset
SELECT attempt AS third_attempt FROM mycelium.claim_deliveries('email', 10) \gset
SELECT t.description, regexp_replace(regress.try(t.statement), '[0-9a-f-]{36}', '<uuid>', 'g') AS outcome
FROM (VALUES
    ('organization_ids NULL', format($$SELECT mycelium.finish_deliveries(NULL, ARRAY[%L]::uuid[], '{1}')$$, :'third')),
    ('recipient_ids NULL', format($$SELECT mycelium.finish_deliveries(ARRAY[%L]::uuid[], NULL, '{1}')$$, :'post')),
    ('attempts NULL', format($$SELECT mycelium.finish_deliveries(ARRAY[%L]::uuid[], ARRAY[%L]::uuid[], NULL)$$,
                             :'post', :'third')),
    ('empty', $$SELECT mycelium.finish_deliveries('{}', '{}', '{}')$$),
    ('two dimensions', format($$SELECT mycelium.finish_deliveries(ARRAY[[%L]]::uuid[], ARRAY[[%L]]::uuid[], '{{1}}')$$,
                              :'post', :'third')),
    ('lengths differ', format($$SELECT mycelium.finish_deliveries(ARRAY[%L, %L]::uuid[], ARRAY[%L]::uuid[], '{1}')$$,
                              :'post', :'post', :'third')),
    ('errors longer', format($$SELECT mycelium.finish_deliveries(ARRAY[%L]::uuid[], ARRAY[%L]::uuid[], '{1}', '{a,b}')$$,
                             :'post', :'third')),
    ('too many', $$SELECT mycelium.finish_deliveries(array_fill(NULL::uuid, '{10001}'), array_fill(NULL::uuid, '{10001}'),
                                                     array_fill(1, '{10001}'))$$),
    ('an element NULL', format($$SELECT mycelium.finish_deliveries(ARRAY[%L, %L]::uuid[], ARRAY[%L, NULL]::uuid[], '{%s,1}')$$,
                               :'post', :'post', :'third', :'third_attempt')),
    ('permanent element NULL', format($$SELECT mycelium.finish_deliveries(ARRAY[%L]::uuid[], ARRAY[%L]::uuid[], '{%s}',
                                                                        '{x}', ARRAY[NULL]::boolean[])$$,
                                      :'post', :'third', :'third_attempt')),
    ('empty error', format($$SELECT mycelium.finish_deliveries(ARRAY[%L]::uuid[], ARRAY[%L]::uuid[], '{%s}', '{" "}')$$,
                           :'post', :'third', :'third_attempt')),
    ('permanent, no error', format($$SELECT mycelium.finish_deliveries(ARRAY[%L]::uuid[], ARRAY[%L]::uuid[], '{%s}',
                                                                     NULL, '{true}')$$, :'post', :'third', :'third_attempt')),
    ('reported twice', format($$SELECT mycelium.finish_deliveries(ARRAY[%L, %L]::uuid[], ARRAY[%L, %L]::uuid[], '{%s,%s}')$$,
                              :'post', :'post', :'third', :'third', :'third_attempt', :'third_attempt')),
    ('a delivery unknown', format($$SELECT mycelium.finish_deliveries(ARRAY[%L, %L]::uuid[], ARRAY[%L, %L]::uuid[], '{%s,1}')$$,
                                  :'post', :'post', :'third', :'post', :'third_attempt')),
    ('of the other organization', format($$SELECT mycelium.finish_deliveries(ARRAY[%L, %L]::uuid[], ARRAY[%L, %L]::uuid[], '{%s,1}')$$,
                                         :'post', :'digest', :'third', :'third', :'third_attempt')),
    ('in_app', format($$SELECT mycelium.finish_deliveries(ARRAY[%L, %L]::uuid[], ARRAY[%L, %L]::uuid[], '{%s,0}')$$,
                      :'post', :'post', :'third', :'in_app', :'third_attempt'))
) AS t(description, statement);
-- None of them changed the due e-mail; a good batch then delivers it.
SELECT * FROM pg_temp.outbox() WHERE notification = 'Batch three';
SELECT * FROM mycelium.finish_deliveries(ARRAY[:'post']::uuid[], ARRAY[:'third']::uuid[], ARRAY[:'third_attempt']::integer[])
\gset batch_
SELECT :'batch_recipient_id' = :'third' AS same_delivery, :'batch_outcome' AS outcome;
-- Read-only: 25006 before any work.
BEGIN READ ONLY;
SELECT regress.try(format($$SELECT mycelium.finish_deliveries(ARRAY[%L]::uuid[], ARRAY[%L]::uuid[], '{1}')$$,
                          :'post', :'third')) AS read_only_batch;
ROLLBACK;
-- Who may: the delivery kind, not an application.
CREATE ROLE regress_mycelium_postman;
CREATE ROLE regress_mycelium_webapp;
SELECT mycelium.grant_access('regress_mycelium_postman', 'delivery');
SELECT mycelium.grant_access('regress_mycelium_webapp', 'app');
SET ROLE regress_mycelium_postman;
SELECT outcome AS postman_batch
FROM mycelium.finish_deliveries(ARRAY[:'post']::uuid[], ARRAY[:'third']::uuid[], ARRAY[:'third_attempt']::integer[]);
RESET ROLE;
SET ROLE regress_mycelium_webapp;
SELECT regress.try(format($$SELECT mycelium.finish_deliveries(ARRAY[%L]::uuid[], ARRAY[%L]::uuid[], '{1}')$$,
                          :'post', :'third')) AS app_batch;
RESET ROLE;
DROP OWNED BY regress_mycelium_postman, regress_mycelium_webapp;
DROP ROLE regress_mycelium_postman, regress_mycelium_webapp;
