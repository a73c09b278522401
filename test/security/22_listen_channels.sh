#!/usr/bin/env bash
# Real-time notifications (docs/notifications.md, "Real-time"): the ADMINs of A
# and B each LISTEN on the channel mycelium.notification_channel() names for them,
# as the application role; an announcement reaches both organizations' ADMINs in
# one statement, and a rolled-back one none. Each listener hears its own
# recipient rows, with ids only, and nothing of the other's.
set -uo pipefail
cd "$(dirname "$0")"
. ./tap.sh
plan 7
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

listen_as() {   # listen_as ORG: LISTEN for 6 seconds as the org's ADMIN, print what arrives
    as_app <<SQL
BEGIN;
SELECT sec.act_as('$1', 1) \g /dev/null
SELECT mycelium.notification_channel() AS channel \gset
COMMIT;
\echo channel :channel
LISTEN :"channel";
SELECT pg_sleep(6) \g /dev/null
SELECT 1 \g /dev/null
SQL
}
listen_as a > "$work/a" 2>&1 &
pid_a=$!
listen_as b > "$work/b" 2>&1 &
pid_b=$!
sleep 2
as_super -c "BEGIN; SELECT mycelium.announce_maintenance('Rolled back', 'never heard', now() + interval '1 day'); ROLLBACK;" >/dev/null
as_super -c "SELECT mycelium.announce_maintenance('Heard', 'by each ADMIN', now() + interval '1 day')" >/dev/null
wait $pid_a $pid_b

chan_a=$(sed -n 's/^channel //p' "$work/a")
chan_b=$(sed -n 's/^channel //p' "$work/b")
[[ "$chan_a" =~ ^mycelium_[0-9a-f]{48}$ && "$chan_b" =~ ^mycelium_[0-9a-f]{48}$ && "$chan_a" != "$chan_b" ]]
ok $? 'each ADMIN has a channel of its own, of the documented form'

# "Asynchronous notification "<channel>" with payload "<json>" received ..."
payloads() { sed -n 's/^Asynchronous notification "\([^"]*\)" with payload "\(.*\)" received.*$/\1 \2/p' "$1"; }
is "$(payloads "$work/a" | wc -l)" 1 "A's ADMIN hears one notification (the committed announcement's)"
is "$(payloads "$work/b" | wc -l)" 1 "B's ADMIN hears one notification"
is "$(payloads "$work/a" | cut -d' ' -f1)" "$chan_a" "A's notification came on A's channel"

# The payloads name ids only, and each is a recipient row of the listener's own.
check() {   # check ORG FILE: the recipient row's organization and user are the listener's
    local payload
    payload=$(payloads "$2" | cut -d' ' -f2-)
    as_super -c "SELECT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys('$payload'::jsonb) k)::text,
                        r.organization_id = sec.id('$1', 'organization') AND r.user_id = sec.id('$1', 'user', 1)
                        AND n.title = 'Heard'
                   FROM mycelium.notification_recipients r
                   JOIN mycelium.notifications n ON n.organization_id = r.organization_id AND n.id = r.notification_id
                  WHERE r.id = ('$payload'::jsonb ->> 'recipient_id')::uuid
                    AND r.notification_id = ('$payload'::jsonb ->> 'notification_id')::uuid"
}
is "$(check a "$work/a")" '{notification_id,recipient_id}|t' "A's payload: ids only, of A's ADMIN's own row"
is "$(check b "$work/b")" '{notification_id,recipient_id}|t' "B's payload: ids only, of B's ADMIN's own row"
! grep -q 'by each ADMIN\|never heard' "$work/a" "$work/b"
ok $? 'no notification carries a title or message'
as_super -c "DELETE FROM mycelium.notifications WHERE title = 'Heard'" >/dev/null
finish
