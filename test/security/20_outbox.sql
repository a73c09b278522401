-- Forged outbox rows and pre-empted dedup keys (docs/security.md, classes 8 and 9).
-- As organization A's ADMIN, a staff member (user 2, VIDEO_EDITOR) and a portal
-- user, the application tries to write what only the database may: an e-mail
-- address of its choosing, the delivery worker's columns (attempts,
-- next_attempt_at, delivered/failed state), a notification of a type the
-- database makes (every type, since 0.2.0: docs/notifications.md), and the key
-- of the overdue or due-soon notice about the staff member's own late work,
-- which would keep the admins from hearing of it.
BEGIN;
SELECT plan(47);

SELECT sec.id('a', 'organization') AS org, sec.id('a', 'user', 1) AS admin, sec.id('a', 'user', 2) AS editor,
       sec.id('a', 'user', 3) AS custom, sec.id('a', 'deliverable', 1) AS late,
       sec.id('a', 'deliverable', 3) AS soon, mycelium.uuid_v7() AS forged \gset

-- The deliverables of user 2 this file is about: one past due, one due in an hour.
SELECT sec.act_as('a', 1);
UPDATE mycelium.deliverables SET due_date = now() - interval '1 hour' WHERE id = :'late';
UPDATE mycelium.deliverables SET due_date = now() + interval '1 hour' WHERE id = :'soon';
SELECT to_char(due_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS late_key
FROM mycelium.deliverables WHERE id = :'late' \gset
SELECT to_char(due_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS soon_key
FROM mycelium.deliverables WHERE id = :'soon' \gset
-- A notification the database made: user 3 is assigned deliverable 2 again.
UPDATE mycelium.deliverables SET assigned_user_id = :'editor' WHERE id = sec.id('a', 'deliverable', 2);
UPDATE mycelium.deliverables SET assigned_user_id = :'custom' WHERE id = sec.id('a', 'deliverable', 2);
SELECT id AS assigned FROM mycelium.notifications
WHERE type = 'DELIVERABLE_ASSIGNED' AND related_id = sec.id('a', 'deliverable', 2)
ORDER BY id DESC LIMIT 1 \gset
-- A notification the ADMIN caused: client 2's contact changes, its assigned
-- staff (user 3) hear of it (CLIENT_UPDATED, signed by the ADMIN).
UPDATE mycelium.clients SET contact_person = 'Someone new' WHERE id = sec.id('a', 'client', 2);
SELECT id AS admins_own FROM mycelium.notifications WHERE type = 'CLIENT_UPDATED' ORDER BY id DESC LIMIT 1 \gset

-- ------ 8. Forged outbox rows: the staff member ------
SELECT sec.act_as('a', 2);
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notifications (id, organization_id, type, title, message, sender_id, channels)
                VALUES (%L, %L, 'PROJECT_CREATED', 'New project', 'Kick-off on Monday', %L, '{in_app,email}')$$,
              :'forged', :'org', :'editor')),
          '42501', 'staff: a notification of their own, signed by themselves, throws 42501 (every type is the database''s)');
