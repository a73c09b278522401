#!/usr/bin/env bash
# Forged outbox rows and pre-empted dedup keys (docs/security.md, classes 8 and 9),
# on the paths 20_outbox.sql cannot take from inside a transaction of pg_prove:
# COPY FROM STDIN as the application, and the sweeps run by mycelium.run_job
# without a tenant context, as the pg_cron jobs run them, after A's staff member
# tried to take the keys of the notices about their own late work.
set -uo pipefail
cd "$(dirname "$0")"
. ./tap.sh
plan 9

# COPY as A's staff member (user 2): the error, or "copied".
copy_as_staff() {   # copy_as_staff TABLE COLUMNS ROW
    as_app 2>&1 <<SQL | sed -n 's/^.*ERROR: *//p; s/^COPY [0-9]*$/copied/p'
BEGIN;
SELECT sec.act_as('a', 2) \g /dev/null
COPY mycelium.$1 ($2) FROM STDIN;
$3
\.
ROLLBACK;
SQL
}
ids=$(as_super -F ' ' -c "SELECT sec.id('a', 'organization'), sec.id('a', 'user', 3), sec.id('a', 'deliverable', 1),
                                  (SELECT n.id FROM mycelium.notifications n
                                   WHERE n.organization_id = sec.id('a', 'organization') LIMIT 1)")
read -r org custom late some_notification <<<"$ids"
tab=$'\t'

is "$(copy_as_staff notification_recipients \
        'organization_id, notification_id, user_id, channel, email_address, attempts, next_attempt_at' \
        "$org$tab$some_notification$tab$custom${tab}email${tab}ceo@victim.example${tab}0${tab}-infinity")" \
   'permission denied for table notification_recipients' \
   'COPY: recipient rows with an address, attempts and a queue position of the caller'"'"'s are refused'
is "$(copy_as_staff notifications 'organization_id, type, title, message, status, sent_at, retry_count' \
        "$org${tab}PROJECT_CREATED${tab}x${tab}x${tab}SENT${tab}2026-01-01${tab}0")" \
   'permission denied for table notifications' \
   'COPY: notifications with their delivery state set are refused'
is "$(copy_as_staff notifications 'organization_id, type, title, message, related_id, related_type, metadata' \
        "$org${tab}DELIVERABLE_OVERDUE${tab}x${tab}x${tab}$late${tab}deliverable${tab}{}")" \
   'COPY FROM not supported with row-level security' \
   'COPY: a notification of a type the database makes is refused (no COPY FROM under row-level security)'
is "$(as_super -c "SELECT count(*) FROM mycelium.notifications WHERE title = 'x'")" 0 \
   'COPY: nothing was written'

# The staff member tries to take the keys, then the sweeps run as run_job runs
# them: without a tenant context, for every organization. One transaction, rolled
# back, so that the fixture stays as it was.
out=$(as_super -F '|' <<'SQL'
BEGIN;
SET ROLE regress_sec_app;
SELECT sec.act_as('a', 1) \g /dev/null
UPDATE mycelium.deliverables SET due_date = now() - interval '1 hour' WHERE id = sec.id('a', 'deliverable', 1);
UPDATE mycelium.deliverables SET due_date = now() + interval '1 hour' WHERE id = sec.id('a', 'deliverable', 3);
SELECT sec.act_as('a', 2) \g /dev/null
SELECT 'overdue key', sec.sqlstate_of(format(
    $$INSERT INTO mycelium.notifications (organization_id, type, title, message, sender_id, related_id, related_type,
                                          metadata)
      SELECT d.organization_id, 'DELIVERABLE_OVERDUE', 'x', 'x', %L, d.id, 'deliverable',
             jsonb_build_object('due_date', to_char(d.due_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
      FROM mycelium.deliverables d WHERE d.id = %L$$, sec.id('a', 'user', 2), sec.id('a', 'deliverable', 1)));
SELECT 'due-soon key', sec.sqlstate_of(format(
    $$INSERT INTO mycelium.notifications (organization_id, type, title, message, sender_id, related_id, related_type,
                                          metadata)
      SELECT d.organization_id, 'DELIVERABLE_DUE_SOON', 'x', 'x', %L, d.id, 'deliverable',
             jsonb_build_object('due_date', to_char(d.due_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
      FROM mycelium.deliverables d WHERE d.id = %L$$, sec.id('a', 'user', 2), sec.id('a', 'deliverable', 3)));
RESET ROLE;
SET LOCAL mycelium.context = '';
SET LOCAL request.jwt.claims = '';
SELECT 'swept', mycelium.run_job('sweep_overdue'), mycelium.run_job('sweep_due_soon');
SELECT 'admin told', n.type, count(*)
FROM mycelium.notifications n
JOIN mycelium.notification_recipients r ON r.organization_id = n.organization_id AND r.notification_id = n.id
WHERE n.organization_id = sec.id('a', 'organization') AND n.sender_id IS NULL
  AND n.related_id IN (sec.id('a', 'deliverable', 1), sec.id('a', 'deliverable', 3))
  AND r.user_id = sec.id('a', 'user', 1) AND r.channel = 'email' AND r.email_address = 'admin-a@sec.example'
GROUP BY n.type ORDER BY n.type;
ROLLBACK;
SQL
)
line() { grep "^$1|" <<<"$out" | cut -d'|' -f2-; }
is "$(line 'overdue key')" 42501 'staff: the key of the overdue notice of their own late deliverable throws 42501'
is "$(line 'due-soon key')" 42501 'staff: the key of its due-soon notice throws 42501'
is "$(line swept)" '1|1' 'run_job: sweep_overdue marks one deliverable, sweep_due_soon notifies of one'
is "$(line 'admin told' | grep DELIVERABLE_OVERDUE)" 'DELIVERABLE_OVERDUE|1' \
   'run_job: the admin is told by e-mail that the deliverable is overdue'
is "$(line 'admin told' | grep DELIVERABLE_DUE_SOON)" 'DELIVERABLE_DUE_SOON|1' \
   'run_job: the admin is told by e-mail that the other is due soon'
finish
