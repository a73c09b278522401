#!/usr/bin/env bash
# mycelium-worker posts webhook deliveries over HTTPS to a receiver on loopback,
# which verifies each Standard Webhooks signature: 2xx is delivered, 500 and a
# timeout are retried on the database's schedule with the same webhook-id, 410
# fails for good; a worker killed in the middle of a batch loses its lease, each
# event is still delivered, and at most the one in flight arrives twice, under
# the same webhook-id.
set -uo pipefail
cd "$(dirname "$0")"
. ../security/tap.sh
. ./lib.sh

setup_database mycelium_worker_webhooks
# The claim signs with the integration's secret (mycelium_internal.integration_secret):
# a build without it cannot hand out a webhook delivery.
if [ "$(as_super -c "SELECT to_regprocedure('mycelium_internal.integration_secret(uuid, uuid, text)') IS NULL")" = t ]; then
    echo "1..0 # SKIP this build has no mycelium_internal.integration_secret, so no signed webhook delivery"
    exit 0
fi
plan 19
export RECEIVER_SLOW=2   # the /slow receiver answers after the worker's timeout (1 s)
start_receivers
worker_env
export MYCELIUM_WORKER_CHANNELS=webhook MYCELIUM_WORKER_LEASE=8

# One agency per receiver (an organization has one WEBHOOKS integration); the
# receiver gets each integration's signing secret, as its owner would.
for name in ok fail slow gone flaky slowish; do
    as_super -c "SELECT worker.webhook_org('$name', 'https://localhost:$https_port/$name')" >/dev/null
done
as_super -c "SELECT json_object_agg('/' || o.name, mycelium_internal.integration_secret(o.id, i.id, 'signing_secret'))
             FROM worker.orgs o JOIN mycelium.integrations i ON i.organization_id = o.id" >"$work/secrets.json"
is "$(received "len(json.load(open('$work/secrets.json')))")" 6 'every integration has a signing secret'
# The kill test's integration waits, disabled, for its turn.
as_super -c "UPDATE mycelium.integrations SET is_enabled = false
             WHERE organization_id = (SELECT id FROM worker.orgs WHERE name = 'slowish')"

# ------ Two events to each receiver ------
as_super -c "SELECT worker.assign(o, 'hook', 2) FROM unnest('{ok,fail,slow,gone,flaky}'::text[]) o" >/dev/null
"$WORKER" --once 2>"$work/run1.log"; rc=$?
is "$rc" 0 'a run that sends what is due exits 0'
is "$(received "sorted((m['path'], m['verified']) for m in r)")" \
   "[('/fail', True), ('/fail', True), ('/flaky', True), ('/flaky', True), ('/gone', True), ('/gone', True), ('/ok', True), ('/ok', True), ('/slow', True), ('/slow', True)]" \
   'each receiver got its two events, every signature verified with its integration'"'"'s secret'
is "$(received "all(m['content_type'] == 'application/json' and json.loads(m['body']) is not None and 'deliverable.created' in m['body'] for m in r)")" True \
   'each body is the event'"'"'s JSON'
is "$(as_super -c "SELECT bool_and(w.attempts = 1) FROM mycelium.webhook_deliveries w")/$(received "sorted(m['webhook_id'] for m in r) == sorted(set(m['webhook_id'] for m in r))")" \
   't/True' 'one attempt each, ten distinct webhook-ids'
