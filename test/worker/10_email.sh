#!/usr/bin/env bash
# mycelium-worker sends e-mail: over STARTTLS to a sink on loopback, with the
# organization's branding, one log line per delivery; a bounce fails for good, a
# busy server is retried on the database's schedule; a worker killed in the
# middle of a batch loses its lease and each message is still delivered, with at
# most the one in flight sent twice (same Message-ID); SIGTERM stops it cleanly.
set -uo pipefail
cd "$(dirname "$0")"
. ../security/tap.sh
. ./lib.sh
plan 27

setup_database mycelium_worker_email
start_receivers
worker_env
export MYCELIUM_WORKER_CHANNELS=email

# ------ Configuration errors: exit 2, a message that names the thing ------
out=$(MYCELIUM_WORKER_SMTP_HOST= "$WORKER" --once 2>&1); rc=$?
is "$rc" 2 'no SMTP host: exit status 2'
echo "$out" | grep -q 'configuration error: MYCELIUM_WORKER_SMTP_HOST'; ok $? 'no SMTP host: the message names MYCELIUM_WORKER_SMTP_HOST'
out=$(MYCELIUM_WORKER_BATCH_SIZE=0 "$WORKER" --once 2>&1); rc=$?
is "$rc/$(echo "$out" | grep -c 'MYCELIUM_WORKER_BATCH_SIZE must be a whole number between 1 and 10000')" 2/1 \
   'a batch size of 0: exit status 2, the message names the variable and its range'
out=$(MYCELIUM_WORKER_CONNINFO="${MYCELIUM_WORKER_CONNINFO/user=regress_worker password=regress_worker/user=regress_worker_nobody password=regress_worker_nobody}" \
      "$WORKER" --once 2>&1); rc=$?
is "$rc/$(echo "$out" | grep -c "grant_access('regress_worker_nobody', 'delivery')")" 2/1 \
   'a role without the delivery access: exit status 2, the message says how to grant it'
printf 'MYCELIUM_WORKER_BATCH_SIZE=12\nMYCELIUM_WORKER_SMTP_TLS=smoke-signals\n' >"$work/worker.conf"
out=$(MYCELIUM_WORKER_SMTP_TLS= MYCELIUM_WORKER_CONFIG=$work/worker.conf "$WORKER" --once 2>&1); rc=$?
is "$rc/$(echo "$out" | grep -c "MYCELIUM_WORKER_SMTP_TLS must be none, starttls or tls, not ''")" 2/1 \
   'the environment wins over the configuration file (an empty SMTP_TLS is refused, not the file'"'"'s)'

# ------ A batch: five e-mails of two agencies, a bounce, a busy mailbox ------
as_super -c "SELECT worker.assign('branded', 'ok', 3), worker.assign('plain', 'ok', 2),
                    worker.assign('plain', 'bounce', 1), worker.assign('plain', 'busy', 1)" >/dev/null
"$WORKER" --once 2>"$work/run1.log"; rc=$?
is "$rc" 0 'a run that sends what is due exits 0'
is "$(received "sorted(m['rcpt'][0] for m in r if m['kind'] == 'smtp')")" \
   "['ok1@branded.test', 'ok1@plain.test', 'ok2@branded.test', 'ok2@plain.test', 'ok3@branded.test']" \
   'the sink received each e-mail once (not the bounced or busy ones)'
is "$(received "all(m['tls'] and m['from'] == '<notify@mycelium.test>' for m in r)")" True \
   'every message went over STARTTLS (the CA file of the test), from the configured sender'
is "$(as_super -c "SELECT string_agg(x, ' ') FROM (SELECT worker.emails('ok') UNION ALL SELECT worker.emails('b')) e(x)")" \
   'ok1@branded.test|delivered|1 ok1@plain.test|delivered|1 ok2@branded.test|delivered|1 ok2@plain.test|delivered|1 ok3@branded.test|delivered|1 bounce1@plain.test|failed|1 busy1@plain.test|waiting|1' \
   'the database: delivered, the bounce failed for good, the busy mailbox waits for its retry'
is "$(as_super -c "SELECT last_error FROM mycelium.notification_recipients WHERE email_address = 'bounce1@plain.test'")" \
   'SMTP 550: RCPT failed: 550' 'the bounce'"'"'s error is the server'"'"'s reply to RCPT TO'
is "$(as_super -c "SELECT last_error LIKE 'SMTP 451%' AND next_attempt_at BETWEEN now() + interval '50 seconds' AND now() + interval '70 seconds'
                   FROM mycelium.notification_recipients WHERE email_address = 'busy1@plain.test'")" t \
   'a 451 is retried a minute later (the database'"'"'s back-off)'
is "$(grep -c ' email delivery=' "$work/run1.log")" 7 'one log line per delivery'
grep -q "email delivery=[0-9a-f-]* organization=[0-9a-f-]* attempt=1 to=bounce1@plain.test (.* ms) -> failed: SMTP 550" "$work/run1.log"
ok $? 'a log line names the delivery, organization, attempt, address and outcome'

