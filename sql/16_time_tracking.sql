-- Time tracking: the organization's switch (organization_settings.
-- enable_time_tracking), durations derived from the times, billable amounts from
-- the entry's rate or its service type's default, deliverables.actual_hours kept
-- as the sum of the entries, bad input, and who may write and see time; two
-- organizations, as non-superuser roles.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
RESET client_min_messages;

-- regress.try, with the error's DETAIL when it has one.
CREATE OR REPLACE FUNCTION regress.try_detail(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || SQLERRM || CASE WHEN detail <> '' THEN E'\n' || detail ELSE '' END;
END;
$$;
-- Acts as a user of the fixture (organization from the id's first group), for
-- the rest of the transaction; portal users by their client_users id.
CREATE OR REPLACE FUNCTION regress.time_as(who uuid, role text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mycelium.set_context((left(who::text, 8) || '-0000-7000-8000-000000000000')::uuid, who, role);
    RETURN role;
END;
$$;

-- Agency A: Ann (ADMIN), Eve (VIDEO_EDITOR, serves Acme's social media), Sam
-- (SEO_STRATEGIST, serves nobody); clients Acme and Globex; Social Media at 90.00
-- an hour by default, SEO without a default rate; deliverables d1 (Acme,
-- social, Eve), d2 (Acme, SEO, Eve), d3 (Globex, social, Ann); Pat, Acme's
-- portal user. Time tracking starts off, as the column's default says.
-- Agency B: Bob (ADMIN), time tracking on, Social Media at 50.00, one deliverable.
INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.organization_settings (organization_id, enable_time_tracking) VALUES
    ('0000000a-0000-7000-8000-000000000000', DEFAULT),
    ('0000000b-0000-7000-8000-000000000000', true);
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.test', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'eve@a.test', 'Eve', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-000000000000', 'sam@a.test', 'Sam', 'SEO_STRATEGIST', 'ACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bob@b.test', 'Bob', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.clients (id, organization_id, name, slug) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Acme', 'acme'),
    ('0000000a-0000-7000-8000-0000000000c2', '0000000a-0000-7000-8000-000000000000', 'Globex', 'globex'),
    ('0000000b-0000-7000-8000-0000000000c1', '0000000b-0000-7000-8000-000000000000', 'Umbrella', 'umbrella');
INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type, default_rate) VALUES
    ('0000000a-0000-7000-8000-0000000000e1', '0000000a-0000-7000-8000-000000000000', 'Social Media', 'social', 'RECURRING', 90.00),
    ('0000000a-0000-7000-8000-0000000000e2', '0000000a-0000-7000-8000-000000000000', 'SEO', 'seo', 'PROJECT', NULL),
    ('0000000b-0000-7000-8000-0000000000e1', '0000000b-0000-7000-8000-000000000000', 'Social Media', 'social', 'RECURRING', 50.00);
INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id) VALUES
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     '0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-0000000000e1');
INSERT INTO mycelium.deliverables (id, organization_id, client_id, service_type_id, title, status,
                                   assigned_user_id, created_by_id) VALUES
    ('0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     '0000000a-0000-7000-8000-0000000000e1', 'Reel', 'IN_PROGRESS', '0000000a-0000-7000-8000-0000000000a2',
     '0000000a-0000-7000-8000-0000000000a1'),
    ('0000000a-0000-7000-8000-0000000000d2', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     '0000000a-0000-7000-8000-0000000000e2', 'Audit', 'IN_PROGRESS', '0000000a-0000-7000-8000-0000000000a2',
     '0000000a-0000-7000-8000-0000000000a1'),
    ('0000000a-0000-7000-8000-0000000000d3', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c2',
     '0000000a-0000-7000-8000-0000000000e1', 'Story', 'IN_PROGRESS', '0000000a-0000-7000-8000-0000000000a1',
     '0000000a-0000-7000-8000-0000000000a1'),
    ('0000000b-0000-7000-8000-0000000000d1', '0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000c1',
     '0000000b-0000-7000-8000-0000000000e1', 'Post', 'IN_PROGRESS', '0000000b-0000-7000-8000-0000000000b1',
     '0000000b-0000-7000-8000-0000000000b1');
INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name, role, can_approve) VALUES
    ('0000000a-0000-7000-8000-0000000000f1', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     'pat@acme.test', 'Pat', 'PRIMARY', true);

