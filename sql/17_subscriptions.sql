-- Subscriptions: the plan's limits on users, clients and projects (53400, at the
-- boundary, in bulk, on reactivation), the statuses that make an organization
-- read-only for its application roles (42501) and the jobs that leave it alone,
-- the past_due_grace_days setting, trial_ends_at, and the billing kind, which
-- alone writes subscriptions. Two organizations, as non-superuser roles.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
SELECT mycelium.configure('past_due_grace_days', NULL);
-- The error and the fields an application tells it by (schema.table.column).
CREATE OR REPLACE FUNCTION regress.try_fields(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    s text; t text; c text;
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS s = SCHEMA_NAME, t = TABLE_NAME, c = COLUMN_NAME;
    RETURN SQLSTATE || ': ' || SQLERRM || ' [' || concat_ws('.', s, t, c) || ']';
END;
$$;
INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.organization_settings (organization_id, require_password_change) VALUES
    ('0000000a-0000-7000-8000-000000000000', false),
    ('0000000b-0000-7000-8000-000000000000', false);
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'bo@a.example', 'Bo', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-000000000000', 'cy@a.example', 'Cy', 'FILMER', 'INACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bea@b.example', 'Bea', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.clients (id, organization_id, name, slug) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Client One', 'client-one'),
    ('0000000b-0000-7000-8000-0000000000c1', '0000000b-0000-7000-8000-000000000000', 'Client Bee', 'client-bee');
INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name, is_active, can_comment) VALUES
    ('0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c1', 'pat@client.example', 'Pat', true, true);
SELECT mycelium.set_jwt_secret('a-token-key-of-at-least-thirty-two-bytes-long');
SELECT mycelium.set_password('0000000a-0000-7000-8000-0000000000a1', 'ann''s long password', false);

DROP ROLE IF EXISTS regress_subscriptions_app, regress_subscriptions_billing;
CREATE ROLE regress_subscriptions_app;
CREATE ROLE regress_subscriptions_billing;
SELECT mycelium.grant_access('regress_subscriptions_app', 'app');
SELECT mycelium.grant_access('regress_subscriptions_billing', 'billing');
GRANT USAGE ON SCHEMA regress TO regress_subscriptions_app, regress_subscriptions_billing;
-- The install made the group role; a billing role is never a tenant's, nor the
-- other way round.
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = 'mycelium_billing';
SELECT regress.try($$SELECT mycelium.grant_access('regress_subscriptions_app', 'billing')$$);
SELECT regress.try($$SELECT mycelium.grant_access('regress_subscriptions_billing', 'app')$$);
SELECT regress.try($$SELECT mycelium.grant_access('regress_subscriptions_billing', 'readonly')$$);

-- ------ No subscription: no limit, never read-only ------
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
INSERT INTO mycelium.clients (organization_id, name, slug)
SELECT '0000000a-0000-7000-8000-000000000000', 'Bulk ' || i, 'bulk-' || i FROM generate_series(1, 5) i;
SELECT count(*) AS clients FROM mycelium.clients;
ROLLBACK;

-- ------ The billing kind: every organization's subscription, nothing else ------
SET ROLE regress_subscriptions_billing;
-- No context needed, and none taken: it writes across organizations.
INSERT INTO mycelium.subscriptions (organization_id, plan_name, plan_price, current_period_start, current_period_end,
                                    stripe_customer_id, max_users, max_clients, max_projects) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Starter', 49, now() - interval '10 days', now() + interval '20 days',
     'cus_a', 3, 2, 1),
    ('0000000b-0000-7000-8000-000000000000', 'Pro', 99, now() - interval '10 days', now() + interval '20 days',
     'cus_b', NULL, NULL, NULL);
SELECT plan_name, status, max_users, max_clients, max_projects, trial_ends_at
  FROM mycelium.subscriptions ORDER BY organization_id;
