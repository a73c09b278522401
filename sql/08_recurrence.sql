-- Recurrence rules, date labels and recurring generation.
\i sql/include/helpers.psql

-- Each file starts from an empty schema.
SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO';

-- ------ expand_recurrence ------
-- A 09:00 local occurrence stays 09:00 local across the spring-forward change
-- (13:00Z after it, 14:00Z before).
SELECT o AT TIME ZONE 'America/New_York' AS local, o AS utc
FROM mycelium.expand_recurrence('FREQ=DAILY', '2026-03-06 09:00 America/New_York',
                                '2026-03-06', '2026-03-10', 'America/New_York') o;
-- A time in the gap moves forward by the gap (02:30 -> 03:30); an ambiguous time
-- is its first occurrence (01:30 EDT, 05:30Z), as RFC 5545 says.
SELECT o AT TIME ZONE 'America/New_York' AS local, o AS utc
FROM mycelium.expand_recurrence('FREQ=DAILY;BYHOUR=2;BYMINUTE=30', '2026-03-07 02:30 America/New_York',
                                '2026-03-07', '2026-03-10', 'America/New_York') o;
SELECT o AS utc
FROM mycelium.expand_recurrence('FREQ=DAILY;BYHOUR=1;BYMINUTE=30', '2026-10-31 01:30 America/New_York',
                                '2026-10-31', '2026-11-03', 'America/New_York') o;
-- Month ends: BYMONTHDAY=31 skips short months (RFC 5545); -1 is the last day;
-- SKIP=BACKWARD keeps one per month without drifting.
SELECT o::date FROM mycelium.expand_recurrence('FREQ=MONTHLY;BYMONTHDAY=31', '2026-01-31', '2026-01-01', '2026-07-01', 'UTC') o;
SELECT o::date FROM mycelium.expand_recurrence('FREQ=MONTHLY;BYMONTHDAY=-1', '2026-01-31', '2026-01-01', '2026-05-01', 'UTC') o;
SELECT o::date FROM mycelium.expand_recurrence('FREQ=MONTHLY;SKIP=BACKWARD', '2026-01-31', '2026-01-01', '2026-05-01', 'UTC') o;
-- Ordinal weekdays and BYSETPOS: the second Tuesday; the last weekday of the month.
SELECT o::date FROM mycelium.expand_recurrence('FREQ=MONTHLY;BYDAY=2TU', '2026-01-01', '2026-01-01', '2026-04-01', 'UTC') o;
SELECT o::date FROM mycelium.expand_recurrence('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', '2026-01-01',
                                               '2026-01-01', '2026-04-01', 'UTC') o;
-- Cron: 09:00 Berlin time on Mondays, across the change to winter time.
SELECT o AS utc FROM mycelium.expand_recurrence('0 9 * * MON', '2026-10-01', '2026-10-19', '2026-11-03', 'Europe/Berlin') o;
-- COUNT counts from dtstart, also before the range.
SELECT o::date FROM mycelium.expand_recurrence('FREQ=WEEKLY;COUNT=3', '2026-01-05', '2026-01-10', '2027-01-01', 'UTC') o;
-- Streaming: called in the select list, a LIMIT stops the expansion early (in
-- FROM, PostgreSQL collects the whole set first, and this unbounded range would
-- hit the cap); an old dtstart costs nothing.
SELECT mycelium.expand_recurrence('FREQ=DAILY', '1900-01-01', '2026-01-01', 'infinity', 'UTC') LIMIT 2;
SELECT regress.try($$SELECT count(*) FROM mycelium.expand_recurrence('FREQ=DAILY', '1900-01-01', '2026-01-01', 'infinity', 'UTC')$$)
    AS unbounded_in_from;
