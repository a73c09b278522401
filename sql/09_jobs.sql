-- Scheduled jobs: run_job and the record of every run in job_runs, and
-- schedule_jobs where pg_cron lives in another database (the suite's cluster has
-- cron.database_name = postgres; this is contrib_regression, without dblink).
-- test/cron-run sees pg_cron itself run a job.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
TRUNCATE mycelium.job_runs;
RESET client_min_messages;
-- The errors below are raised inside the functions; their PL/pgSQL call stack
-- would only repeat the source.
\set SHOW_CONTEXT never

SELECT id AS org FROM mycelium.create_organization('Jobs Agency') \gset
INSERT INTO mycelium.users (id, organization_id, email, name, role, status)
VALUES ('0000000b-0000-7000-8000-0000000000a1', :'org', 'ann@jobs.test', 'Ann', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.clients (id, organization_id, name) VALUES ('0000000b-0000-7000-8000-0000000000c1', :'org', 'Acme');
CREATE FUNCTION pg_temp.deliverable(title text, status text, age interval) RETURNS text LANGUAGE sql AS $$
    INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, status, created_by_id,
                                       due_date, completed_at, custom_fields)
    SELECT st.organization_id, '0000000b-0000-7000-8000-0000000000c1', st.id, title, status::mycelium.deliverable_status,
           '0000000b-0000-7000-8000-0000000000a1', now() - age, CASE WHEN status = 'COMPLETED' THEN now() - age END,
           jsonb_build_object('deliverable_name', title, 'edit_by_date', '2026-01-15')
    FROM mycelium.service_types st WHERE st.slug = 'social'
    RETURNING title;
$$;
SELECT pg_temp.deliverable('done 7 months ago', 'COMPLETED', interval '7 months') AS created
UNION ALL SELECT pg_temp.deliverable('done last week', 'COMPLETED', interval '7 days');

-- ------ run_job: bad input is refused, and nothing is recorded ------
SELECT regress.try($$SELECT mycelium.run_job(NULL)$$) AS null_job;
SELECT regress.try($$SELECT mycelium.run_job('')$$) AS empty_job;
SELECT regress.try($$SELECT mycelium.run_job('vacuum')$$) AS unknown_job;
-- Job names are exact; the hint lists them.
SELECT mycelium.run_job('Archive_Deliverables');
SELECT count(*) AS runs_recorded FROM mycelium.job_runs;

-- ------ run_job: what each run did is recorded ------
SELECT mycelium.run_job('archive_deliverables') AS archived;
UPDATE mycelium.activity_logs SET "timestamp" = now() - interval '2 years' WHERE resource_type = 'client';
SELECT mycelium.run_job('cleanup_activity_logs') AS deleted;
SELECT title, status FROM mycelium.deliverables ORDER BY title;
SELECT job, rows_affected, error, sqlstate, finished_at >= started_at AS finished,
       run_by = session_user AS run_by_session_user, backend_pid = pg_backend_pid() AS this_backend
FROM mycelium.job_runs ORDER BY id;
-- The other jobs call generate_recurring_deliverables, sweep_overdue and
-- sweep_due_soon, which 08 and 10 test; here: they run and are recorded.
SET client_min_messages = warning;
SELECT mycelium.run_job('generate_recurring') IS NOT NULL AS generation_ran,
       mycelium.run_job('sweep_overdue') IS NOT NULL AS overdue_sweep_ran,
       mycelium.run_job('sweep_due_soon') IS NOT NULL AS due_soon_sweep_ran;
RESET client_min_messages;

-- ------ A failing job: recorded with its error, its work rolled back, and a
-- WARNING instead of an ERROR, so that the caller's transaction (pg_cron's) goes
-- on and commits the record ------
SELECT pg_temp.deliverable('done 8 months ago', 'COMPLETED', interval '8 months') AS created;
-- An operator's own rule that the archive breaks (NOT VALID: existing rows are
-- not checked, an update is), added with the operator's explicit switch.
SET mycelium.allow_schema_changes = on;
ALTER TABLE mycelium.deliverables ADD CONSTRAINT regress_no_archiving CHECK (status <> 'ARCHIVED') NOT VALID;
BEGIN;
SELECT mycelium.run_job('archive_deliverables') AS archived;
SELECT 'the transaction goes on' AS after_the_failure;
COMMIT;
ALTER TABLE mycelium.deliverables DROP CONSTRAINT regress_no_archiving;
RESET mycelium.allow_schema_changes;
SELECT title, status FROM mycelium.deliverables WHERE title = 'done 8 months ago';
SELECT job, rows_affected, error, sqlstate, finished_at IS NOT NULL AS finished
FROM mycelium.job_runs ORDER BY id DESC LIMIT 1;
-- Once the cause is gone, the next run does the work.
SELECT mycelium.run_job('archive_deliverables') AS archived;

-- ------ The operator's view: the last run of each job ------
SELECT DISTINCT ON (job) job, rows_affected, error IS NOT NULL AS failed
FROM mycelium.job_runs ORDER BY job, started_at DESC;

-- ------ The log clean-up also keeps job_runs to 90 days ------
UPDATE mycelium.job_runs SET started_at = started_at - interval '91 days', finished_at = finished_at - interval '91 days'
WHERE job = 'archive_deliverables';
SELECT mycelium.run_job('cleanup_activity_logs') AS deleted;
SELECT job, count(*) AS runs FROM mycelium.job_runs GROUP BY job ORDER BY job;