-- A notification the staff member caused: the project they manage is completed,
-- and the ADMIN hears of it (PROJECT_COMPLETED, signed by the staff member).
UPDATE mycelium.projects SET status = 'COMPLETED' WHERE id = sec.id('a', 'project', 1);
SELECT id AS own FROM mycelium.notifications WHERE type = 'PROJECT_COMPLETED' AND sender_id = :'editor' \gset
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel,
                                                              email_address)
                VALUES (%L, %L, %L, 'email', 'ceo@victim.example')$$, :'org', :'own', :'custom')),
          '42501', 'staff: a recipient row with an e-mail address of their choosing throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel,
                                                              next_attempt_at)
                VALUES (%L, %L, %L, 'email', '-infinity')$$, :'org', :'own', :'custom')),
          '42501', 'staff: a recipient row at the head of every tenant''s queue (next_attempt_at) throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel, attempts)
                VALUES (%L, %L, %L, 'email', 4)$$, :'org', :'own', :'custom')),
          '42501', 'staff: a recipient row with attempts already counted throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel,
                                                              delivered_at)
                VALUES (%L, %L, %L, 'email', now())$$, :'org', :'own', :'custom')),
          '42501', 'staff: a recipient row already delivered throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel,
                                                              failed_at, last_error)
                VALUES (%L, %L, %L, 'email', now(), 'bounced')$$, :'org', :'own', :'custom')),
          '42501', 'staff: a recipient row already failed throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (id, organization_id, notification_id, user_id, channel)
                VALUES ('00000000-0000-0000-0000-000000000001', %L, %L, %L, 'email')$$, :'org', :'own', :'custom')),
          '42501', 'staff: a recipient id of their choosing (the tie-break of the queue''s order) throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel)
                VALUES (%L, %L, %L, 'email'), (%L, %L, %L, 'in_app')$$,
              :'org', :'own', :'custom', :'org', :'own', :'custom')),
          '42501', 'staff: addressing even their own notification to a colleague throws 42501 (the database chose its recipients)');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel)
                VALUES (%L, %L, %L, 'email')
                ON CONFLICT (organization_id, notification_id, user_id, channel)
                DO UPDATE SET attempts = 0, next_attempt_at = '-infinity', email_address = 'ceo@victim.example'$$,
              :'org', :'own', :'custom')),
          '42501', 'staff: INSERT ... ON CONFLICT DO UPDATE of the delivery columns throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel)
                VALUES (%L, %L, %L, 'email')$$, :'org', :'assigned', :'editor')),
          '42501', 'staff: a recipient of a notification the database made throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel)
                VALUES (%L, %L, %L, 'email')$$, :'org', :'admins_own', :'custom')),
          '42501', 'staff: a recipient of a colleague''s notification throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notifications (organization_id, type, title, message, channels)
                VALUES (%L, 'SYSTEM_MAINTENANCE', 'Maintenance', 'Reset your password here', '{email}')$$, :'org')),
          '42501', 'staff: an unsigned notification (as the system''s look) throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notifications (organization_id, type, title, message, sender_id, status,
                                                    sent_at, retry_count)
                VALUES (%L, 'PROJECT_CREATED', 'x', 'x', %L, 'SENT', now(), 0)$$, :'org', :'editor')),
          '42501', 'staff: a notification with its delivery state already set throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notifications (organization_id, type, title, message, sender_id, related_id,
                                                    related_type)
                VALUES (%L, 'DELIVERABLE_COMPLETED', 'Deliverable completed', 'Done.', %L, %L, 'deliverable')$$,
              :'org', :'editor', :'late')),
          '42501', 'staff: a notification of a type the database makes (DELIVERABLE_COMPLETED) throws 42501');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.notification_recipients SET attempts = 0, next_attempt_at = NULL
                                   WHERE user_id = %L$$, :'editor')),
          '42501', 'staff: the delivery columns of a row of their own throw 42501');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.notifications SET status = 'CANCELLED' WHERE id = %L$$, :'own')),
          'ok', 'staff: ...and cancelling (their own notification) changes nothing, without an error');
SELECT is((SELECT status::text FROM mycelium.notifications WHERE id = :'own'), 'PENDING',
          'staff: their notification is still PENDING (only an ADMIN cancels)');

-- Marking read is what a recipient does: user 3 is a recipient of the assignment.
SELECT sec.act_as('a', 3);
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.notification_recipients SET read_at = now()
                                   WHERE notification_id = %L AND channel = 'in_app'$$, :'assigned')),
          'ok', 'staff: the recipient marks their own notification read');
SELECT isnt((SELECT read_at FROM mycelium.notification_recipients WHERE notification_id = :'assigned' AND channel = 'in_app'),
            NULL, 'staff: ...and it is read');

