-- ====== Scheduled jobs: the job-run record, run_job, and the pg_cron schedule ======
-- The periodic work (the two sweeps, the recurring generation, the
-- activity-log retention and the archive) runs through mycelium.run_job(job), which
-- records every run in mycelium.job_runs. schedule_jobs registers those calls with
-- pg_cron; pg_cron itself is optional and lives in one database of the cluster
-- (cron.database_name), which need not be this one. docs/operations.md,
-- "Scheduled jobs", is the operator's guide.


COMMENT ON TABLE mycelium.job_runs IS
    'One row per run of a Mycelium job (mycelium.run_job), scheduled or by hand, and one per organization that '
    'failed in it; kept 90 days';
COMMENT ON COLUMN mycelium.job_runs.job IS 'The job: sweep_overdue, sweep_due_soon, generate_recurring, cleanup_activity_logs or archive_deliverables';
COMMENT ON COLUMN mycelium.job_runs.started_at IS 'When the run (or the organization''s attempt) started (clock time, not the transaction start)';
COMMENT ON COLUMN mycelium.job_runs.finished_at IS 'When it finished, successfully or not';
COMMENT ON COLUMN mycelium.job_runs.rows_affected IS 'What the job did: rows swept, generated, deleted or archived; NULL when it failed';
COMMENT ON COLUMN mycelium.job_runs.error IS 'The error message when the run (or the organization''s part) failed and was rolled back; NULL on success';
COMMENT ON COLUMN mycelium.job_runs.sqlstate IS 'The SQLSTATE of that error';
COMMENT ON COLUMN mycelium.job_runs.run_by IS 'The session (login) user that ran it: the pg_cron job''s user, or whoever called run_job';
COMMENT ON COLUMN mycelium.job_runs.backend_pid IS 'The backend that ran it; matches cron.job_run_details.job_pid';
COMMENT ON COLUMN mycelium.job_runs.failed_organization_id IS 'On an organization''s row: the organization whose part of the run failed; NULL on a run''s row';
COMMENT ON COLUMN mycelium.job_runs.run_id IS 'On an organization''s row: the job_runs.id of the run it failed in; NULL on a run''s row';

-- Runs one job now and records the run in job_runs; returns what it did (rows
-- swept, generated, deleted or archived), or NULL when it failed.
--
-- One organization must not stop the others' work, whether by an error of its
-- data (a template that no longer passes the custom-field check) or by rows its
-- staff keep locked. The jobs that work per organization (the sweeps, generation,
-- the archive) first run for all of them in one call, the fast path, which costs
-- nothing extra. Only when that fails does run_job try again with one call, in
-- its own subtransaction, per organization: a failing organization's work is
-- rolled back and recorded as a job_runs row of its own (failed_organization_id,
-- run_id, error, sqlstate) and a WARNING, and the others' work is kept. Every wait
-- for a lock is bounded (mycelium_internal.job_lock_timeout()), so a held lock is such a
-- failure, and that organization's work is left to the next run. The run fails as
-- a whole when nothing could be done: no organization completed, or the job that
-- does not work per organization failed. That is the activity-log clean-up, one
-- statement over every organization: application roles cannot lock, change or
-- reference log rows, so no tenant can make it fail.
--
-- A failure is recorded and reported as a WARNING, not raised: an ERROR would roll
-- back the job_runs row with the job's own work, and the record of what went wrong
-- is the point. The job's work runs in a subtransaction and is rolled back on
-- failure; the record stays. So pg_cron's cron.job_run_details says "succeeded" for
-- a run whose job failed: mycelium.job_runs (and the server log) has the error.
-- query_canceled (statement_timeout, a cancel request) fails the whole run, which
-- WHEN OTHERS alone would not catch; a terminated backend leaves no row. The run's
-- row is written before it queues behind a previous run of the job, so a timeout
-- that fires while it waits, before any work, is recorded as well.
CREATE OR REPLACE FUNCTION mycelium.run_job(job text) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    lock_wait_before constant text := current_setting('lock_timeout');
    this_run uuid;
    pending uuid[];
    -- NULL: every organization in one call (the fast path).
    targets uuid[] := ARRAY[NULL]::uuid[];
    org uuid;
    n bigint;
    affected bigint;
    attempt_started timestamptz;
    message text;
    state text;
    failed_orgs uuid[] := '{}';
    failed_started timestamptz[] := '{}';
    failed_finished timestamptz[] := '{}';
    failed_messages text[] := '{}';
    failed_states text[] := '{}';
    queued boolean := true;