-- Default zone: the session's without a tenant context.
SET timezone = 'Asia/Tokyo';
SELECT o FROM mycelium.expand_recurrence('FREQ=DAILY', '2026-01-01 09:00+09', '2026-01-01', '2026-01-03') o;
SET timezone = 'UTC';
-- Empty and inverted ranges have no occurrence.
SELECT count(*) FROM mycelium.expand_recurrence('FREQ=DAILY', '2026-01-01', '2026-02-01', '2026-01-01', 'UTC');

-- Bad input: a clear error naming the part, and bounded cost.
SELECT regress.try($$SELECT mycelium.expand_recurrence(NULL, now(), now(), now())$$) AS null_rule;
SELECT regress.try($$SELECT mycelium.expand_recurrence('FREQ=DAILY', NULL, now(), now())$$) AS null_dtstart;
SELECT regress.try($$SELECT mycelium.expand_recurrence('FREQ=DAILY', now(), now(), NULL)$$) AS null_range_end;
SELECT regress.try($$SELECT mycelium.expand_recurrence('FREQ=DAILY', 'infinity', now(), now())$$) AS infinite_dtstart;
SELECT regress.try($$SELECT mycelium.expand_recurrence('', now(), now(), now())$$) AS empty_rule;
SELECT regress.try($$SELECT mycelium.expand_recurrence('FREQ=MONTHLY;BYMONTHDAY=32', now(), now(), now())$$) AS bad_part;
SELECT regress.try($$SELECT mycelium.expand_recurrence('FREQ=HOURLY', now(), now(), now())$$) AS sub_daily;
SELECT regress.try($$SELECT mycelium.expand_recurrence('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', now(), now(), now())$$)
    AS never_matches;
SELECT regress.try($$SELECT mycelium.expand_recurrence('0 0 30 2 *', now(), now(), now())$$) AS never_matches_cron;
SELECT regress.try($$SELECT mycelium.expand_recurrence(repeat('FREQ=DAILY;', 200), now(), now(), now())$$) AS huge_rule;
SELECT regress.try($$SELECT mycelium.expand_recurrence('FREQ=DAILY', now(), now(), now(), 'UTC+3')$$) AS posix_zone;
SELECT regress.try($$SELECT mycelium.expand_recurrence('FREQ=DAILY', now(), now(), now(), 'Mars/Olympus')$$)
    AS unknown_zone;
-- CET is a zone file but also an abbreviation, which SQL's AT TIME ZONE reads first.
SELECT regress.try($$SELECT mycelium.expand_recurrence('FREQ=DAILY', now(), now(), now(), 'CET')$$)
    AS abbreviation_zone;
SELECT left(z, 30) AS z, mycelium.is_valid_time_zone(z)
FROM unnest(ARRAY['Europe/Berlin', 'europe/berlin', 'Etc/GMT+3', 'Etc/UTC', 'UTC', 'gmt', 'CET', 'EST5EDT',
                  'right/Europe/Berlin', 'posix/Europe/Berlin', 'UTC+3', '', 'Europe/' || repeat('x', 100000)]) z;
SELECT regress.try($$SELECT count(*) FROM mycelium.expand_recurrence('* * * * *', '2026-01-01', '2026-01-01', '2027-01-01', 'UTC')$$)
    AS too_many_occurrences;
SELECT regress.try($$SELECT count(*) FROM mycelium.expand_recurrence('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO', '2026-01-01', '2026-01-01', '9999-01-01', 'UTC')$$)
    AS rare_but_real;
SELECT regress.try($$SELECT count(*) FROM mycelium.expand_recurrence('FREQ=DAILY;COUNT=2000000', '0001-01-01', '9000-01-01', '9000-01-02', 'UTC')$$)
    AS count_walk_capped;

-- ------ date_label ------
SELECT mycelium.date_label('2026-12-01', 'en-US') AS en, mycelium.date_label('2026-12-01', 'de-DE') AS de,
       mycelium.date_label('2026-12-01', 'fr-FR') AS fr, mycelium.date_label('2026-12-07', 'en-US', 'yMMMd') AS day;