-- Every visible deliverable's actual_hours beside the sum of its visible
-- entries' durations, in hours.
CREATE OR REPLACE FUNCTION regress.time_hours() RETURNS TABLE (title text, actual_hours numeric, sum_of_entries numeric)
    LANGUAGE sql AS $$
    SELECT d.title, d.actual_hours,
           (SELECT round(sum(e.duration) / 60.0, 2) FROM mycelium.time_entries e
             WHERE e.organization_id = d.organization_id AND e.deliverable_id = d.id)
      FROM mycelium.deliverables d ORDER BY d.id
$$;

SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_time_app;
RESET client_min_messages;
CREATE ROLE regress_time_app;
SELECT mycelium.grant_access('regress_time_app', 'app');
GRANT USAGE ON SCHEMA regress TO regress_time_app;
SET ROLE regress_time_app;

-- ------ The switch: off by default ------
-- No time can be logged while enable_time_tracking is false...
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
SELECT regress.try_detail($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time, end_time)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
            '0000000a-0000-7000-8000-0000000000d1', '2026-03-02 09:00+00', '2026-03-02 10:00+00')$$) AS switched_off;
ROLLBACK;
-- ...nor by an ADMIN...
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1',
            '0000000a-0000-7000-8000-0000000000d1', '2026-03-02 09:00+00')$$) AS admin_switched_off;
ROLLBACK;
-- ...and an organization without a settings row reads as the default, off.
BEGIN;
SELECT regress.time_as('0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
DELETE FROM mycelium.organization_settings;
SELECT regress.try_detail($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time)
    VALUES ('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1',
            '0000000b-0000-7000-8000-0000000000d1', '2026-03-02 09:00+00')$$) AS without_settings;
ROLLBACK;
-- Only an ADMIN turns it on.
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
UPDATE mycelium.organization_settings SET enable_time_tracking = true;
SELECT enable_time_tracking FROM mycelium.organization_settings;
ROLLBACK;
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
UPDATE mycelium.organization_settings SET enable_time_tracking = true;
COMMIT;

-- ------ Durations come from the times ------
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
-- 09:00 to 10:30 is 90 minutes; the rate is Social Media's default, 90.00, so
-- 1.5 hours bill 135.00.
INSERT INTO mycelium.time_entries (id, organization_id, user_id, deliverable_id, description, start_time, end_time)
VALUES ('0000000a-0000-7000-8000-000000000101', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
        '0000000a-0000-7000-8000-0000000000d1', 'Cut', '2026-03-02 09:00+00', '2026-03-02 10:30+00');
-- Whole minutes, to the nearest: 29 seconds are none, 30 seconds one; a
-- duration given with the times is kept when it agrees.
INSERT INTO mycelium.time_entries (id, organization_id, user_id, deliverable_id, description, start_time, end_time, duration)
VALUES ('0000000a-0000-7000-8000-000000000102', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
        '0000000a-0000-7000-8000-0000000000d1', '29 seconds', '2026-03-02 11:00:00+00', '2026-03-02 11:00:29+00', NULL),
       ('0000000a-0000-7000-8000-000000000103', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
        '0000000a-0000-7000-8000-0000000000d1', '30 seconds', '2026-03-02 11:00:00+00', '2026-03-02 11:00:30+00', NULL),
       ('0000000a-0000-7000-8000-000000000104', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
        '0000000a-0000-7000-8000-0000000000d1', 'given, agrees', '2026-03-02 12:00+00', '2026-03-02 12:07+00', 7);
-- A manual entry: a duration and no end. A running timer: neither.
INSERT INTO mycelium.time_entries (id, organization_id, user_id, deliverable_id, description, start_time, duration)
VALUES ('0000000a-0000-7000-8000-000000000105', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
        '0000000a-0000-7000-8000-0000000000d1', 'manual', '2026-03-03 09:00+00', 45),
       ('0000000a-0000-7000-8000-000000000106', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
        '0000000a-0000-7000-8000-0000000000d1', 'running', '2026-03-03 10:00+00', NULL);
SELECT description, duration, hourly_rate, billable_amount, is_billable FROM mycelium.time_entries ORDER BY id;
-- A duration that disagrees with the times is refused, on INSERT and on UPDATE.
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time, end_time, duration)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
            '0000000a-0000-7000-8000-0000000000d1', '2026-03-02 09:00+00', '2026-03-02 10:00+00', 3600)$$) AS seconds_for_minutes;