UPDATE mycelium.subscriptions SET plan_price = 59 WHERE stripe_customer_id = 'cus_a';
SELECT regress.try($$DELETE FROM mycelium.subscriptions WHERE stripe_customer_id = 'cus_b'$$);
-- B's row again; an upsert keyed by the organization, as a webhook would.
INSERT INTO mycelium.subscriptions (organization_id, plan_name, plan_price, current_period_start, current_period_end)
VALUES ('0000000b-0000-7000-8000-000000000000', 'Pro', 99, now() - interval '10 days', now() + interval '20 days')
ON CONFLICT (organization_id) DO UPDATE SET plan_name = EXCLUDED.plan_name;
SELECT count(*) AS subscriptions FROM mycelium.subscriptions;
-- Nothing else: no tenant table, no function.
SELECT regress.try($$SELECT count(*) FROM mycelium.clients$$);
SELECT regress.try($$UPDATE mycelium.organizations SET name = 'Mine'$$);
SELECT regress.try($$SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000',
                                                 '0000000a-0000-7000-8000-0000000000a1', 'ADMIN')$$);
-- Bad input is refused by the table's checks and types.
SELECT regress.try($$UPDATE mycelium.subscriptions SET max_users = -1 WHERE stripe_customer_id = 'cus_a'$$);
SELECT regress.try($$UPDATE mycelium.subscriptions SET status = 'PAUSED' WHERE stripe_customer_id = 'cus_a'$$);
SELECT regress.try($$UPDATE mycelium.subscriptions SET trial_ends_at = 'infinity' WHERE stripe_customer_id = 'cus_a'$$);
RESET ROLE;

-- ------ Applications never write it; ADMINs read their own ------
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT plan_name, plan_price, max_users FROM mycelium.subscriptions;
SELECT regress.try($$UPDATE mycelium.subscriptions SET max_users = NULL$$);
SELECT regress.try($$DELETE FROM mycelium.subscriptions$$);
SELECT regress.try($$INSERT INTO mycelium.subscriptions (organization_id, plan_name, plan_price, current_period_start,
                                                          current_period_end)
                     VALUES ('0000000a-0000-7000-8000-000000000000', 'Free', 0, now(), now())$$);
ROLLBACK;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
SELECT count(*) AS seen_by_an_editor FROM mycelium.subscriptions;
ROLLBACK;
-- Without a context, nothing.
SELECT count(*) AS seen_without_context FROM mycelium.subscriptions;
SELECT regress.try($$UPDATE mycelium.subscriptions SET max_users = NULL$$);

-- ------ Limits: max_users 3, max_clients 2, max_projects 1 ------
-- Users: Ann and Bo are ACTIVE, Cy INACTIVE (does not count). A third, PENDING,
-- fills the plan exactly; a fourth is one too many, however it comes.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT regress.try($$INSERT INTO mycelium.users (organization_id, email, name, role, status)
                     VALUES ('0000000a-0000-7000-8000-000000000000', 'dee@a.example', 'Dee', 'SEO_STRATEGIST', 'PENDING')$$)
    AS third_user;
SELECT regress.try_fields($$INSERT INTO mycelium.users (organization_id, email, name, role)
                            VALUES ('0000000a-0000-7000-8000-000000000000', 'eve@a.example', 'Eve', 'FILMER')$$)
    AS fourth_user;
SELECT regress.try($$SELECT * FROM mycelium.invite_user('eve@a.example', 'Eve', 'FILMER')$$) AS fourth_invited;
-- Re-activating Cy counts; an INACTIVE or SUSPENDED newcomer does not.
SELECT regress.try($$UPDATE mycelium.users SET status = 'ACTIVE' WHERE email = 'cy@a.example'$$) AS reactivated;
SELECT regress.try($$INSERT INTO mycelium.users (organization_id, email, name, role, status)
                     VALUES ('0000000a-0000-7000-8000-000000000000', 'fay@a.example', 'Fay', 'FILMER', 'SUSPENDED')$$)
    AS suspended_user;
-- One statement that retires Bo and brings Cy back stays within the plan.
SELECT regress.try($$UPDATE mycelium.users SET status = CASE status WHEN 'ACTIVE' THEN 'INACTIVE'::mycelium.user_status
                                                                    ELSE 'ACTIVE' END
                      WHERE email IN ('bo@a.example', 'cy@a.example')$$) AS swapped;
-- Other changes of counted users are not new seats.
SELECT regress.try($$UPDATE mycelium.users SET title = 'Lead' WHERE status = 'ACTIVE'$$) AS profile_edit;
SELECT email, status FROM mycelium.users ORDER BY email;