SELECT regress.try($$SELECT mycelium.date_label('2026-12-01', 'xx-YY')$$) AS unknown_locale;
SELECT regress.try($$SELECT mycelium.date_label('2026-12-01', 'en', 'HH:mm')$$) AS time_skeleton;
SELECT regress.try($$SELECT mycelium.date_label(NULL, 'en')$$) AS null_day;
SELECT regress.try($$SELECT mycelium.date_label('infinity', 'en')$$) AS infinite_day;
SELECT regress.try($$SELECT mycelium.date_label('0044-03-15 BC', 'en')$$) AS before_year_one;
SELECT mycelium.is_known_locale('pt-BR') AS pt_br, mycelium.is_known_locale('klingon') AS klingon,
       mycelium.is_known_locale('') AS empty, mycelium.is_known_locale(repeat('en', 50000)) AS huge,
       mycelium.is_known_locale(NULL) IS NULL AS null_locale;
SELECT regress.try($$SELECT mycelium.date_label('2026-12-01', repeat('en', 50000))$$) AS huge_locale;
SELECT regress.try($$SELECT mycelium.check_recurrence_rule(E'FREQ=DAILY;\x01')$$) AS control_character;

-- ------ Stored rules are checked when they are written ------
SELECT id AS org FROM mycelium.create_organization('Agentur Berlin', timezone => 'Europe/Berlin') \gset
SELECT (SELECT id FROM mycelium.service_types WHERE organization_id = :'org' AND slug = 'social') AS social,
       (SELECT id FROM mycelium.service_types WHERE organization_id = :'org' AND slug = 'seo') AS seo \gset
UPDATE mycelium.organization_settings SET locale = 'de-DE' WHERE organization_id = :'org';
SELECT regress.try($$UPDATE mycelium.organization_settings SET locale = 'klingon'$$) AS unknown_locale_setting;
INSERT INTO mycelium.users (id, organization_id, email, name, role, status, created_at) VALUES
    ('0000000b-0000-7000-8000-0000000000a2', :'org', 'zoe@berlin.test', 'Zoe', 'ADMIN', 'ACTIVE', '2026-02-01'),
    ('0000000b-0000-7000-8000-0000000000a1', :'org', 'ada@berlin.test', 'Ada', 'ADMIN', 'ACTIVE', '2026-01-01'),
    ('0000000b-0000-7000-8000-0000000000e1', :'org', 'eve@berlin.test', 'Eve', 'VIDEO_EDITOR', 'ACTIVE', '2026-01-01');
INSERT INTO mycelium.clients (id, organization_id, name, status, is_paused) VALUES
    ('0000000b-0000-7000-8000-0000000000c1', :'org', 'Bäckerei', 'ACTIVE', false),
    ('0000000b-0000-7000-8000-0000000000c2', :'org', 'Brauerei', 'ACTIVE', false),
    ('0000000b-0000-7000-8000-0000000000c3', :'org', 'Paused GmbH', 'ACTIVE', true),
    ('0000000b-0000-7000-8000-0000000000c4', :'org', 'Former AG', 'INACTIVE', false);
-- Social media for every client (Eve is PRIMARY for the Bäckerei only); SEO is a
-- PROJECT service, never generated.
INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id, role)
SELECT :'org', c.id, CASE WHEN c.name = 'Bäckerei' THEN '0000000b-0000-7000-8000-0000000000e1'::uuid
                          ELSE '0000000b-0000-7000-8000-0000000000a2'::uuid END,
       :'social', CASE WHEN c.name = 'Bäckerei' THEN 'PRIMARY' ELSE 'SECONDARY' END::mycelium.assignment_role