-- ------ 8. Forged outbox rows: the ADMIN ------
SELECT sec.act_as('a', 1);
SELECT is((SELECT string_agg(format('%s %s %s %s', r.channel, coalesce(r.email_address, '-'), r.attempts,
                                    CASE WHEN r.next_attempt_at IS NULL THEN 'not queued'
                                         WHEN r.next_attempt_at = n.scheduled_for THEN 'queued at its time'
                                         ELSE 'queued at ' || r.next_attempt_at END), ', ' ORDER BY r.channel)
           FROM mycelium.notification_recipients r
           JOIN mycelium.notifications n ON n.organization_id = r.organization_id AND n.id = r.notification_id
          WHERE r.notification_id = :'own'),
          'email admin-a@sec.example 0 queued at its time, in_app - 0 not queued',
          'the staff member''s notification''s rows: the user''s own address, no attempt, queued at its time (in_app: not queued)');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel,
                                                              email_address)
                VALUES (%L, %L, %L, 'email', 'ceo@victim.example')$$, :'org', :'admins_own', :'editor')),
          '42501', 'ADMIN: a recipient row with an e-mail address of their choosing throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel,
                                                              attempts, next_attempt_at)
                VALUES (%L, %L, %L, 'email', 0, '1970-01-01')$$, :'org', :'admins_own', :'editor')),
          '42501', 'ADMIN: a recipient row ahead of every tenant''s queue throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel)
                VALUES (%L, %L, %L, 'email')$$, :'org', :'assigned', :'admin')),
          '42501', 'ADMIN: a recipient of a notification the database made throws 42501');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.notification_recipients
                                   SET email_address = 'ceo@victim.example', attempts = 0, next_attempt_at = '-infinity'
                                   WHERE notification_id = %L$$, :'own')),
          '42501', 'ADMIN: re-addressing and re-queueing recipient rows throws 42501');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.notification_recipients SET delivered_at = now()
                                   WHERE notification_id = %L$$, :'own')),
          '42501', 'ADMIN: marking deliveries done throws 42501');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.notification_recipients SET failed_at = now(), last_error = 'x'
                                   WHERE notification_id = %L$$, :'own')),
          '42501', 'ADMIN: marking deliveries failed throws 42501');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.notification_recipients SET email_status = 'bounced'
                                   WHERE notification_id = %L AND channel = 'email'$$, :'own')),
          'ok', 'ADMIN: the mail provider''s callback (email_status) may still be written');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.notifications SET status = 'SENT', sent_at = now()
                                   WHERE id = %L$$, :'own')),
          '42501', 'ADMIN: settling a notification (SENT) throws 42501');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.notifications SET type = 'DELIVERABLE_OVERDUE',
                                   related_id = %L, related_type = 'deliverable',
                                   metadata = jsonb_build_object('due_date', %L::text) WHERE id = %L$$,
                                 :'late', :'late_key', :'own')),
          '42501', 'ADMIN: turning an application''s notification into an overdue notice throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notifications (organization_id, type, title, message)
                VALUES (%L, 'MENTION_RECEIVED', 'You were mentioned', 'Click here')$$, :'org')),
          '42501', 'ADMIN: a notification of a type the database makes (MENTION_RECEIVED) throws 42501');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.notifications SET status = 'CANCELLED' WHERE id = %L$$, :'own')),
          'ok', 'ADMIN: cancelling a pending notification works');
SELECT is((SELECT status::text FROM mycelium.notifications WHERE id = :'own'), 'CANCELLED',
          'ADMIN: ...and it is cancelled');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.notifications SET status = 'PENDING' WHERE id = %L$$, :'own')),
          'ok', 'ADMIN: reviving a cancelled notification (back into the queue)...');
SELECT is((SELECT status::text FROM mycelium.notifications WHERE id = :'own'), 'CANCELLED',
          'ADMIN: ...changes nothing: only a pending notification may be cancelled, and only cancelled');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.notifications SET status = 'FAILED' WHERE id = %L$$, :'assigned')),
          '42501', 'ADMIN: failing a pending notification of the database''s throws 42501');

-- ------ 8. The portal user ------
SELECT sec.act_as('a', 1, true);
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notifications (organization_id, type, title, message)
                VALUES (%L, 'DELIVERABLE_APPROVED', 'Deliverable approved', 'Approved.')$$, :'org')),
          '42501', 'portal: a notification of a type the database makes throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel,
                                                              email_address)
                VALUES (%L, %L, %L, 'email', 'ceo@victim.example')$$, :'org', :'admins_own', :'editor')),
          '42501', 'portal: a recipient row with an address of their choosing throws 42501');

