#!/usr/bin/env bash
# One tenant must never stop the other tenants' jobs (docs/security.md, classes 13
# and 14). Organization A is broken in the ways a tenant can break it: a recurring
# template that carries a custom field its ADMIN has since deleted, and rows of its
# own that one of its staff keeps locked in an open transaction (a deliverable, their
# own user row, their notification delivery). Each job then runs the way pg_cron runs
# it, mycelium.run_job(...) as a superuser, and B's work must be done, A's failure
# recorded in job_runs with its error, and no call may wait longer than the bound.
# Every psql call that could wait runs under timeout(1), so that a hang fails the
# test instead of blocking the suite. What the test adds it removes again.
set -uo pipefail
cd "$(dirname "$0")"
. ./tap.sh
plan 26

A=$(as_super -c "SELECT sec.id('a', 'organization')")
B=$(as_super -c "SELECT sec.id('b', 'organization')")
started=$(as_super -c "SELECT clock_timestamp()")

# ------ Row locks held by A's staff, in a session kept open in the background ------
holders=()
# hold NAME N SQL: as fixture user N of A, runs SQL in a transaction that stays
# open (sleeping) until release NAME; returns once SQL has run.
hold() {
    PGAPPNAME="sec_hold_$1" PGUSER=regress_sec_app PGPASSWORD=regress_sec_app \
        psql -X -q -At -o /dev/null -c "BEGIN; SELECT sec.act_as('a', $2); $3; SELECT pg_sleep(300)" \
        2>/dev/null &
    holders+=("$!")
    for _ in $(seq 1 100); do
        [ "$(as_super -c "SELECT count(*) FROM pg_stat_activity
                           WHERE application_name = 'sec_hold_$1' AND wait_event = 'PgSleep'")" = 1 ] && return 0
        sleep 0.1
    done
    echo "# hold $1: the lock holder never got its lock"
    return 1
}
# Cancels the holder's sleep: its transaction ends and its locks go.
release() {
    as_super -c "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity
                 WHERE application_name = 'sec_hold_$1' AND pid <> pg_backend_pid()" >/dev/null
}
cleanup() {
    for name in deliverable user archive delivery; do release "$name" 2>/dev/null; done
    for pid in "${holders[@]}"; do wait "$pid" 2>/dev/null; done
}
trap cleanup EXIT

# job SECONDS JOB [PGOPTIONS]: runs the job as pg_cron does; prints what run_job
# returned, or "hung" when it was still waiting after SECONDS.
job() {
    local out
    if out=$(PGOPTIONS="${3:-}" timeout "$1" psql -X -q -At -v ON_ERROR_STOP=1 \
                 -c "SET client_min_messages = error" -c "SELECT mycelium.run_job('$2')"); then
        echo "${out:-NULL}"
    else
        echo "hung"
    fi
}
# A's failure row of the latest run of JOB: its SQLSTATE and whether it has an error.
failure_of() {
    as_super -c "SELECT f.sqlstate || ' ' || (f.error IS NOT NULL)
                 FROM mycelium.job_runs r JOIN mycelium.job_runs f ON f.run_id = r.id
                 WHERE r.job = '$1' AND r.run_id IS NULL AND f.failed_organization_id = '$A'
                   AND r.id = (SELECT x.id FROM mycelium.job_runs x
                                WHERE x.job = '$1' AND x.run_id IS NULL ORDER BY x.id DESC LIMIT 1)" 2>&1
}
# This month's generated deliverables of organization ORG (in its own zone).
generated() {
    as_super -c "SELECT count(*) FROM mycelium.deliverables d
                 JOIN mycelium.organization_settings s ON s.organization_id = d.organization_id
                 WHERE d.organization_id = '$1'
                   AND d.recurrence_period = date_trunc('month', now() AT TIME ZONE s.timezone)::date"
}
status_of() {
    as_super -c "SELECT status FROM mycelium.deliverables WHERE title = '$1'"
}

# ------ 13: a template carrying a deleted custom field ------
# The field existed when the template was saved; deleting a field leaves the values
# that rows already carry, and every copy generation makes of the template is then
# refused by the custom-field check.
as_super >/dev/null <<SQL
INSERT INTO mycelium.deliverable_fields (organization_id, service_type_id, name, slug, type, sort_order)
VALUES ('$A', sec.id('a', 'service_type', 1), 'Retired', 'retired', 'TEXT', 9);
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id,
                                   start_date, due_date, is_recurring, recurrence_rule, custom_fields)
VALUES ('$A', sec.id('a', 'client', 1), sec.id('a', 'service_type', 1), 'Weekly with a retired field',
        sec.id('a', 'user', 1), date_trunc('month', now()) - interval '14 days',
        date_trunc('month', now()) - interval '12 days', true, 'FREQ=WEEKLY;BYDAY=MO',
        '{"retired": "still here"}');