-- Clients: Client One counts; a bulk insert of two more is refused as a whole,
-- once for the statement; one more fills the plan exactly.
SELECT regress.try($$INSERT INTO mycelium.clients (organization_id, name, slug)
                     SELECT '0000000a-0000-7000-8000-000000000000', 'Bulk ' || i, 'bulk-' || i
                       FROM generate_series(1, 2) i$$) AS bulk_over;
SELECT regress.try($$INSERT INTO mycelium.clients (organization_id, name, slug)
                     SELECT '0000000a-0000-7000-8000-000000000000', 'Bulk ' || i, 'bulk-' || i
                       FROM generate_series(1, 1) i$$) AS bulk_at_limit;
-- ARCHIVED and TERMINATED clients do not count, until brought back.
SELECT regress.try($$INSERT INTO mycelium.clients (organization_id, name, slug, status)
                     VALUES ('0000000a-0000-7000-8000-000000000000', 'Old', 'old', 'ARCHIVED'),
                            ('0000000a-0000-7000-8000-000000000000', 'Gone', 'gone', 'TERMINATED')$$) AS archived;
SELECT regress.try($$UPDATE mycelium.clients SET status = 'ACTIVE' WHERE slug = 'old'$$) AS unarchived;
SELECT regress.try($$UPDATE mycelium.clients SET status = 'PAUSED' WHERE slug = 'gone'$$) AS paused;
SELECT regress.try($$UPDATE mycelium.clients SET status = 'ARCHIVED' WHERE slug = 'bulk-1'$$) AS archive_one;
SELECT regress.try($$UPDATE mycelium.clients SET status = 'ACTIVE' WHERE slug = 'old'$$) AS unarchived_after;
SELECT slug, status FROM mycelium.clients ORDER BY slug;

-- Projects: one open project; COMPLETED and CANCELLED ones do not count.
SELECT regress.try($$INSERT INTO mycelium.projects (organization_id, client_id, name)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', 'Launch')$$)
    AS first_project;
SELECT regress.try_fields($$INSERT INTO mycelium.projects (organization_id, client_id, name, status)
                            VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
                                    'Relaunch', 'ON_HOLD')$$) AS second_project;
SELECT regress.try($$INSERT INTO mycelium.projects (organization_id, client_id, name, status)
                     VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
                             'Done', 'COMPLETED')$$) AS completed_project;
SELECT regress.try($$UPDATE mycelium.projects SET status = 'ACTIVE' WHERE name = 'Done'$$) AS reopened;
COMMIT;

-- Limits hold for every writer, a superuser's import included, and another
-- organization's plan is its own (B has none).
RESET ROLE;
SELECT regress.try($$INSERT INTO mycelium.users (organization_id, email, name, role)
                     VALUES ('0000000a-0000-7000-8000-000000000000', 'gus@a.example', 'Gus', 'FILMER')$$) AS superuser_import;
SELECT regress.try($$INSERT INTO mycelium.projects (organization_id, client_id, name)
                     SELECT '0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000c1', 'B' || i
                       FROM generate_series(1, 3) i$$) AS other_organization;

-- A NULL limit is no limit; a limit lowered below what exists keeps what exists
-- and refuses what is new.
SET ROLE regress_subscriptions_billing;
UPDATE mycelium.subscriptions SET max_projects = NULL, max_clients = 1 WHERE stripe_customer_id = 'cus_a';
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT regress.try($$INSERT INTO mycelium.projects (organization_id, client_id, name)
                     SELECT '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1', 'P' || i
                       FROM generate_series(1, 3) i$$) AS unlimited_projects;
SELECT count(*) AS clients_kept FROM mycelium.clients WHERE status NOT IN ('ARCHIVED', 'TERMINATED');
SELECT regress.try($$UPDATE mycelium.clients SET name = name || '!' WHERE slug = 'client-one'$$) AS edit_kept_client;
SELECT regress.try($$INSERT INTO mycelium.clients (organization_id, name, slug)
                     VALUES ('0000000a-0000-7000-8000-000000000000', 'New', 'new')$$) AS new_client;
ROLLBACK;