FROM mycelium.clients c WHERE c.organization_id = :'org';
INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id)
VALUES (:'org', '0000000b-0000-7000-8000-0000000000c1', '0000000b-0000-7000-8000-0000000000e1', :'seo');
SELECT regress.try(format($$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title,
                                  created_by_id, is_recurring, recurrence_rule)
                            VALUES (%L, '0000000b-0000-7000-8000-0000000000c1', %L, 'Bad', '0000000b-0000-7000-8000-0000000000a1',
                                    true, 'FREQ=WEEKLY;BYDAY=XX')$$, :'org', :'social')) AS bad_stored_rule;
-- A template: weekly reels on Mondays at 10:00 Berlin time, due two days later.
INSERT INTO mycelium.deliverables (id, organization_id, client_id, service_type_id, title, created_by_id,
                                   assigned_user_id, start_date, due_date, is_recurring, recurrence_rule, custom_fields)
VALUES ('0000000b-0000-7000-8000-0000000000d1', :'org', '0000000b-0000-7000-8000-0000000000c2', :'social',
        'Wochen-Reel', '0000000b-0000-7000-8000-0000000000a1', NULL,
        '2026-11-02 10:00 Europe/Berlin', '2026-11-04 10:00 Europe/Berlin', true, 'FREQ=WEEKLY;BYDAY=MO',
        '{"deliverable_name": "Reel"}');

-- The service's field defaults fill the generated rows' custom fields.
UPDATE mycelium.deliverable_fields SET default_value = 'https://dropbox.example/social'
WHERE organization_id = :'org' AND slug = 'dropbox_link';

-- ------ generate_recurring_deliverables ------
-- A dry run returns exactly the rows a run would create, and writes nothing.
SELECT d.title, d.due_date, d.start_date, u.name AS assignee, c.name AS creator, d.recurrence_period,
       d.recurrence_occurrence, d.parent_id IS NOT NULL AS from_template, d.custom_fields
FROM mycelium.generate_recurring_deliverables(period => '2026-12-15', dry_run => true) d
LEFT JOIN mycelium.users u ON u.organization_id = d.organization_id AND u.id = d.assigned_user_id
JOIN mycelium.users c ON c.organization_id = d.organization_id AND c.id = d.created_by_id
ORDER BY d.title, d.start_date;
SELECT count(*) AS after_dry_run FROM mycelium.deliverables WHERE recurrence_period IS NOT NULL;
-- The run: the same rows, logged as created; a second run creates nothing.
SELECT count(*) AS created FROM mycelium.generate_recurring_deliverables(period => '2026-12-01');
-- The activity log has one row for the run, naming every deliverable it made.
SELECT action, resource_type, resource_name, metadata ->> 'period' AS period, metadata ->> 'count' AS count,
       jsonb_array_length(metadata -> 'deliverable_ids') AS ids
FROM mycelium.activity_logs WHERE action = 'generated';
SELECT count(*) AS logged_one_by_one FROM mycelium.activity_logs WHERE action = 'created' AND resource_type = 'deliverable'
  AND resource_id IN (SELECT id FROM mycelium.deliverables WHERE recurrence_period IS NOT NULL);