BEGIN
    PERFORM mycelium.require_writable('run_job');
    IF NOT EXISTS (SELECT FROM mycelium_internal.jobs j WHERE j.name = run_job.job) THEN
        RAISE EXCEPTION 'run_job: unknown job %', coalesce(quote_literal(job), 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium',
                  HINT = 'One of ' || (SELECT string_agg(j.name, ', ' ORDER BY j.name) FROM mycelium_internal.jobs j) || '.';
    END IF;

    INSERT INTO mycelium.job_runs (job) VALUES (run_job.job) RETURNING id INTO this_run;
    BEGIN
        -- Runs of one job queue behind each other (a run by hand while pg_cron's is
        -- still going), so that no two sweeps notify about the same deliverable.
        -- The wait is not bounded by job_lock_timeout: the previous run is ours.
        PERFORM FROM mycelium_internal.jobs j WHERE j.name = run_job.job FOR UPDATE;
        queued := false;
        PERFORM set_config('lock_timeout', mycelium_internal.job_lock_timeout(), true);
        WHILE targets IS NOT NULL LOOP
            pending := targets;
            targets := NULL;
            FOREACH org IN ARRAY pending LOOP
                attempt_started := clock_timestamp();
                BEGIN
                    -- Static calls: PL/pgSQL resolves them when the branch first runs, so a
                    -- job whose function is missing fails (and is recorded) only when it runs.
                    CASE job
                        WHEN 'sweep_overdue' THEN
                            SELECT count(*) INTO n FROM mycelium.sweep_overdue(organization_id => org);
                        WHEN 'sweep_due_soon' THEN
                            SELECT count(*) INTO n FROM mycelium.sweep_due_soon(organization_id => org);
                        WHEN 'generate_recurring' THEN
                            SELECT count(*) INTO n
                              FROM mycelium.generate_recurring_deliverables(organization_id => org);
                        WHEN 'cleanup_activity_logs' THEN
                            n := mycelium.cleanup_old_activity_logs();
                        WHEN 'archive_deliverables' THEN
                            n := mycelium.archive_old_deliverables(organization_id => org);
                    END CASE;
                    affected := coalesce(affected, 0) + n;
                EXCEPTION WHEN OTHERS THEN
                    IF org IS NULL THEN
                        -- The fast path failed. Its error stands for the run should no
                        -- organization complete on its own.
                        IF job = 'cleanup_activity_logs' THEN
                            RAISE;
                        END IF;
                        GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
                        targets := ARRAY(SELECT g.id FROM mycelium.organizations g ORDER BY g.id);
                    ELSE
                        failed_orgs := failed_orgs || org;
                        failed_started := failed_started || attempt_started;
                        failed_finished := failed_finished || clock_timestamp();
                        failed_messages := failed_messages || SQLERRM;
                        failed_states := failed_states || SQLSTATE;
                        RAISE WARNING 'run_job: % failed for organization %, its work there was rolled back: %',
                            job, coalesce((SELECT g.slug FROM mycelium.organizations g WHERE g.id = org), org::text),
                            SQLERRM
                            USING DETAIL = format('SQLSTATE %s. The next run tries again; the failure is recorded '
                                                  'in mycelium.job_runs.', SQLSTATE);
                    END IF;
                END;
            END LOOP;
        END LOOP;
        IF job = 'cleanup_activity_logs' THEN
            -- The job-run record's own retention rides along with the log's.
            DELETE FROM mycelium.job_runs WHERE started_at < now() - interval '90 days';
        END IF;
    EXCEPTION WHEN OTHERS OR query_canceled THEN
        GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
        IF queued THEN
            message := 'while waiting for the previous run of the job to finish: ' || message;
        END IF;
        affected := NULL;
    END;
    PERFORM set_config('lock_timeout', lock_wait_before, true);

    UPDATE mycelium.job_runs
       SET finished_at = clock_timestamp(), rows_affected = affected,
           error = CASE WHEN affected IS NULL THEN message END,
           sqlstate = CASE WHEN affected IS NULL THEN state END
     WHERE id = this_run;
    INSERT INTO mycelium.job_runs (job, started_at, finished_at, error, sqlstate, failed_organization_id, run_id)
    SELECT run_job.job, f.started_at, f.finished_at, f.error, f.state, f.org, this_run
      FROM unnest(failed_orgs, failed_started, failed_finished, failed_messages, failed_states)
           AS f(org, started_at, finished_at, error, state);
    IF affected IS NULL THEN
        RAISE WARNING 'run_job: % failed, its work was rolled back: %', job, message
            USING DETAIL = format('SQLSTATE %s. The run is recorded in mycelium.job_runs.', state);
    END IF;
    RETURN affected;
END;
$$;
COMMENT ON FUNCTION mycelium.run_job(text) IS
    'Runs one Mycelium job now and records it in mycelium.job_runs; an organization that fails is recorded and '
    'the others'' work kept; a failure is a WARNING, and NULL when nothing was done';

-- What pg_cron was given, kept beside the job list for database_health_check
-- (the cron database may be another one, out of reach). A schedule given again
-- unchanged keeps its date, so calling schedule_jobs does not hide a missed run.
CREATE OR REPLACE FUNCTION mycelium_internal.remember_job_schedule(names text[], schedules text[]) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE mycelium_internal.jobs j
       SET schedule = s.schedule,
           scheduled_at = CASE WHEN s.schedule IS NULL THEN NULL
                               WHEN s.schedule IS NOT DISTINCT FROM j.schedule THEN j.scheduled_at
                               ELSE pg_catalog.now() END
      FROM unnest(names, schedules) AS s(name, schedule)
     WHERE j.name = s.name;
$$;
REVOKE ALL ON FUNCTION mycelium_internal.remember_job_schedule(text[], text[]) FROM PUBLIC;
COMMENT ON FUNCTION mycelium_internal.remember_job_schedule(text[], text[]) IS
    'Records the schedules schedule_jobs gave pg_cron, for database_health_check';

-- The engine of schedule_jobs and unschedule_jobs. schedules[i] is the cron
-- schedule of the i-th job below, NULL to remove it; operation names the caller in
-- errors. Runs as its caller, which is always one of those two SECURITY DEFINER
-- functions: so pg_cron records the extension owner as the jobs' user, and the jobs
-- run as the owner, as run_job would anyway.
--
-- pg_cron's job names are 'mycelium.<database>.<job>' (the database's OID instead
-- of its name when the names would not fit pg_cron's 63 bytes): pg_cron keeps one
-- job per name and user in the whole cluster, so each database with Mycelium needs
-- names of its own.
CREATE OR REPLACE FUNCTION mycelium_internal.apply_job_schedule(operation text, schedules text[])
    RETURNS TABLE (job text, schedule text, cron_job_name text, cron_job_id bigint, removed integer)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    jobs constant text[] := ARRAY['sweep_overdue', 'sweep_due_soon', 'generate_recurring',
                                  'cleanup_activity_logs', 'archive_deliverables'];
    here constant text := current_database();
    runner constant text := current_user;
    cron_db text;
    names text[] := '{}';
    trimmed text[] := '{}';
    prefix text := 'mycelium.' || current_database() || '.';
    command text;
    remote text[] := '{}';
    calls text[] := '{}';
    gone text[] := '{}';
    dblink_schema name;
    conn text;
    socket text;
    message text;
    state text;
    why text;
BEGIN
    IF schedules IS NULL OR cardinality(schedules) IS DISTINCT FROM cardinality(jobs) THEN
        RAISE EXCEPTION '%: expected % schedules', operation, cardinality(jobs)
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    -- Checked before anything is scheduled, so that one bad schedule changes
    -- nothing. Five cron fields or one of cron's @ words; pg_cron has the last word
    -- on the values.
    IF octet_length(prefix) + (SELECT max(octet_length(j)) FROM unnest(jobs) AS j) > 63 THEN
        prefix := 'mycelium.' || (SELECT d.oid FROM pg_database d WHERE d.datname = here) || '.';
    END IF;
    FOR i IN 1 .. cardinality(jobs) LOOP
        trimmed := trimmed || btrim(schedules[i]);
        IF schedules[i] IS NOT NULL
           AND trimmed[i] !~ '^([0-9A-Za-z*,/-]+([ \t]+[0-9A-Za-z*,/-]+){4}|@(yearly|annually|monthly|weekly|daily|hourly|reboot))$' THEN
            RAISE EXCEPTION '%: % is not a cron schedule for %', operation, quote_literal(schedules[i]), jobs[i]
                USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium',
                      HINT = 'Five fields, minute hour day-of-month month day-of-week, in UTC, such as '
                             '''*/15 * * * *''; or NULL to leave the job unscheduled.';
        END IF;
        names := names || (prefix || jobs[i]);
    END LOOP;

    -- pg_cron defines cron.database_name as a server setting when it is loaded; a
    -- placeholder left in postgresql.conf without the library is a user setting.
    IF NOT EXISTS (SELECT FROM pg_settings s WHERE s.name = 'cron.database_name' AND s.context = 'postmaster') THEN
        RAISE EXCEPTION '%: pg_cron is not loaded', operation
            USING ERRCODE = 'object_not_in_prerequisite_state', SCHEMA = 'mycelium',
                  DETAIL = 'pg_cron must be in shared_preload_libraries.',
                  HINT = 'Install pg_cron (Debian: postgresql-15-cron), set shared_preload_libraries = ''pg_cron'' '
                         'and cron.database_name in postgresql.conf, restart the server, run CREATE EXTENSION '
                         'pg_cron in that database, and call this function again.';
    END IF;
    cron_db := coalesce(nullif(current_setting('cron.database_name', true), ''), 'postgres');

    -- pg_cron is here: schedule directly, in this transaction.
    IF cron_db = here THEN
        IF NOT EXISTS (SELECT FROM pg_extension e WHERE e.extname = 'pg_cron') THEN
            RAISE EXCEPTION '%: pg_cron is loaded but not installed in database %', operation, quote_ident(here)
                USING ERRCODE = 'object_not_in_prerequisite_state', SCHEMA = 'mycelium',
                      HINT = 'Run CREATE EXTENSION pg_cron; in this database as a superuser, and call this '
                             'function again.';
        END IF;
        FOR i IN 1 .. cardinality(jobs) LOOP
            IF schedules[i] IS NULL THEN
                RETURN QUERY SELECT jobs[i], NULL::text, names[i], NULL::bigint,
                                    count(cron.unschedule(c.jobid))::integer
                               FROM cron.job c WHERE c.jobname = names[i];
            ELSE
                BEGIN
                    RETURN QUERY SELECT jobs[i], trimmed[i], names[i],
                                        cron.schedule(names[i], trimmed[i],
                                                      format('SELECT mycelium.run_job(%L)', jobs[i])),
                                        0;
                EXCEPTION WHEN OTHERS THEN
                    -- pg_cron's own message does not say which job.
                    GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
                    RAISE EXCEPTION '%: pg_cron refuses the schedule of %: %', operation, jobs[i], message
                        USING ERRCODE = state, SCHEMA = 'mycelium';
                END;
            END IF;
        END LOOP;
        PERFORM mycelium_internal.remember_job_schedule(jobs, trimmed);
        RETURN;
    END IF;

    -- pg_cron is in another database: the same calls there, through
    -- cron.schedule_in_database, as one remote statement: all of it or nothing, but
    -- committed there at once, whatever becomes of this transaction.
    FOR i IN 1 .. cardinality(jobs) LOOP
        IF schedules[i] IS NULL THEN
            gone := gone || quote_literal(names[i]);
            remote := remote || format('SELECT %L::text, NULL::bigint, (SELECT count(cron.unschedule(c.jobid)) '
                                       'FROM cron.job c WHERE c.jobname = %L)::integer', jobs[i], names[i]);
        ELSE
            command := format('SELECT mycelium.run_job(%L)', jobs[i]);
            calls := calls || format('SELECT cron.schedule_in_database(%L, %L, %L, %L, %L);',
                                     names[i], trimmed[i], command, here, runner);
            remote := remote || format('SELECT %L::text, cron.schedule_in_database(%L, %L, %L, %L, %L), 0',
                                       jobs[i], names[i], trimmed[i], command, here, runner);
        END IF;
    END LOOP;
    calls := 'CREATE EXTENSION IF NOT EXISTS pg_cron;'::text || calls;
    IF cardinality(gone) > 0 THEN
        calls := calls || format('SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname IN (%s);',
                                 array_to_string(gone, ', '));
    END IF;

    SELECT n.nspname INTO dblink_schema
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'dblink';
    IF dblink_schema IS NULL THEN
        RAISE EXCEPTION '%: pg_cron is in database %, not in %', operation, quote_ident(cron_db), quote_ident(here)
            USING ERRCODE = 'object_not_in_prerequisite_state', SCHEMA = 'mycelium',
                  DETAIL = 'Without the dblink extension in this database, Mycelium cannot reach it.',
                  HINT = format(E'Run these in database %s as a superuser:\n%s\nOr run CREATE EXTENSION dblink; '
                                'in this database and call this function again.',
                                quote_ident(cron_db), array_to_string(calls, E'\n'));
    END IF;

    -- The extension owner (a superuser, so dblink asks it for no password) over the
    -- local socket, where Debian's pg_hba.conf lets the postgres OS user in as its
    -- namesake role (peer); without a socket, the host pg_cron itself uses. Values
    -- are quoted for libpq: in single quotes, with \ before ' and \.
    socket := nullif(btrim(split_part(current_setting('unix_socket_directories'), ',', 1)), '');
    SELECT string_agg(format('%s=''%s''', k, regexp_replace(v, '([\\''])', '\\\1', 'g')), ' ') INTO conn
      FROM (VALUES ('dbname', cron_db), ('user', runner),
                   ('host', coalesce(socket, current_setting('cron.host', true), 'localhost')),
                   ('port', current_setting('port'))) AS p(k, v);
    BEGIN
        RETURN QUERY EXECUTE format(
            'SELECT r.job, s.schedule, s.name, r.id, r.removed '
            '  FROM %I.dblink($1, $2) AS r(job text, id bigint, removed integer) '
            '  JOIN unnest($3, $4, $5) AS s(job, schedule, name) ON s.job = r.job '
            ' ORDER BY array_position($3, r.job)', dblink_schema)
            USING conn, array_to_string(remote, ' UNION ALL '), jobs, trimmed, names;
        PERFORM mycelium_internal.remember_job_schedule(jobs, trimmed);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, state = RETURNED_SQLSTATE, why = PG_EXCEPTION_DETAIL;
        -- dblink raises connection failures as class 08 and passes on the SQLSTATE
        -- of an error in the cron database (no pg_cron there, pg_cron refusing a
        -- schedule): the first gets the calls to run by hand, the others keep
        -- their SQLSTATE.
        IF state LIKE '08%' THEN
            RAISE EXCEPTION '%: could not connect to database % through dblink', operation, quote_ident(cron_db)
                USING ERRCODE = 'object_not_in_prerequisite_state', SCHEMA = 'mycelium',
                      DETAIL = rtrim(concat_ws(': ', message, nullif(why, '')), E'\n'),
                      HINT = format(E'Run these in database %s as a superuser:\n%s',
                                    quote_ident(cron_db), array_to_string(calls, E'\n'));
        END IF;
        IF state IN ('3F000', '42883', '42P01') THEN  -- no schema cron, its functions or cron.job
            RAISE EXCEPTION '%: pg_cron is not installed in database %', operation, quote_ident(cron_db)
                USING ERRCODE = 'object_not_in_prerequisite_state', SCHEMA = 'mycelium',
                      DETAIL = message,
                      HINT = format('Run CREATE EXTENSION pg_cron; in database %s as a superuser, and call this '
                                    'function again.', quote_ident(cron_db));
        END IF;
        RAISE EXCEPTION '%: pg_cron in database % refuses: %', operation, quote_ident(cron_db), message
            USING ERRCODE = state, SCHEMA = 'mycelium';
    END;