-- ------ Statuses: read-only organizations ------
-- Each status as billing sets it; A's ADMIN then reads, writes, and runs what
-- writes for it. Fixed dates in the past make the messages stable.
RESET ROLE;
CREATE FUNCTION regress.subscription_as(status text, period_end timestamptz, trial_ends timestamptz DEFAULT NULL)
    RETURNS void LANGUAGE sql AS $$
    UPDATE mycelium.subscriptions
       SET status = subscription_as.status::mycelium.subscription_status,
           current_period_start = least(period_end, now()) - interval '30 days',
           current_period_end = period_end, trial_ends_at = trial_ends
     WHERE organization_id = '0000000a-0000-7000-8000-000000000000';
$$;
GRANT EXECUTE ON FUNCTION regress.subscription_as(text, timestamptz, timestamptz) TO regress_subscriptions_billing;
CREATE FUNCTION regress.admin_writes() RETURNS TABLE (reads bigint, outcome text) LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM mycelium.clients),
           regress.try($q$UPDATE mycelium.clients SET name = name WHERE slug = 'client-one'$q$);
$$;
GRANT EXECUTE ON FUNCTION regress.admin_writes() TO regress_subscriptions_app;

SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('CANCELLED', now() + interval '20 days');
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT * FROM regress.admin_writes();
SELECT regress.try_fields($$INSERT INTO mycelium.clients (organization_id, name, slug)
                            VALUES ('0000000a-0000-7000-8000-000000000000', 'New', 'new')$$) AS insert_refused;
-- Every write, even one that changes no row; the organization itself too.
SELECT regress.try($$DELETE FROM mycelium.comments WHERE false$$) AS empty_delete;
SELECT regress.try($$UPDATE mycelium.organizations SET name = 'Agency A!'$$) AS organization;
-- What writes for the tenant refuses too.
SELECT regress.try($$SELECT * FROM mycelium.invite_user('hal@a.example', 'Hal', 'FILMER')$$) AS invite;
SELECT regress.try($$SELECT count(*) FROM mycelium.sweep_overdue()$$) AS sweep;
SELECT regress.try($$SELECT count(*) FROM mycelium.sweep_due_soon()$$) AS due_soon;
SELECT regress.try($$SELECT count(*) FROM mycelium.generate_recurring_deliverables()$$) AS generation;
SELECT regress.try($$SELECT count(*) FROM mycelium.generate_recurring_deliverables(dry_run => true)$$)
    AS generation_dry_run;
SELECT regress.try($$SELECT mycelium.verify_custom_domain('x')$$) AS verify_domain;
ROLLBACK;
-- Staff and portal users are told that it is read-only, not why.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a3', 'FILMER');
SELECT regress.try_fields($$DELETE FROM mycelium.time_entries WHERE false$$) AS staff;
ROLLBACK;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000d1', 'CLIENT',
                            '0000000a-0000-7000-8000-0000000000c1');