SELECT regress.try($$UPDATE mycelium.time_entries SET duration = 100
    WHERE id = '0000000a-0000-7000-8000-000000000101'$$) AS duration_against_times;
-- Stopping the timer derives its duration and amount; moving the end re-derives
-- them, also when an application writes the old duration and amount back.
UPDATE mycelium.time_entries SET end_time = '2026-03-03 10:20+00' WHERE id = '0000000a-0000-7000-8000-000000000106';
UPDATE mycelium.time_entries e SET end_time = '2026-03-02 10:00+00', duration = e.duration, billable_amount = e.billable_amount
 WHERE id = '0000000a-0000-7000-8000-000000000101';
-- Taking the end away leaves the duration: a manual entry of that length.
UPDATE mycelium.time_entries SET end_time = NULL WHERE id = '0000000a-0000-7000-8000-000000000104';
SELECT description, end_time IS NOT NULL AS ended, duration, billable_amount FROM mycelium.time_entries
 WHERE id IN ('0000000a-0000-7000-8000-000000000101', '0000000a-0000-7000-8000-000000000104',
              '0000000a-0000-7000-8000-000000000106') ORDER BY id;
COMMIT;

-- ------ Billable amounts: the entry's rate, else its service type's default ------
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
-- SEO has no default rate: no amount, unless the entry has a rate of its own.
-- A rate of its own wins over the default; an entry that is not billable has
-- no amount (its rate is still recorded); cents are rounded half up.
INSERT INTO mycelium.time_entries (id, organization_id, user_id, deliverable_id, description, start_time, end_time,
                                   hourly_rate, is_billable)
VALUES ('0000000a-0000-7000-8000-000000000201', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
        '0000000a-0000-7000-8000-0000000000d2', 'no rate', '2026-03-04 09:00+00', '2026-03-04 10:00+00', NULL, true),
       ('0000000a-0000-7000-8000-000000000202', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
        '0000000a-0000-7000-8000-0000000000d2', 'own rate', '2026-03-04 10:00+00', '2026-03-04 10:50+00', 120.00, true),
       ('0000000a-0000-7000-8000-000000000203', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
        '0000000a-0000-7000-8000-0000000000d1', 'own rate over default', '2026-03-04 11:00+00', '2026-03-04 11:10+00', 60.00, true),
       ('0000000a-0000-7000-8000-000000000204', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
        '0000000a-0000-7000-8000-0000000000d1', 'not billable', '2026-03-04 12:00+00', '2026-03-04 13:00+00', NULL, false),
       ('0000000a-0000-7000-8000-000000000205', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
        '0000000a-0000-7000-8000-0000000000d1', 'one minute at 0.50', '2026-03-04 14:00+00', '2026-03-04 14:01+00', 0.50, true),
       ('0000000a-0000-7000-8000-000000000206', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
        '0000000a-0000-7000-8000-0000000000d1', 'one minute at 0.30', '2026-03-04 14:00+00', '2026-03-04 14:01+00', 0.30, true),
       ('0000000a-0000-7000-8000-000000000207', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
        '0000000a-0000-7000-8000-0000000000d1', 'one minute at 0.29', '2026-03-04 14:00+00', '2026-03-04 14:01+00', 0.29, true);
SELECT description, duration, hourly_rate, billable_amount FROM mycelium.time_entries
 WHERE id::text LIKE '%0000000002__' ORDER BY id;
-- billable_amount is derived: a value that agrees is accepted, any other refused.
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time, end_time,
                                                       billable_amount)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
            '0000000a-0000-7000-8000-0000000000d1', '2026-03-05 09:00+00', '2026-03-05 10:00+00', 90.00)$$) AS agreeing_amount;
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time, end_time,
                                                       billable_amount)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
            '0000000a-0000-7000-8000-0000000000d1', '2026-03-05 09:00+00', '2026-03-05 10:00+00', 100.00)$$) AS other_amount;
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time, end_time,
                                                       is_billable, billable_amount)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
            '0000000a-0000-7000-8000-0000000000d1', '2026-03-05 09:00+00', '2026-03-05 10:00+00', false, 90.00)$$) AS amount_not_billable;
