#!/usr/bin/env bash
# Class 14, the queue of runs: runs of one job wait for each other, and what they
# wait on is a row lock on mycelium_internal.jobs that no application role can take. It
# used to be an advisory lock, which any role may take: an application holding
# that key stalled every run of the job for every organization.
set -uo pipefail
cd "$(dirname "$0")"
. ./tap.sh
plan 4

# The application role holds the old advisory key, and tries to lock the job's row.
PGAPPNAME=sec_queue_hold PGUSER=regress_sec_app PGPASSWORD=regress_sec_app psql -X -q -At -o /dev/null \
    -c "BEGIN; SELECT pg_advisory_xact_lock(hashtext('mycelium.run_job'), hashtext('sweep_overdue'));
        SELECT pg_sleep(60)" 2>/dev/null &
holder=$!
trap 'as_super -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = '"'sec_queue_hold'"'" >/dev/null; wait $holder 2>/dev/null' EXIT
for _ in $(seq 1 100); do
    [ "$(as_super -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sec_queue_hold' AND wait_event = 'PgSleep'")" = 1 ] && break
    sleep 0.1
done

out=$(timeout 20 psql -X -q -At -c "SET client_min_messages = error" -c "SELECT mycelium.run_job('sweep_overdue') IS NOT NULL")
ok $? 'a run of the overdue sweep is not held up by the application''s advisory locks'
is "$out" t 'and completes'
is "$(as_app -c "SELECT sec.sqlstate_of('SELECT FROM mycelium_internal.jobs FOR UPDATE')")" 42501 \
   'the application role cannot lock a job''s row'
is "$(as_app -c "SELECT sec.sqlstate_of('SELECT name FROM mycelium_internal.jobs')")" 42501 \
   'nor read the job list'
finish