SELECT count(*) AS portal_reads FROM mycelium.clients;
SELECT regress.try($$DELETE FROM mycelium.comments WHERE false$$) AS portal;
ROLLBACK;
-- Another organization is not affected.
BEGIN;
SELECT mycelium.set_context('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
SELECT regress.try($$UPDATE mycelium.clients SET name = name$$) AS other_organization;
ROLLBACK;
-- Signing in still works: a read-only organization is read by signing in.
CALL mycelium.sign_in('0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'ann''s long password') \gset
SELECT :'role' AS signed_in_as;

-- UNPAID is the same.
SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('UNPAID', now() + interval '20 days');
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT * FROM regress.admin_writes();
ROLLBACK;

-- PAST_DUE keeps working until the end of its period plus past_due_grace_days (7).
SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('PAST_DUE', now() + interval '2 days');
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT * FROM regress.admin_writes() AS before_period_end;
ROLLBACK;
SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('PAST_DUE', now() - interval '6 days 23 hours');
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT * FROM regress.admin_writes() AS within_grace;
ROLLBACK;
SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('PAST_DUE', '2020-01-31 00:00:00+00');
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT * FROM regress.admin_writes() AS after_grace;
ROLLBACK;
-- A longer grace period (superuser) brings it back; 0 ends it with the period.
RESET ROLE;
SELECT regress.try($$SELECT mycelium.configure('past_due_grace_days', '3650')$$) AS over_a_year;
SELECT mycelium.configure('past_due_grace_days', '365');
SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('PAST_DUE', now() - interval '300 days');
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT * FROM regress.admin_writes() AS longer_grace;
ROLLBACK;
RESET ROLE;
SELECT mycelium.configure('past_due_grace_days', '0');
SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('PAST_DUE', now() - interval '1 minute');
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
-- (The moment the period ended is now's, hence not printed.)
SELECT reads, regexp_replace(outcome, ' ended at .*', ' ended at …') AS no_grace FROM regress.admin_writes();
ROLLBACK;
RESET ROLE;
-- Bad values: the setting's check, and who may set it.
SELECT regress.try($$SELECT mycelium.configure('past_due_grace_days', '-1')$$);
SELECT regress.try($$SELECT mycelium.configure('past_due_grace_days', '366')$$);
SELECT regress.try($$SELECT mycelium.configure('past_due_grace_days', 'a week')$$);
SELECT mycelium.configure('past_due_grace_days', NULL);
SET ROLE regress_subscriptions_app;
SELECT regress.try($$SELECT mycelium.configure('past_due_grace_days', '30')$$);

-- TRIALING works until trial_ends_at; without one, until the end of its period.
SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('TRIALING', now() - interval '1 day', now() + interval '1 day');
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT * FROM regress.admin_writes() AS during_trial;
ROLLBACK;
SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('TRIALING', now() + interval '20 days', '2020-01-15 12:00:00+00');
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT * FROM regress.admin_writes() AS after_trial;
ROLLBACK;
SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('TRIALING', now() + interval '20 days');
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT * FROM regress.admin_writes() AS trial_without_end;
ROLLBACK;
SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('TRIALING', '2020-02-29 00:00:00+00');
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT * FROM regress.admin_writes() AS trial_period_over;
ROLLBACK;

-- ACTIVE again: writes resume.
SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('ACTIVE', now() + interval '20 days');
SET ROLE regress_subscriptions_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT * FROM regress.admin_writes() AS active;
ROLLBACK;

-- ------ An invitation waits while the organization is read-only ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT invitation FROM mycelium.invite_user('dee@a.example', 'Dee', 'SEO_STRATEGIST') \gset
COMMIT;
SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('CANCELLED', now() + interval '20 days');
SET ROLE regress_subscriptions_app;
SELECT regress.try(format('SELECT * FROM mycelium.accept_invitation(%L, %L)', :'invitation', 'dee''s chosen password'))
    AS accept_read_only;
SET ROLE regress_subscriptions_billing;
SELECT regress.subscription_as('ACTIVE', now() + interval '20 days');
SET ROLE regress_subscriptions_app;
SELECT portal FROM mycelium.accept_invitation(:'invitation', 'dee''s chosen password');

-- ------ Jobs the database runs leave a read-only organization alone ------
-- An overdue deliverable in each organization; A is CANCELLED. The scheduled
-- sweep (no context) marks B's only; generation says why it skipped A.
RESET ROLE;
INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type) VALUES
    ('0000000a-0000-7000-8000-0000000000e1', '0000000a-0000-7000-8000-000000000000', 'Video', 'video', 'ONEOFF'),
    ('0000000b-0000-7000-8000-0000000000e1', '0000000b-0000-7000-8000-000000000000', 'Video', 'video', 'ONEOFF');
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, due_date, created_by_id) VALUES
    ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     '0000000a-0000-7000-8000-0000000000e1', 'A late cut', now() - interval '1 day', '0000000a-0000-7000-8000-0000000000a1'),
    ('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000c1',
     '0000000b-0000-7000-8000-0000000000e1', 'B late cut', now() - interval '1 day', '0000000b-0000-7000-8000-0000000000b1');
SELECT regress.subscription_as('CANCELLED', now() + interval '20 days');
SELECT organization_id, previous_status FROM mycelium.sweep_overdue();
SELECT title, status FROM mycelium.deliverables ORDER BY title;
SET client_min_messages = notice;
SELECT count(*) AS generated FROM mycelium.generate_recurring_deliverables(NULL, '2026-01-01');
SET client_min_messages = warning;

RESET ROLE;
DROP FUNCTION regress.subscription_as(text, timestamptz, timestamptz), regress.admin_writes();
TRUNCATE mycelium.organizations CASCADE;
SELECT mycelium.configure('past_due_grace_days', NULL);
DROP OWNED BY regress_subscriptions_app, regress_subscriptions_billing;
DROP ROLE regress_subscriptions_app, regress_subscriptions_billing;