SELECT regress.try($$UPDATE mycelium.time_entries SET billable_amount = 0 WHERE id = '0000000a-0000-7000-8000-000000000201'$$)
    AS amount_by_update;
-- Changing the rate or is_billable re-derives the amount; setting the rate to
-- NULL takes the service type's default again.
UPDATE mycelium.time_entries SET hourly_rate = 100.00 WHERE id = '0000000a-0000-7000-8000-000000000201';
UPDATE mycelium.time_entries SET is_billable = true WHERE id = '0000000a-0000-7000-8000-000000000204';
UPDATE mycelium.time_entries SET hourly_rate = NULL WHERE id = '0000000a-0000-7000-8000-000000000203';
SELECT description, hourly_rate, billable_amount FROM mycelium.time_entries
 WHERE id IN ('0000000a-0000-7000-8000-000000000201', '0000000a-0000-7000-8000-000000000203',
              '0000000a-0000-7000-8000-000000000204') ORDER BY id;
COMMIT;
-- A new default rate applies to time logged from then on: entries already
-- written keep the rate they were billed at.
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
UPDATE mycelium.service_types SET default_rate = 100.00 WHERE slug = 'social';
INSERT INTO mycelium.time_entries (id, organization_id, user_id, deliverable_id, description, start_time, end_time)
VALUES ('0000000a-0000-7000-8000-000000000208', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1',
        '0000000a-0000-7000-8000-0000000000d1', 'after the new rate', '2026-03-05 09:00+00', '2026-03-05 10:00+00');
SELECT description, hourly_rate, billable_amount FROM mycelium.time_entries
 WHERE id IN ('0000000a-0000-7000-8000-000000000101', '0000000a-0000-7000-8000-000000000208') ORDER BY id;
-- Moving an entry to another deliverable keeps its rate; with the rate set to
-- NULL in the same statement it takes the new service type's (SEO: none).
UPDATE mycelium.time_entries SET deliverable_id = '0000000a-0000-7000-8000-0000000000d2'
 WHERE id = '0000000a-0000-7000-8000-000000000208';
SELECT hourly_rate, billable_amount FROM mycelium.time_entries WHERE id = '0000000a-0000-7000-8000-000000000208';
UPDATE mycelium.time_entries SET deliverable_id = '0000000a-0000-7000-8000-0000000000d2', hourly_rate = NULL
 WHERE id = '0000000a-0000-7000-8000-000000000208';
SELECT hourly_rate, billable_amount FROM mycelium.time_entries WHERE id = '0000000a-0000-7000-8000-000000000208';
DELETE FROM mycelium.time_entries WHERE id = '0000000a-0000-7000-8000-000000000208';
UPDATE mycelium.service_types SET default_rate = 90.00 WHERE slug = 'social';
COMMIT;

-- ------ deliverables.actual_hours is the sum of its entries ------
-- regress.time_hours() compares it with the sum computed here, for every
-- deliverable of A (the ADMIN sees all of them and all their entries).
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
-- So far Eve's: Reel 266 minutes (60 + 0 + 1 + 7 + 45 + 20, the agreeing 60,
-- 10 + 60 + 1 + 1 + 1), Audit 110 (60 + 50).
SELECT * FROM regress.time_hours();
-- Another user's time counts too: Ann logs an hour on Eve's Reel, and one on
-- her own Story.
INSERT INTO mycelium.time_entries (id, organization_id, user_id, deliverable_id, start_time, end_time)
VALUES ('0000000a-0000-7000-8000-000000000301', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1',
        '0000000a-0000-7000-8000-0000000000d1', '2026-03-06 09:00+00', '2026-03-06 10:00+00'),
       ('0000000a-0000-7000-8000-000000000302', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1',
        '0000000a-0000-7000-8000-0000000000d3', '2026-03-06 09:00+00', '2026-03-06 10:00+00');
SELECT * FROM regress.time_hours();
-- A bulk insert over three deliverables, in one statement: 30 entries of 7
-- minutes, 10 on each.
INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, description, start_time, end_time)
SELECT '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1',
       (ARRAY['0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-0000000000d2',
              '0000000a-0000-7000-8000-0000000000d3']::uuid[])[1 + i % 3],
       'bulk ' || i, timestamptz '2026-03-07 09:00+00' + i * interval '10 minutes',
       timestamptz '2026-03-07 09:07+00' + i * interval '10 minutes'
  FROM generate_series(1, 30) i;