# The message: subject, names, branding, a Message-ID stable over retries.
id=$(as_super -c "SELECT id FROM mycelium.notification_recipients WHERE email_address = 'ok1@branded.test'")
branded=$(received "[m for m in r if m['rcpt'] == ['ok1@branded.test']][0]")
is "$(received "[(m['subject'], m['to'], m['from_header'], m['message_id']) for m in r if m['rcpt'] == ['ok1@branded.test']][0]")" \
   "('Deliverable assigned to you', 'Ünïcode ok 1 <ok1@branded.test>', 'Mycelium notices <notify@mycelium.test>', '<$id@mycelium.test>')" \
   'subject, recipient name (RFC 2047), sender and a Message-ID made of the delivery id'
echo "$branded" | grep -q "brand-header.*Branded &amp; Co.*Poster for ok1@branded.test.*The Branded team.*brand-footer"
ok $? 'the HTML part wraps the message in the organization'"'"'s header, signature and footer'
is "$(received "[m['text'].endswith('-- \nThe Branded team\n') for m in r if m['rcpt'] == ['ok1@branded.test']][0]")" True \
   'the text part ends with the signature'
is "$(received "[('brand-header' in m['html'], m['text'].count('-- ')) for m in r if m['rcpt'] == ['ok1@plain.test']][0]")" \
   '(False, 0)' 'an organization without branding gets none'

# ------ The retry schedule is the database's ------
"$WORKER" --once 2>/dev/null
is "$(received "len(r)")" 5 'before its back-off ends, the busy delivery is not claimed again'
as_super -c "UPDATE mycelium.notification_recipients SET next_attempt_at = now() WHERE email_address = 'busy1@plain.test'"
"$WORKER" --once 2>/dev/null
is "$(as_super -c "SELECT attempts, next_attempt_at BETWEEN now() + interval '230 seconds' AND now() + interval '250 seconds'
                   FROM mycelium.notification_recipients WHERE email_address = 'busy1@plain.test'")" '2|t' \
   'its back-off over, it is tried again, and then waits 4 minutes'

# ------ Killed in the middle of a batch ------
# Six slow messages (the sink answers DATA after 0.4 s), two to a batch; the
# worker is killed (SIGKILL) once three have arrived, most likely while the sink
# holds the third: sent, never reported.
as_super -c "SELECT worker.assign('branded', 'slow', 6)" >/dev/null
MYCELIUM_WORKER_BATCH_SIZE=2 "$WORKER" 2>"$work/killed.log" &
killed=$!
wait_for 20 "sum('slow' in m['rcpt'][0] for m in r) >= 3"; ok $? 'the worker sends the slow batch'
kill -9 $killed; wait $killed 2>/dev/null
before=$(received "sum('slow' in m['rcpt'][0] for m in r)")
is "$(as_super -c "SELECT count(*) FILTER (WHERE delivered_at IS NULL AND next_attempt_at > now()) > 0
                   FROM mycelium.notification_recipients WHERE email_address LIKE 'slow%'")" t \
   'killed: some deliveries stay leased to the dead worker'
sleep 4.2   # the lease (4 s) runs out
"$WORKER" --once 2>"$work/after-kill.log"; rc=$?
is "$rc" 0 'a second worker, after the lease ran out, sends the rest and exits 0'
is "$(as_super -c "SELECT string_agg(x, ' ') FROM worker.emails('slow') e(x)" | sed -E 's/\|[0-9]+( |$)/\1/g')" \
   'slow1@branded.test|delivered slow2@branded.test|delivered slow3@branded.test|delivered slow4@branded.test|delivered slow5@branded.test|delivered slow6@branded.test|delivered' \
   'every message of the batch is delivered'
is "$(received "(len({m['message_id'] for m in r if 'slow' in m['rcpt'][0]}), sorted({m['rcpt'][0] for m in r if 'slow' in m['rcpt'][0]}) == ['slow%d@branded.test' % i for i in range(1, 7)])")" \
   '(6, True)' 'each of the six arrived, each under one Message-ID'
dups=$(received "sum('slow' in m['rcpt'][0] for m in r) - 6")
[ "$dups" -le 1 ]; ok $? "at most the message in flight arrived twice (duplicates: $dups; arrived before the kill: $before)"

# ------ SIGTERM: the send in flight finishes and is reported, then exit 0 ------
as_super -c "SELECT worker.assign('plain', 'slowterm', 4)" >/dev/null
"$WORKER" 2>"$work/term.log" &
term=$!
wait_for 20 "sum('slowterm' in m['rcpt'][0] for m in r) >= 1"
kill -TERM $term; wait $term; rc=$?
is "$rc/$(tail -1 "$work/term.log" | sed 's/^.*mycelium-worker: //')" '0/stopped by a signal' 'SIGTERM: the worker exits 0 and says why'
is "$(as_super -c "SELECT count(*) FROM mycelium.notification_recipients WHERE email_address LIKE 'slowterm%' AND delivered_at IS NOT NULL")" \
   "$(received "sum('slowterm' in m['rcpt'][0] for m in r)")" \
   'SIGTERM: what it sent, it reported (delivered in the database = arrived at the sink)'

finish