-- ------ Read-only transactions (and hot standbys): 25006 before any work ------
SELECT count(*) AS runs_before FROM mycelium.job_runs;
BEGIN READ ONLY;
SELECT regress.try($$SELECT mycelium.run_job('archive_deliverables')$$) AS run_job;
SELECT regress.try($$SELECT mycelium.schedule_jobs()$$) AS schedule_jobs;
SELECT regress.try($$SELECT mycelium.unschedule_jobs()$$) AS unschedule_jobs;
ROLLBACK;
SELECT count(*) AS runs_after FROM mycelium.job_runs;

-- ------ schedule_jobs: schedules are checked before anything is scheduled ------
SELECT regress.try($$SELECT mycelium.schedule_jobs(sweep_overdue => '')$$) AS empty_schedule;
SELECT regress.try($$SELECT mycelium.schedule_jobs(archive_deliverables => 'every sunday')$$) AS words;
SELECT regress.try($$SELECT mycelium.schedule_jobs(sweep_due_soon => '* * * *')$$) AS four_fields;
SELECT regress.try($$SELECT mycelium.schedule_jobs(sweep_due_soon => '0 * * * * *')$$) AS six_fields;
SELECT regress.try($$SELECT mycelium.schedule_jobs(generate_recurring => $q$0 2 1 * *'); DROP TABLE x; --$q$)$$)
    AS smuggled_sql;
SELECT mycelium.schedule_jobs(cleanup_activity_logs => '30 3 * * * please');

-- ------ schedule_jobs: pg_cron is in database postgres, dblink is not here ------
-- The error says so and its hint has the exact calls to run there: each job
-- runs SELECT mycelium.run_job(...) in this database as the extension's owner; a
-- NULL schedule removes that job.
SHOW cron.database_name;
SELECT * FROM mycelium.schedule_jobs();
SELECT * FROM mycelium.schedule_jobs(sweep_overdue => '*/5 * * * *', generate_recurring => NULL);
SELECT mycelium.unschedule_jobs();

-- ------ database_health_check: the runs that should have happened and did not ------
-- schedule_jobs records what it gave pg_cron (it could not, above: no dblink);
-- here, as if it had, two days ago. A job is missed when its last due time is
-- more than half an hour ago and no run started since.
UPDATE mycelium_internal.jobs j
   SET schedule = s.schedule, scheduled_at = now() - interval '2 days'
  FROM (VALUES ('archive_deliverables', '* * * * *'), ('sweep_due_soon', '@hourly'),
               ('cleanup_activity_logs', '@reboot')) AS s(name, schedule)
 WHERE j.name = s.name;
-- archive_deliverables runs now; sweep_due_soon has no run, and was due at the
-- last full hour at least half an hour ago; @reboot has no time to miss.
DELETE FROM mycelium.job_runs WHERE job = 'sweep_due_soon';
SELECT mycelium.run_job('archive_deliverables') IS NOT NULL AS archive_ran;
SELECT m.job, m.schedule, m.due_at = date_trunc('hour', now() - interval '30 minutes') AS due_at_last_hour,
       m.last_started_at IS NULL AS never_ran
FROM mycelium_internal.missed_job_runs(interval '30 minutes') AS m;
SELECT h->'jobs'->'scheduled' AS scheduled, h->'jobs'->'missed'->0->>'job' AS missed,
       h->'jobs'->>'scheduler' IN ('running', 'stopped', 'not loaded') AS scheduler_known
FROM mycelium.database_health_check() AS h;
-- A run clears it; a schedule given again unchanged keeps its date (so
-- schedule_jobs does not hide a missed run), a new one starts afresh.
SELECT mycelium.run_job('sweep_due_soon') IS NOT NULL AS ran;
SELECT count(*) AS missed FROM mycelium_internal.missed_job_runs(interval '30 minutes');
SELECT mycelium_internal.remember_job_schedule(ARRAY['archive_deliverables', 'sweep_due_soon'],
                                               ARRAY['* * * * *', '0 0 * * *']);
SELECT name, schedule, scheduled_at < now() - interval '1 day' AS kept_date
FROM mycelium_internal.jobs WHERE schedule IS NOT NULL ORDER BY name;
UPDATE mycelium_internal.jobs SET schedule = NULL, scheduled_at = NULL;

-- ------ Who may ------
-- Maintenance roles run jobs and read job_runs; application roles do neither.
CREATE ROLE regress_mycelium_ops;
SELECT mycelium.grant_access('regress_mycelium_ops', 'maintenance');
CREATE ROLE regress_mycelium_app;
SELECT mycelium.grant_access('regress_mycelium_app', 'app');
SET ROLE regress_mycelium_ops;
SELECT mycelium.run_job('archive_deliverables') AS archived;
SELECT job FROM mycelium.job_runs ORDER BY id DESC LIMIT 1;
-- The sweeps and generation act for every organization when a maintenance role
-- runs them through run_job (called directly, without it, they need a context).
SELECT mycelium.run_job('sweep_overdue') IS NOT NULL AS swept_as_maintenance;
SELECT mycelium.run_job('generate_recurring') IS NOT NULL AS generated_as_maintenance;
SELECT job, error FROM mycelium.job_runs ORDER BY id DESC LIMIT 2;
RESET ROLE;
SET ROLE regress_mycelium_app;
SELECT regress.try($$SELECT mycelium.run_job('archive_deliverables')$$) AS app_runs_a_job;
SELECT regress.try($$SELECT count(*) FROM mycelium.job_runs$$) AS app_reads_job_runs;
SELECT regress.try($$SELECT mycelium.schedule_jobs()$$) AS app_schedules;
SELECT regress.try($$SELECT mycelium.unschedule_jobs()$$) AS app_unschedules;
RESET ROLE;
DROP OWNED BY regress_mycelium_ops, regress_mycelium_app;
DROP ROLE regress_mycelium_ops, regress_mycelium_app;