SELECT * FROM regress.time_hours();
-- A bulk update of every bulk entry (each one minute longer), and moving Ann's
-- Reel hour to the Story: both deliverables change.
UPDATE mycelium.time_entries SET end_time = end_time + interval '1 minute' WHERE description LIKE 'bulk %';
UPDATE mycelium.time_entries SET deliverable_id = '0000000a-0000-7000-8000-0000000000d3'
 WHERE id = '0000000a-0000-7000-8000-000000000301';
SELECT * FROM regress.time_hours();
-- Moving entries both ways in one statement: Audit's and Story's swap places.
UPDATE mycelium.time_entries
   SET deliverable_id = CASE deliverable_id WHEN '0000000a-0000-7000-8000-0000000000d2' THEN '0000000a-0000-7000-8000-0000000000d3'::uuid
                                            ELSE '0000000a-0000-7000-8000-0000000000d2'::uuid END
 WHERE deliverable_id IN ('0000000a-0000-7000-8000-0000000000d2', '0000000a-0000-7000-8000-0000000000d3');
SELECT * FROM regress.time_hours();
-- Deleting one entry, then every entry of a deliverable: no time left is NULL.
DELETE FROM mycelium.time_entries WHERE id = '0000000a-0000-7000-8000-000000000302';
DELETE FROM mycelium.time_entries WHERE deliverable_id = '0000000a-0000-7000-8000-0000000000d3';
SELECT * FROM regress.time_hours();
-- A running timer counts nothing until it stops.
INSERT INTO mycelium.time_entries (id, organization_id, user_id, deliverable_id, start_time)
VALUES ('0000000a-0000-7000-8000-000000000303', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1',
        '0000000a-0000-7000-8000-0000000000d3', '2026-03-08 09:00+00');
SELECT title, actual_hours FROM mycelium.deliverables WHERE id = '0000000a-0000-7000-8000-0000000000d3';
UPDATE mycelium.time_entries SET end_time = '2026-03-08 09:15+00' WHERE id = '0000000a-0000-7000-8000-000000000303';
SELECT title, actual_hours FROM mycelium.deliverables WHERE id = '0000000a-0000-7000-8000-0000000000d3';
-- A description changes no deliverable.
SELECT ctid AS reel_version FROM mycelium.deliverables WHERE id = '0000000a-0000-7000-8000-0000000000d1' \gset
UPDATE mycelium.time_entries SET description = 'renamed' WHERE deliverable_id = '0000000a-0000-7000-8000-0000000000d1';
SELECT ctid = :'reel_version' AS reel_untouched FROM mycelium.deliverables
 WHERE id = '0000000a-0000-7000-8000-0000000000d1';
-- The sums are not edits of the deliverables: the activity log has none.
SELECT count(*) AS logged_hour_changes FROM mycelium.activity_logs WHERE 'actual_hours' = ANY (changed_fields);
COMMIT;
-- actual_hours is the database's: no application writes it, ADMIN or not, on
-- INSERT or UPDATE; writing back the value it has is no change.
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT regress.try($$UPDATE mycelium.deliverables SET actual_hours = 1 WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$)
    AS admin_writes_hours;
SELECT regress.try($$UPDATE mycelium.deliverables SET actual_hours = NULL WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$)
    AS admin_clears_hours;
SELECT regress.try($$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id,
                                                       actual_hours)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
            '0000000a-0000-7000-8000-0000000000e1', 'Pre-counted', '0000000a-0000-7000-8000-0000000000a1', 3)$$)
    AS insert_with_hours;
SELECT regress.try($$UPDATE mycelium.deliverables SET actual_hours = actual_hours, title = title$$) AS written_back;
ROLLBACK;
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
SELECT regress.try($$UPDATE mycelium.deliverables SET actual_hours = 99 WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$)
    AS editor_writes_hours;
ROLLBACK;
-- Deleting a deliverable takes its entries along.
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
DELETE FROM mycelium.deliverables WHERE id = '0000000a-0000-7000-8000-0000000000d3';
SELECT count(*) AS story_entries FROM mycelium.time_entries WHERE deliverable_id = '0000000a-0000-7000-8000-0000000000d3';
ROLLBACK;