SELECT count(*) AS second_run FROM mycelium.generate_recurring_deliverables(period => '2026-12-31');
-- Generated rows may be worked on, renamed or re-dated: they still count as the
-- month's, so a run does not recreate them.
UPDATE mycelium.deliverables SET title = 'Renamed', due_date = due_date + interval '1 day'
WHERE recurrence_period = '2026-12-01' AND parent_id IS NULL;
SELECT count(*) AS after_edit FROM mycelium.generate_recurring_deliverables(period => '2026-12-01');
-- A new client or assignment is picked up by the next run, and only it.
INSERT INTO mycelium.clients (id, organization_id, name)
VALUES ('0000000b-0000-7000-8000-0000000000c5', :'org', 'Neukunde');
INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id)
VALUES (:'org', '0000000b-0000-7000-8000-0000000000c5', '0000000b-0000-7000-8000-0000000000e1', :'social');
SELECT title, (SELECT name FROM mycelium.clients c WHERE c.id = d.client_id) AS client
FROM mycelium.generate_recurring_deliverables(:'org', '2026-12-01') d;
-- Settings: assignees fall back to nobody without auto_assign_to_admin; turning
-- generation off skips the organization with a notice.
UPDATE mycelium.organization_settings SET auto_assign_to_admin = false WHERE organization_id = :'org';
SELECT title, assigned_user_id IS NULL AS unassigned
FROM mycelium.generate_recurring_deliverables(:'org', '2027-01-01', dry_run => true) ORDER BY 1, 2;
UPDATE mycelium.organization_settings SET enable_recurring_generation = false WHERE organization_id = :'org';
SELECT count(*) FROM mycelium.generate_recurring_deliverables(:'org', '2027-01-01');
UPDATE mycelium.organization_settings SET enable_recurring_generation = true WHERE organization_id = :'org';
-- No active ADMIN: skipped with a notice too.
SELECT id AS org2 FROM mycelium.create_organization('No Admin Agency') \gset
SELECT count(*) FROM mycelium.generate_recurring_deliverables(:'org2', '2026-12-01');
-- A template whose rule would give too many occurrences is skipped and named;
-- the rest of the run goes on.
UPDATE mycelium.deliverables SET recurrence_rule = '* * * * *' WHERE id = '0000000b-0000-7000-8000-0000000000d1';
SELECT count(*) FROM mycelium.generate_recurring_deliverables(:'org', '2027-02-01');

-- Bad input: clear errors, nothing written.
SELECT count(*) AS before_bad_input FROM mycelium.deliverables;
SELECT regress.try($$SELECT mycelium.generate_recurring_deliverables(dry_run => NULL)$$) AS null_dry_run;
SELECT regress.try($$SELECT mycelium.generate_recurring_deliverables(period => 'infinity')$$) AS infinite_period;
SELECT regress.try($$SELECT mycelium.generate_recurring_deliverables(period => '9999-12-01')$$) AS period_too_late;
SELECT regress.try($$SELECT mycelium.generate_recurring_deliverables('00000000-0000-0000-0000-000000000000')$$)
    AS unknown_organization;
BEGIN TRANSACTION READ ONLY;
SELECT regress.try($$SELECT mycelium.generate_recurring_deliverables()$$) AS read_only;
ROLLBACK;
SELECT count(*) AS after_bad_input FROM mycelium.deliverables;

-- Who may: a tenant's ADMIN for their own organization only; nobody else.
CREATE ROLE regress_mycelium_generator;
SELECT mycelium.grant_access('regress_mycelium_generator', 'app');
SET ROLE regress_mycelium_generator;
SELECT regress.try($$SELECT mycelium.generate_recurring_deliverables()$$) AS without_context;
BEGIN;
SELECT mycelium.set_context(:'org', '0000000b-0000-7000-8000-0000000000e1', 'VIDEO_EDITOR');
SELECT regress.try($$SELECT mycelium.generate_recurring_deliverables()$$) AS editor;
ROLLBACK;
BEGIN;
SELECT mycelium.set_context(:'org', '0000000b-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT regress.try($$SELECT mycelium.generate_recurring_deliverables('00000000-0000-0000-0000-0000000000ff')$$)
    AS other_organization;
SELECT count(*) AS own_organization FROM mycelium.generate_recurring_deliverables(period => '2027-03-01');
-- The actor of the activity log is the ADMIN who ran it.
SELECT u.name FROM mycelium.activity_logs l JOIN mycelium.users u ON u.id = l.user_id
WHERE l.action = 'generated' AND l.metadata ->> 'period' = '2027-03-01';
ROLLBACK;
RESET ROLE;
REVOKE ALL ON ALL TABLES IN SCHEMA mycelium FROM regress_mycelium_generator;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA mycelium FROM regress_mycelium_generator;
REVOKE ALL ON SCHEMA mycelium FROM regress_mycelium_generator;
DROP ROLE regress_mycelium_generator;