-- ------ 9. Pre-empted dedup keys: the staff member's own late work ------
SELECT sec.act_as('a', 2);
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notifications (organization_id, type, title, message, sender_id, related_id,
                                                    related_type, metadata)
                VALUES (%L, 'DELIVERABLE_OVERDUE', 'x', 'x', %L, %L, 'deliverable', jsonb_build_object('due_date', %L::text))$$,
              :'org', :'editor', :'late', :'late_key')),
          '42501', 'staff: the key of the overdue notice of their own late deliverable throws 42501');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notifications (organization_id, type, title, message, sender_id, related_id,
                                                    related_type, metadata)
                VALUES (%L, 'DELIVERABLE_OVERDUE', 'x', 'x', %L, %L, 'deliverable', jsonb_build_object('due_date', %L::text))
                ON CONFLICT DO NOTHING$$,
              :'org', :'editor', :'late', :'late_key')),
          '42501', 'staff: ...also with ON CONFLICT DO NOTHING');
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notifications (organization_id, type, title, message, sender_id, related_id,
                                                    related_type, metadata)
                VALUES (%L, 'DELIVERABLE_DUE_SOON', 'x', 'x', %L, %L, 'deliverable', jsonb_build_object('due_date', %L::text))$$,
              :'org', :'editor', :'soon', :'soon_key')),
          '42501', 'staff: the key of the due-soon notice of their own deliverable throws 42501');
SELECT sec.act_as('a', 1, true);
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notifications (organization_id, type, title, message, related_id, related_type,
                                                    metadata)
                VALUES (%L, 'DELIVERABLE_OVERDUE', 'x', 'x', %L, 'deliverable', jsonb_build_object('due_date', %L::text))$$,
              :'org', :'late', :'late_key')),
          '42501', 'portal: the key of the overdue notice throws 42501');
SELECT sec.act_as('a', 1);
SELECT is(sec.sqlstate_of(format(
              $$INSERT INTO mycelium.notifications (organization_id, type, title, message, sender_id, related_id,
                                                    related_type, metadata)
                VALUES (%L, 'DELIVERABLE_DUE_SOON', 'x', 'x', %L, %L, 'deliverable', jsonb_build_object('due_date', %L::text))$$,
              :'org', :'admin', :'soon', :'soon_key')),
          '42501', 'ADMIN: the key of the due-soon notice throws 42501');

-- The sweeps, as A's ADMIN runs them, still tell the admins.
SELECT is((SELECT count(*) FROM mycelium.notifications WHERE type IN ('DELIVERABLE_OVERDUE', 'DELIVERABLE_DUE_SOON')),
          0::bigint, 'no overdue or due-soon notice exists before the sweeps');
CREATE TEMP TABLE swept AS SELECT * FROM mycelium.sweep_overdue();
CREATE TEMP TABLE due_soon AS SELECT * FROM mycelium.sweep_due_soon('2 hours');
SELECT is((SELECT count(*) FROM swept WHERE deliverable_id = :'late' AND notification_id IS NOT NULL), 1::bigint,
          'sweep_overdue marks the late deliverable and makes its notice');
SELECT is((SELECT count(*) FROM swept s
           JOIN mycelium.notification_recipients r ON r.notification_id = s.notification_id
           WHERE s.deliverable_id = :'late' AND r.user_id = :'admin' AND r.channel = 'email'
             AND r.email_address = 'admin-a@sec.example'),
          1::bigint, 'the admin is told of the overdue deliverable, by e-mail at their own address');
SELECT is((SELECT count(*) FROM due_soon WHERE deliverable_id = :'soon' AND notification_id IS NOT NULL), 1::bigint,
          'sweep_due_soon makes the due-soon notice');
SELECT is((SELECT count(*) FROM due_soon s
           JOIN mycelium.notification_recipients r ON r.notification_id = s.notification_id
           WHERE s.deliverable_id = :'soon' AND r.user_id = :'admin' AND r.channel = 'email'),
          1::bigint, 'the admin is told the deliverable is due soon');

SELECT * FROM finish();
ROLLBACK;