-- ------ Bad input ------
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT t.description, regress.try(format(
    'INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time, end_time, duration, '
    'hourly_rate, is_billable) VALUES (''0000000a-0000-7000-8000-000000000000'', ''0000000a-0000-7000-8000-0000000000a1'', '
    '%s, %s, %s, %s, %s, %s)', t.deliverable, t.start_time, t.end_time, t.duration, t.rate, t.billable)) AS outcome
FROM (VALUES
    ('no start', $$'0000000a-0000-7000-8000-0000000000d1'$$, 'NULL', 'NULL', 'NULL', 'NULL', 'true'),
    ('no deliverable', 'NULL', $$'2026-03-09 09:00+00'$$, 'NULL', 'NULL', 'NULL', 'true'),
    ('is_billable NULL', $$'0000000a-0000-7000-8000-0000000000d1'$$, $$'2026-03-09 09:00+00'$$, $$'2026-03-09 10:00+00'$$,
     'NULL', 'NULL', 'NULL'),
    ('ends before it starts', $$'0000000a-0000-7000-8000-0000000000d1'$$, $$'2026-03-09 10:00+00'$$, $$'2026-03-09 09:00+00'$$,
     'NULL', 'NULL', 'true'),
    ('negative manual duration', $$'0000000a-0000-7000-8000-0000000000d1'$$, $$'2026-03-09 09:00+00'$$, 'NULL', '-5',
     'NULL', 'true'),
    ('negative rate', $$'0000000a-0000-7000-8000-0000000000d1'$$, $$'2026-03-09 09:00+00'$$, $$'2026-03-09 10:00+00'$$,
     'NULL', '-1', 'true'),
    ('starts at -infinity', $$'0000000a-0000-7000-8000-0000000000d1'$$, $$'-infinity'$$, $$'2026-03-09 10:00+00'$$,
     'NULL', 'NULL', 'true'),
    ('ends at infinity', $$'0000000a-0000-7000-8000-0000000000d1'$$, $$'2026-03-09 09:00+00'$$, $$'infinity'$$,
     'NULL', 'NULL', 'true'),
    ('lasts eight thousand years', $$'0000000a-0000-7000-8000-0000000000d1'$$, $$'2000-01-01 00:00+00'$$,
     $$'9999-12-31 00:00+00'$$, 'NULL', 'NULL', 'false'),
    ('rate over numeric(8,2)', $$'0000000a-0000-7000-8000-0000000000d1'$$, $$'2026-03-09 09:00+00'$$,
     $$'2026-03-09 10:00+00'$$, 'NULL', '1000000', 'true'),
    ('amount over numeric(10,2)', $$'0000000a-0000-7000-8000-0000000000d1'$$, $$'2026-03-09 09:00+00'$$, 'NULL',
     '2147483647', '999999.99', 'true'),
    ('hours over actual_hours', $$'0000000a-0000-7000-8000-0000000000d1'$$, $$'2026-03-09 09:00+00'$$, 'NULL',
     '600000', 'NULL', 'false'),
    ('another organization''s deliverable', $$'0000000b-0000-7000-8000-0000000000d1'$$, $$'2026-03-09 09:00+00'$$,
     'NULL', 'NULL', 'NULL', 'true')
) AS t(description, deliverable, start_time, end_time, duration, rate, billable);
-- A default rate the entry's rate cannot hold.
UPDATE mycelium.service_types SET default_rate = 5000000 WHERE slug = 'social';
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1',
            '0000000a-0000-7000-8000-0000000000d1', '2026-03-09 09:00+00')$$) AS default_rate_too_high;
ROLLBACK;

-- ------ Who may log time, and who sees it ------
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
-- Eve logs her own time on work she sees: not as Ann, not on Globex's Story.
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1',
            '0000000a-0000-7000-8000-0000000000d1', '2026-03-09 09:00+00')$$) AS as_a_colleague;
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
            '0000000a-0000-7000-8000-0000000000d3', '2026-03-09 09:00+00')$$) AS on_unseen_work;
-- She sees her own entries only, and changes only those.
SELECT count(*) AS entries_seen, count(*) FILTER (WHERE user_id <> '0000000a-0000-7000-8000-0000000000a2') AS of_others
  FROM mycelium.time_entries;