DELETE FROM mycelium.deliverable_fields WHERE organization_id = '$A' AND slug = 'retired';
SQL
got=$(job 60 generate_recurring)
ok "$([ "$got" != hung ] && [ "$got" != NULL ] && [ "$got" -ge 1 ]; echo $?)" \
   "generation with A's broken template completes and reports what it generated (got $got)"
is "$(generated "$B")" 1 "B's recurring deliverable of this month was generated"
is "$(generated "$A")" 0 "nothing of A's half-done: A's run was rolled back as a whole"
is "$(failure_of generate_recurring)" "23514 true" \
   "A's failure is recorded in job_runs under the run, with its error and SQLSTATE"
is "$(as_super -c "SELECT error FROM mycelium.job_runs
                   WHERE job = 'generate_recurring' AND failed_organization_id = '$A' ORDER BY id DESC LIMIT 1")" \
   'deliverable custom_fields do not satisfy service type "Social Media"' \
   "the recorded error is the custom-field check's"
is "$(as_super -c "SELECT rows_affected IS NOT NULL AND error IS NULL FROM mycelium.job_runs
                   WHERE job = 'generate_recurring' AND run_id IS NULL ORDER BY id DESC LIMIT 1")" t \
   "the run itself is recorded as done, with what the other organizations got"

# Repaired, the next run catches A up.
as_super -c "DELETE FROM mycelium.deliverables WHERE title = 'Weekly with a retired field'" >/dev/null
got=$(job 60 generate_recurring)
ok "$([ "$(generated "$A")" -ge 1 ]; echo $?)" "once A's template is gone, the next run generates A's month"
as_super -c "DELETE FROM mycelium.deliverables WHERE recurrence_period IS NOT NULL
             AND organization_id IN ('$A', '$B')" >/dev/null

# ------ 14: a deliverable locked by one of A's staff, with the default bound ------
as_super >/dev/null <<SQL
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, status,
                                   assigned_user_id, created_by_id, due_date, custom_fields)
SELECT sec.id(o, 'organization'), sec.id(o, 'client', 1), sec.id(o, 'service_type', 1), 'Late ' || o, 'PENDING',
       sec.id(o, 'user', 2), sec.id(o, 'user', 1), now() - interval '1 day', '{}'
FROM unnest(ARRAY['a', 'b']) o;
SQL
hold deliverable 2 "SELECT 1 FROM mycelium.deliverables WHERE title = 'Late a' FOR UPDATE"
t0=$(date +%s)
got=$(job 60 sweep_overdue)
took=$(( $(date +%s) - t0 ))
ok "$([ "$got" != hung ] && [ "$took" -le 20 ]; echo $?)" \
   "the overdue sweep does not wait on A's locked deliverable beyond the bound (took ${took}s, got $got)"
is "$(status_of 'Late b')" OVERDUE "B's past-due deliverable was marked OVERDUE"
is "$(status_of 'Late a')" PENDING "A's locked deliverable was left for the next run"
is "$(failure_of sweep_overdue)" "55P03 true" "A's lock timeout is recorded in job_runs with its SQLSTATE"
release deliverable
got=$(job 60 sweep_overdue)
is "$(status_of 'Late a')" OVERDUE "the lock gone, the next sweep marks A's deliverable"

# ------ 14: a user row locked by its own user: generation's references wait ------
# Editor 2 is client 1's PRIMARY for the recurring service, so A's generated
# deliverable is assigned to them, and its foreign key waits for their row.
hold user 2 "SELECT 1 FROM mycelium.users WHERE id = sec.id('a', 'user', 2) FOR UPDATE"
t0=$(date +%s)
got=$(job 30 generate_recurring '-c lock_timeout=1s')
took=$(( $(date +%s) - t0 ))
ok "$([ "$got" != hung ] && [ "$took" -le 10 ]; echo $?)" \
   "generation does not wait on A's locked user row beyond lock_timeout (took ${took}s, got $got)"
is "$(generated "$B")" 1 "B's recurring deliverable was generated"
is "$(generated "$A")" 0 "A's generation waits for the next run"
is "$(failure_of generate_recurring)" "55P03 true" "A's lock timeout is recorded in job_runs"
release user
as_super -c "DELETE FROM mycelium.deliverables WHERE recurrence_period IS NOT NULL
             AND organization_id IN ('$A', '$B')" >/dev/null

# ------ 14: retention: a completed deliverable locked against the archive ------
as_super >/dev/null <<SQL
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, status,
                                   assigned_user_id, created_by_id, due_date, completed_at, custom_fields)
SELECT sec.id(o, 'organization'), sec.id(o, 'client', 2), sec.id(o, 'service_type', 2), 'Old ' || o, 'COMPLETED',
       sec.id(o, 'user', 3), sec.id(o, 'user', 1), now() - interval '8 months', now() - interval '7 months', '{}'