END;
$$;
COMMENT ON FUNCTION mycelium_internal.apply_job_schedule(text, text[]) IS
    'The engine of schedule_jobs and unschedule_jobs: sets or removes the pg_cron jobs wherever pg_cron is';

-- Registers the jobs with pg_cron, at the given times (UTC, pg_cron's clock); a
-- NULL schedule removes that job. Every call sets all five, so calling it again
-- with other times moves them (pg_cron updates a job of the same name).
-- Generation runs hourly, not on the 1st: each organization's month begins at
-- midnight in its own time zone (at 02:00 UTC on the 1st it is still the last day
-- of the month in New York), and a run adds only what is missing.
CREATE OR REPLACE FUNCTION mycelium.schedule_jobs(
    sweep_overdue         text DEFAULT '*/15 * * * *',
    sweep_due_soon        text DEFAULT '0 * * * *',
    generate_recurring    text DEFAULT '10 * * * *',
    cleanup_activity_logs text DEFAULT '30 3 * * *',
    archive_deliverables  text DEFAULT '45 3 * * 0'
) RETURNS TABLE (job text, schedule text, cron_job_name text, cron_job_id bigint)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mycelium.require_writable('schedule_jobs');
    RETURN QUERY
        SELECT a.job, a.schedule, a.cron_job_name, a.cron_job_id
          FROM mycelium_internal.apply_job_schedule('schedule_jobs',
                   ARRAY[schedule_jobs.sweep_overdue, schedule_jobs.sweep_due_soon, schedule_jobs.generate_recurring,
                         schedule_jobs.cleanup_activity_logs, schedule_jobs.archive_deliverables]) AS a;
    -- pg_cron accepts schedules while its scheduler is gone; nothing would run.
    IF mycelium_internal.cron_scheduler_state() = 'stopped' THEN
        RAISE WARNING 'schedule_jobs: pg_cron''s scheduler is not running: the jobs will not run until the server restarts'
            USING DETAIL = 'pg_cron''s scheduler stops for good when it is terminated or its database '
                           '(cron.database_name) is dropped.',
                  HINT = 'Restart the PostgreSQL server. mycelium.database_health_check() reports the scheduler '
                         'and the runs that were missed.';
    END IF;
END;
$$;
COMMENT ON FUNCTION mycelium.schedule_jobs(text, text, text, text, text) IS
    'Schedules the Mycelium jobs with pg_cron (UTC cron schedules; NULL removes a job)';

-- Removes every Mycelium job of this database from pg_cron; returns how many.
CREATE OR REPLACE FUNCTION mycelium.unschedule_jobs() RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mycelium.require_writable('unschedule_jobs');
    RETURN (SELECT coalesce(sum(a.removed), 0)::integer
              FROM mycelium_internal.apply_job_schedule('unschedule_jobs', ARRAY[NULL, NULL, NULL, NULL, NULL]::text[]) AS a);
END;
$$;
COMMENT ON FUNCTION mycelium.unschedule_jobs() IS
    'Removes the Mycelium jobs of this database from pg_cron; returns how many were removed';

-- ------ Health ------
-- pg_cron's scheduler is one background worker for the whole cluster. It stops for
-- good, until the server restarts, when it is terminated or its database is
-- dropped (then pg_cron runs nothing, and says nothing): 'stopped'. 'not loaded':
-- pg_cron is not in shared_preload_libraries.
CREATE OR REPLACE FUNCTION mycelium_internal.cron_scheduler_state() RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN NOT EXISTS (SELECT FROM pg_catalog.pg_settings s
                          WHERE s.name = 'cron.database_name' AND s.context = 'postmaster') THEN 'not loaded'
        WHEN EXISTS (SELECT FROM pg_catalog.pg_stat_activity a WHERE a.backend_type = 'pg_cron launcher')
            THEN 'running'
        ELSE 'stopped'
    END;
$$;
REVOKE ALL ON FUNCTION mycelium_internal.cron_scheduler_state() FROM PUBLIC;
COMMENT ON FUNCTION mycelium_internal.cron_scheduler_state() IS
    'Whether pg_cron''s scheduler runs: running, stopped (until a restart) or not loaded';

-- The scheduled jobs whose last due time (by the schedule schedule_jobs gave, in
-- UTC) is more than `grace` ago and that have no run started since: pg_cron did
-- not start them, or a run is still going that long after. The due time is looked
-- for in ever wider windows back from now, so that an every-minute schedule is
-- not expanded over a year (expand_recurrence refuses more than 10,000
-- occurrences in one call).
CREATE OR REPLACE FUNCTION mycelium_internal.missed_job_runs(grace interval)
    RETURNS TABLE (job text, schedule text, due_at timestamptz, last_started_at timestamptz)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    j record;
    rule text;
    latest timestamptz;
    span interval;
    newest constant timestamptz := now() - grace;
BEGIN
    FOR j IN SELECT k.name, k.schedule, k.scheduled_at FROM mycelium_internal.jobs k
              WHERE k.schedule IS NOT NULL ORDER BY k.name LOOP
        -- pg_cron's @ words, as five fields; @reboot has no time to miss.
        rule := CASE j.schedule
                    WHEN '@yearly' THEN '0 0 1 1 *' WHEN '@annually' THEN '0 0 1 1 *'
                    WHEN '@monthly' THEN '0 0 1 * *' WHEN '@weekly' THEN '0 0 * * 0'
                    WHEN '@daily' THEN '0 0 * * *' WHEN '@hourly' THEN '0 * * * *'
                    WHEN '@reboot' THEN NULL
                    ELSE j.schedule
                END;
        CONTINUE WHEN rule IS NULL OR j.scheduled_at >= newest;
        latest := NULL;
        FOREACH span IN ARRAY ARRAY['1 hour', '1 day', '32 days', '366 days']::interval[] LOOP
            SELECT max(t) INTO latest
              FROM mycelium.expand_recurrence(rule, j.scheduled_at, greatest(j.scheduled_at, newest - span), newest,
                                              'UTC') AS t;
            EXIT WHEN latest IS NOT NULL OR newest - span <= j.scheduled_at;
        END LOOP;
        CONTINUE WHEN latest IS NULL;
        RETURN QUERY
            SELECT j.name, j.schedule, latest, r.started_at
              FROM (SELECT max(x.started_at) AS started_at FROM mycelium.job_runs x
                     WHERE x.job = j.name AND x.run_id IS NULL) r
             WHERE r.started_at IS NULL OR r.started_at < latest;
    END LOOP;
END;
$$;
REVOKE ALL ON FUNCTION mycelium_internal.missed_job_runs(interval) FROM PUBLIC;
COMMENT ON FUNCTION mycelium_internal.missed_job_runs(interval) IS
    'Scheduled jobs with no run started since their last due time, when that is more than grace ago';

-- Counts, the ten largest Mycelium tables (with their indexes and TOAST) in MB,
-- and the jobs: whether pg_cron's scheduler runs, and the runs that should have
-- happened and did not (none started within half an hour of the time due).
CREATE OR REPLACE FUNCTION mycelium.database_health_check() RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object(
        'timestamp', now(),
        'extension_version', (SELECT extversion FROM pg_extension WHERE extname = 'mycelium'),
        'total_organizations', (SELECT count(*) FROM mycelium.organizations),
        'total_users', (SELECT count(*) FROM mycelium.users WHERE status = 'ACTIVE'),
        'total_clients', (SELECT count(*) FROM mycelium.clients WHERE status = 'ACTIVE'),
        'total_deliverables', (SELECT count(*) FROM mycelium.deliverables),
        'table_sizes_mb', (
            SELECT coalesce(jsonb_object_agg(t.table_name, t.size_mb), '{}'::jsonb)
            FROM (SELECT c.oid::regclass::text AS table_name,
                         round(pg_total_relation_size(c.oid) / 1024.0 / 1024.0, 2) AS size_mb
                    FROM pg_class c
                   WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind = 'r'
                   ORDER BY pg_total_relation_size(c.oid) DESC, c.relname
                   LIMIT 10) t),
        'jobs', jsonb_build_object(
            'scheduler', mycelium_internal.cron_scheduler_state(),
            'scheduled', (SELECT coalesce(jsonb_object_agg(j.name, j.schedule ORDER BY j.name), '{}'::jsonb)
                            FROM mycelium_internal.jobs j WHERE j.schedule IS NOT NULL),
            'missed', (SELECT coalesce(jsonb_agg(to_jsonb(m) ORDER BY m.job), '[]'::jsonb)
                         FROM mycelium_internal.missed_job_runs(interval '30 minutes') AS m)));
$$;