WITH u AS (UPDATE mycelium.time_entries SET description = 'mine now' WHERE user_id = '0000000a-0000-7000-8000-0000000000a1'
           RETURNING 1)
SELECT count(*) AS colleagues_entries_changed FROM u;
ROLLBACK;
-- Sam, who serves nobody, sees no work and so logs no time.
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a3', 'SEO_STRATEGIST');
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a3',
            '0000000a-0000-7000-8000-0000000000d1', '2026-03-09 09:00+00')$$) AS sam_logs;
ROLLBACK;
-- Agency B sees none of A's time, and cannot write into A: row-level security
-- refuses (42501) before A's switch is looked at, whatever it says.
BEGIN;
SELECT regress.time_as('0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
SELECT count(*) AS a_entries_seen_by_b FROM mycelium.time_entries WHERE organization_id = '0000000a-0000-7000-8000-000000000000';
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1',
            '0000000a-0000-7000-8000-0000000000d1', '2026-03-09 09:00+00')$$) AS b_writes_into_a;
WITH u AS (UPDATE mycelium.time_entries SET hourly_rate = 1 WHERE organization_id = '0000000a-0000-7000-8000-000000000000'
           RETURNING 1)
SELECT count(*) AS a_entries_changed_by_b FROM u;
-- B's own time works, at B's rate.
INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time, end_time)
VALUES ('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1',
        '0000000b-0000-7000-8000-0000000000d1', '2026-03-09 09:00+00', '2026-03-09 09:45+00');
SELECT e.duration, e.hourly_rate, e.billable_amount, d.actual_hours
  FROM mycelium.time_entries e JOIN mycelium.deliverables d ON d.organization_id = e.organization_id AND d.id = e.deliverable_id;
COMMIT;
-- A's switch off again: nothing new is written, nothing changes, the entries
-- stay readable and can still be deleted; turning it back on lets them be
-- written again.
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
UPDATE mycelium.organization_settings SET enable_time_tracking = false;
SELECT regress.try($$UPDATE mycelium.time_entries SET description = 'late edit'
    WHERE id = '0000000a-0000-7000-8000-000000000101'$$) AS update_switched_off;
SELECT count(*) AS still_readable, sum(billable_amount) AS billed FROM mycelium.time_entries;
SELECT regress.try($$DELETE FROM mycelium.time_entries WHERE id = '0000000a-0000-7000-8000-000000000105'$$) AS delete_switched_off;
SELECT title, actual_hours FROM mycelium.deliverables WHERE id = '0000000a-0000-7000-8000-0000000000d1';
ROLLBACK;

-- ------ A portal user sees nothing of it ------
-- Pat (Acme's portal user, who may approve) sees Acme's deliverables, but no
-- time entry, rate, amount or hours, and can neither log nor change time: the
-- portal role has no privilege on the table at all (docs/security.md, "What a
-- portal user sees").
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000f1', 'CLIENT');
SELECT count(*) AS deliverables_seen FROM mycelium.deliverables;
SELECT regress.try($$SELECT count(*) FROM mycelium.time_entries$$) AS entries_seen;
SELECT regress.try($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2',
            '0000000a-0000-7000-8000-0000000000d1', '2026-03-09 09:00+00')$$) AS portal_logs_time;
SELECT regress.try($$UPDATE mycelium.time_entries SET billable_amount = 0$$) AS portal_updated;
SELECT regress.try($$DELETE FROM mycelium.time_entries$$) AS portal_deleted;
SELECT regress.try($$SELECT count(*) FROM mycelium.activity_logs$$) AS activity_seen;
-- Nor the deliverables' estimates and totals, columns the portal role cannot read.
SELECT regress.try($$SELECT title, actual_hours FROM mycelium.deliverables$$) AS totals_seen;
SELECT regress.try($$SELECT estimated_hours FROM mycelium.deliverables$$) AS estimates_seen;
SELECT title FROM mycelium.deliverables ORDER BY id;
ROLLBACK;
-- Nothing changed for the ADMIN.
BEGIN;
SELECT regress.time_as('0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT count(*) AS entries, sum(billable_amount) AS billed FROM mycelium.time_entries;
SELECT * FROM regress.time_hours();
COMMIT;

RESET ROLE;
SET client_min_messages = warning;
DROP OWNED BY regress_time_app;
DROP ROLE regress_time_app;
RESET client_min_messages;
