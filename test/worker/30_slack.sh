#!/usr/bin/env bash
# mycelium-worker posts Slack deliveries to the organization's incoming-webhook
# URL (a secret the claim hands out) over HTTPS: a Slack payload, delivered on
# 200; a revoked hook (410) fails for good; a 500 is retried; the URL, a
# credential, is never logged.
set -uo pipefail
cd "$(dirname "$0")"
. ../security/tap.sh
. ./lib.sh

setup_database mycelium_worker_slack
if [ "$(as_super -c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'mycelium.delivery'::regclass
                     AND attname = 'slack_webhook_url' AND NOT attisdropped")" = 0 ]; then
    echo "1..0 # SKIP this build's claim_deliveries hands out no slack_webhook_url"
    exit 0
fi
plan 7
start_receivers
worker_env
export MYCELIUM_WORKER_CHANNELS=slack

as_super -c "SELECT worker.slack_org('slacky', 'https://localhost:$https_port/slack/T000/B000/XXXX'),
                    worker.slack_org('revoked', 'https://localhost:$https_port/gone/T000/B000/YYYY'),
                    worker.slack_org('broken', 'https://localhost:$https_port/fail/T000/B000/ZZZZ')" >/dev/null
as_super -c "SELECT worker.assign(o, 'chat', 2) FROM unnest('{slacky,revoked,broken}'::text[]) o" >/dev/null
"$WORKER" --once 2>"$work/slack.log"; rc=$?
is "$rc" 0 'a run that sends what is due exits 0'
is "$(received "sorted(m['path'].split('/')[1] for m in r)")" \
   "['fail', 'fail', 'gone', 'gone', 'slack', 'slack']" 'each organization'"'"'s hook got its two messages'
is "$(received "all(set(json.loads(m['body'])) == {'text'} and json.loads(m['body'])['text'].startswith('*') for m in r)")" True \
   'each body is a Slack payload: {"text": "*title*\n…"}'
is "$(as_super -c "SELECT o, worker.slacks(o) FROM unnest('{slacky,revoked,broken}'::text[]) o" | tr '\n' ' ')" \
   'slacky|delivered|1 delivered|1 revoked|failed|1 failed|1 broken|waiting|1 waiting|1 ' \
   'the database: 200 delivered, 410 failed for good, 500 waits for a retry'
is "$(grep -c ' slack delivery=.* attempt=1 (.* ms) -> ' "$work/slack.log")" 6 'one log line per delivery'
grep -q 'T000/B000' "$work/slack.log"; is "$?" 1 'no log line shows a Slack URL (it is a credential)'
# A Slack delivery whose organization disconnected Slack since it was queued
# fails for good with a reason, rather than waiting for ever.
as_super -c "UPDATE mycelium.notification_recipients SET next_attempt_at = now()
             WHERE channel = 'slack' AND failed_at IS NULL AND delivered_at IS NULL" >/dev/null
as_super -c "UPDATE mycelium.integrations SET is_connected = false
             WHERE organization_id = (SELECT id FROM worker.orgs WHERE name = 'broken')" >/dev/null
"$WORKER" --once 2>>"$work/slack.log"
is "$(as_super -c "SELECT string_agg(DISTINCT coalesce(last_error, 'none'), ', ') FROM mycelium.notification_recipients
                   WHERE channel = 'slack' AND organization_id = (SELECT id FROM worker.orgs WHERE name = 'broken')")" \
   'the organization has no connected Slack integration' \
   'a delivery of an organization that disconnected Slack fails with the reason'
finish