ids_ok=$(as_super -c "SELECT string_agg('msg_' || w.id, ' ' ORDER BY w.id) FROM mycelium.webhook_deliveries w
                      WHERE w.organization_id = (SELECT id FROM worker.orgs WHERE name = 'ok')")
is "$(received "' '.join(sorted(m['webhook_id'] for m in r if m['path'] == '/ok'))")" "$ids_ok" \
   'the webhook-id is the delivery'"'"'s (msg_<id>)'
is "$(as_super -c "SELECT o, worker.webhooks(o) FROM unnest('{ok,fail,slow,gone,flaky}'::text[]) o" | tr '\n' ' ')" \
   'ok|delivered|1 delivered|1 fail|waiting|1 waiting|1 slow|waiting|1 waiting|1 gone|failed|1 failed|1 flaky|waiting|1 waiting|1 ' \
   'the database: 2xx delivered, 500 and the timeout wait for a retry, 410 failed for good'
is "$(as_super -c "SELECT string_agg(DISTINCT o.name || ': ' || left(w.last_error, 30), ' / ' ORDER BY o.name || ': ' || left(w.last_error, 30))
                   FROM mycelium.webhook_deliveries w JOIN worker.orgs o ON o.id = w.organization_id
                   WHERE w.last_error IS NOT NULL")" \
   'fail: HTTP 500: receiver broke / flaky: HTTP 500: first time fails / gone: HTTP 410: gone / slow: timed out: Operation timed out' \
   'each failure is recorded with its error text'
is "$(as_super -c "SELECT is_enabled FROM mycelium.integrations
                   WHERE organization_id = (SELECT id FROM worker.orgs WHERE name = 'gone')")" f \
   '410 Gone disabled the integration'
is "$(grep -c ' webhook delivery=.* webhook-id=msg_.* event=deliverable.created host=localhost:[0-9]* (.* ms) -> ' "$work/run1.log")" 10 \
   'one log line per delivery, with its webhook-id, event and host'

# ------ Retries: on the database's schedule, the same webhook-id ------
"$WORKER" --once 2>/dev/null
is "$(received "len(r)")" 10 'before the back-off ends nothing is sent again'
as_super -c "UPDATE mycelium.webhook_deliveries SET next_attempt_at = now() WHERE delivered_at IS NULL AND failed_at IS NULL
             AND organization_id IN (SELECT id FROM worker.orgs WHERE name IN ('flaky', 'fail'))"
"$WORKER" --once 2>/dev/null
is "$(as_super -c "SELECT o, worker.webhooks(o) FROM unnest('{flaky,fail}'::text[]) o" | tr '\n' ' ')" \
   'flaky|delivered|2 delivered|2 fail|waiting|2 waiting|2 ' 'its back-off over, each is tried again: flaky delivered, fail waits again'
is "$(received "sorted(n for n in __import__('collections').Counter(m['webhook_id'] for m in r if m['path'] == '/flaky').values())")" \
   '[2, 2]' 'the flaky receiver saw each event twice, under the same webhook-id'
is "$(received "all(m['verified'] for m in r)")" True 'every attempt'"'"'s signature verifies (its own timestamp)'

# ------ Killed in the middle of a batch ------
# Six events to a receiver that answers after 0.3 s, two to a batch; SIGKILL
# once three have arrived. The lease is 4 s.
as_super -c "UPDATE mycelium.integrations SET is_enabled = (organization_id = (SELECT id FROM worker.orgs WHERE name = 'slowish'))"
as_super -c "SELECT worker.assign('slowish', 'kill', 6)" >/dev/null
MYCELIUM_WORKER_LEASE=4 MYCELIUM_WORKER_BATCH_SIZE=2 "$WORKER" 2>"$work/killed.log" &
killed=$!
wait_for 20 "sum(m['path'] == '/slowish' for m in r) >= 3"; ok $? 'the worker posts the slow batch'
kill -9 $killed; wait $killed 2>/dev/null
sleep 4.2   # the lease runs out
MYCELIUM_WORKER_LEASE=4 "$WORKER" --once 2>"$work/after-kill.log"
is "$(as_super -c "SELECT worker.webhooks('slowish')" | sed -E 's/\|[0-9]+//g')" \
   'delivered delivered delivered delivered delivered delivered' 'after the lease, every event is delivered'
counts=$(received "sorted(__import__('collections').Counter(m['webhook_id'] for m in r if m['path'] == '/slowish').values())")
dups=$(received "sum(m['path'] == '/slowish' for m in r) - len({m['webhook_id'] for m in r if m['path'] == '/slowish'})")
is "$(received "len({m['webhook_id'] for m in r if m['path'] == '/slowish'})")/$([ "$dups" -le 1 ] && echo at-most-one)" \
   '6/at-most-one' "the receiver saw six webhook-ids, at most the one in flight twice (arrivals per id: $counts)"


# ------ A URL on the operator's own network ------
# By default the worker refuses to connect to a loopback, private or link-local
# address (a tenant's URL must not reach the operator's services): the delivery
# fails for good without a request, and nothing arrives.
as_super -c "SELECT worker.webhook_org('inside', 'https://localhost:$https_port/inside')" >/dev/null
as_super -c "UPDATE mycelium.integrations SET is_enabled = (organization_id = (SELECT id FROM worker.orgs WHERE name = 'inside'))"
as_super -c "SELECT worker.assign('inside', 'probe', 1)" >/dev/null
MYCELIUM_WORKER_ALLOW_PRIVATE_ADDRESSES=false "$WORKER" --once 2>"$work/inside.log"
is "$(as_super -c "SELECT worker.webhooks('inside')" | sed -E 's/\|[0-9]+//g')/$(received "sum(m['path'] == '/inside' for m in r)")" \
   'failed/0' 'a webhook to a loopback address fails for good, and no request is made'
is "$(as_super -c "SELECT w.last_error FROM mycelium.webhook_deliveries w
                   WHERE w.organization_id = (SELECT id FROM worker.orgs WHERE name = 'inside')")" \
   "refused: the URL's host is a loopback, private or link-local address" 'its error says why'

finish