FROM unnest(ARRAY['a', 'b']) o;
SQL
hold archive 3 "SELECT 1 FROM mycelium.deliverables WHERE title = 'Old a' FOR UPDATE"
got=$(job 30 archive_deliverables '-c lock_timeout=1s')
ok "$([ "$got" != hung ] && [ "$got" != NULL ]; echo $?)" "the archive completes despite A's lock (got $got)"
is "$(status_of 'Old b')" ARCHIVED "B's old deliverable was archived"
is "$(status_of 'Old a')" COMPLETED "A's locked deliverable waits for the next run"
is "$(failure_of archive_deliverables)" "55P03 true" "A's lock timeout is recorded in job_runs"
release archive

# ------ 14: delivery: a recipient keeps their delivery row locked ------
# The worker serves every organization one report at a time: a report that waits
# for A's row without bound stops B's reports behind it.
as_super >/dev/null <<SQL
WITH n AS (
    INSERT INTO mycelium.notifications (organization_id, type, title, message, channels, related_type, related_id)
    SELECT sec.id(o, 'organization'), 'DELIVERABLE_ASSIGNED', 'Mail ' || o, 'Mail ' || o, ARRAY['email'],
           'deliverable', sec.id(o, 'deliverable', 1)
    FROM unnest(ARRAY['a', 'b']) o
    RETURNING organization_id, id
)
INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel, email_address)
SELECT n.organization_id, n.id, u.id, 'email', u.email
FROM n JOIN mycelium.users u ON u.organization_id = n.organization_id AND u.email LIKE 'editor-%';
SQL
claimed=$(PGUSER=regress_sec_delivery PGPASSWORD=regress_sec_delivery psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 -c "
    SELECT c.organization_id, c.recipient_id, c.attempt FROM mycelium.claim_deliveries('email', 100) c
    WHERE c.title LIKE 'Mail _' ORDER BY c.title")
read -r orgA ridA attA orgB ridB attB <<<"$(echo $claimed)"
is "$orgA/$orgB" "$A/$B" "the worker claimed A's and B's deliveries"
hold delivery 2 "SELECT 1 FROM mycelium.notification_recipients WHERE id = '$ridA' FOR UPDATE"
report() {   # report ORG RID ATTEMPT: the worker's report; its outcome, or the SQLSTATE it failed with
    PGUSER=regress_sec_delivery PGPASSWORD=regress_sec_delivery timeout 30 psql -X -q -At -v ON_ERROR_STOP=1 \
        -v VERBOSITY=verbose -c "SELECT mycelium.finish_delivery('$1', '$2', $3)" 2>&1 |
        sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p; /^[a-z]*$/p' | head -n 1
}
t0=$(date +%s)
gotA=$(report "$orgA" "$ridA" "$attA")
took=$(( $(date +%s) - t0 ))
ok "$([ "$took" -le 10 ]; echo $?)" "reporting A's locked delivery waits no longer than the bound (took ${took}s)"
is "$gotA" 55P03 "and fails with 55P03, so that the worker goes on and reports it again later"
# A batch that includes A's locked delivery waits as long, fails as a whole, and
# changes nothing: B's delivery in it stays undelivered (reported next).
gotAB=$(PGUSER=regress_sec_delivery PGPASSWORD=regress_sec_delivery timeout 30 psql -X -q -At -v ON_ERROR_STOP=1 \
        -v VERBOSITY=verbose -c "SELECT count(*) FROM mycelium.finish_deliveries('{$orgB,$orgA}', '{$ridB,$ridA}', '{$attB,$attA}')" 2>&1 |
        sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p; /^[0-9]*$/p' | head -n 1)
is "$gotAB" 55P03 "a batch report with A's locked delivery fails with 55P03 too"
is "$(report "$orgB" "$ridB" "$attB")" delivered "B's delivery is reported as delivered"
release delivery
for pid in "${holders[@]}"; do wait "$pid" 2>/dev/null; done
holders=()
is "$(report "$orgA" "$ridA" "$attA")" delivered "reported again once the lock is gone, A's is delivered"

# ------ Clean up ------
as_super >/dev/null <<SQL
DELETE FROM mycelium.notifications WHERE organization_id IN ('$A', '$B') AND created_at >= '$started';
DELETE FROM mycelium.deliverables WHERE title IN ('Late a', 'Late b', 'Old a', 'Old b')
   OR (recurrence_period IS NOT NULL AND organization_id IN ('$A', '$B'));
DELETE FROM mycelium.activity_logs WHERE organization_id IN ('$A', '$B') AND "timestamp" >= '$started';
DELETE FROM mycelium.job_runs WHERE started_at >= '$started';
SQL
finish
