#!/usr/bin/env bash
# Classes 2, 3 and 4: every way of setting a context checks what it grants.
#   2. mycelium.require_signed_context holds from a backend's first statement,
#      before the library is loaded, when the placeholder is still writable.
#   3. request.jwt.claims grants a context only to an active member of the
#      organization with that role (a portal user's client from its row), and
#      only when set for the transaction.
#   4. A sealed context copied into the session is refused in the next
#      transaction, also within one simple-query message.
# Each psql call is a new backend, so the library is not loaded before the
# first statement that needs it.
set -euo pipefail
cd "$(dirname "$0")"
. ./tap.sh
plan 22
super_user=$PGUSER
super_password=${PGPASSWORD:-}

id() { as_super -c "SELECT sec.id('$1', '$2', ${3:-1})"; }
org_a=$(id a organization)
admin_a=$(id a user 1); editor_a=$(id a user 2); gone_a=$(id a user 4)
client1_a=$(id a client 1); client2_a=$(id a client 2); portal1_a=$(id a client_user 1)
claims() {   # claims USER ROLE [CLIENT]
    local client=${3:+, \"client_id\": \"$3\"}
    echo "{\"organization_id\": \"$org_a\", \"sub\": \"$1\", \"app_role\": \"$2\"$client}"
}
# Runs statements as the application role in one transaction with the claims set
# for that transaction, and prints the last result.
with_claims() {   # with_claims CLAIMS SQL
    as_app -c "BEGIN" -c "SELECT set_config('request.jwt.claims', '$1', true)" -c "$2" -c "COMMIT" | tail -n 1
}

# --- 3. request.jwt.claims -------------------------------------------------
is "$(with_claims "$(claims "$admin_a" ADMIN)" 'SELECT count(*) FROM mycelium.deliverables')" 3 \
   'claims of an active ADMIN grant the ADMIN context (control)'
is "$(with_claims "$(claims 0190a5c4-0000-7000-8000-00000000dead ADMIN)" \
      'SELECT count(*) FROM mycelium.deliverables')" 0 'a made-up user gets nothing'
is "$(with_claims "$(claims "$gone_a" VIDEO_EDITOR)" 'SELECT coalesce(mycelium.current_app_user_id()::text, $$none$$)')" \
   none 'an INACTIVE user gets no context'
is "$(with_claims "$(claims "$editor_a" ADMIN)" 'SELECT coalesce(mycelium.current_app_role(), $$none$$)')" \
   none 'a VIDEO_EDITOR claiming ADMIN gets no context'
is "$(with_claims "$(claims "$editor_a" VIDEO_EDITOR)" 'SELECT mycelium.current_app_role()')" \
   VIDEO_EDITOR 'the same user with its own role does (control)'
# A portal user's claims hold under the portal role only, which a PostgREST-style
# server switches to (the token's "role"): under the application's role, which
# reads every column, they are no context.
portal='SET LOCAL ROLE mycelium_portal;'
is "$(with_claims "$(claims "$portal1_a" CLIENT "$client1_a")" "$portal SELECT mycelium.current_client_id()")" \
   "$client1_a" 'a portal user with its own client gets its context, as mycelium_portal (control)'
is "$(with_claims "$(claims "$portal1_a" CLIENT "$client1_a")" \
      'SELECT coalesce(mycelium.current_client_id()::text, $$none$$)')" none \
   'the same claims under the application role give no context'
is "$(with_claims "$(claims "$portal1_a" CLIENT "$client2_a")" \
      "$portal SELECT coalesce(mycelium.current_client_id()::text, \$\$none\$\$)")" none \
   'a portal user claiming another client gets no context'
is "$(with_claims "$(claims "$admin_a" CLIENT)" "$portal SELECT coalesce(mycelium.current_app_role(), \$\$none\$\$)")" \
   none 'a staff user claiming CLIENT gets no context'
# The role a context switches to ends with its transaction: a pooled connection's
# next request starts as the application's own role.
is "$(as_app -c 'BEGIN' -c "SELECT mycelium.set_context('$org_a', '$admin_a', 'ADMIN')" -c 'COMMIT' \
      -c 'SELECT current_user' | tail -n 1)" regress_sec_app \
   "after the transaction that set an ADMIN context, the connection is the application's role again"
# A role that is not a member of mycelium_portal (a reporting role) cannot act
# for a portal user, and is told why.
as_super -c "CREATE ROLE regress_sec_reader LOGIN PASSWORD 'regress_sec_reader'" \
         -c "SELECT mycelium.grant_access('regress_sec_reader', 'readonly')" >/dev/null
out=$(PGUSER=regress_sec_reader PGPASSWORD=regress_sec_reader psql -X -q -At \
      -c "SELECT mycelium.set_context('$org_a', '$portal1_a', 'CLIENT')" 2>&1 || true)
as_super -c "DROP OWNED BY regress_sec_reader" -c "DROP ROLE regress_sec_reader" >/dev/null
case "$out" in
    *'role "regress_sec_reader" may not act for portal users'*) ok 0 'a role outside mycelium_portal cannot set a portal context, and is told why' ;;
    *) ok 1 "a role outside mycelium_portal cannot set a portal context (got: $out)" ;;
esac
is "$(as_app -c "SET request.jwt.claims = '$(claims "$admin_a" ADMIN)'" \
      -c 'SELECT count(*) FROM mycelium.deliverables')" 0 'a session-level value grants nothing'
is "$(as_app -c 'BEGIN' -c "SET request.jwt.claims = '$(claims "$admin_a" ADMIN)'" \
      -c 'SELECT count(*) FROM mycelium.deliverables' -c 'COMMIT' | sed -n 1p)" 0 \
   'nor one set with SET (not SET LOCAL) inside a transaction'
is "$(as_app -c 'BEGIN' -c "SET LOCAL request.jwt.claims = '$(claims "$admin_a" ADMIN)'" \
      -c 'SELECT count(*) FROM mycelium.deliverables' -c 'COMMIT' | sed -n 1p)" 3 \
   'SET LOCAL is honoured (control)'
# Deactivation takes effect at the next transaction of the same session.
out=$(as_app -c 'BEGIN' -c "SELECT set_config('request.jwt.claims', '$(claims "$editor_a" VIDEO_EDITOR)', true)" \
        -c 'SELECT mycelium.current_app_role()' -c 'COMMIT' \
        -c "\\! PGUSER=$super_user PGPASSWORD=$super_password psql -X -q -At -c \"UPDATE mycelium.users SET status = 'INACTIVE' WHERE id = '$editor_a'\"" \
        -c 'BEGIN' -c "SELECT set_config('request.jwt.claims', '$(claims "$editor_a" VIDEO_EDITOR)', true)" \
        -c 'SELECT coalesce(mycelium.current_app_role(), $$none$$)' -c 'COMMIT')
as_super -c "UPDATE mycelium.users SET status = 'ACTIVE' WHERE id = '$editor_a'"
is "$(echo "$out" | grep -v '^$' | grep -v '^{' | tr '\n' ' ')" 'VIDEO_EDITOR none ' \
   'a user deactivated between two transactions of one session loses the context'

# --- 4. a seal copied into the session ---------------------------------------
is "$(as_app -c "SELECT sec.act_as('a', 1); SELECT count(*) FROM mycelium.deliverables;" | tail -n 1)" 3 \
   'set_context grants the context in its transaction (control)'
is "$(as_app -c "BEGIN; SELECT sec.act_as('a', 1);
                 SELECT set_config('mycelium.context', current_setting('mycelium.context'), false); COMMIT;
                 SELECT coalesce(mycelium.current_organization_id()::text, 'none');" | tail -n 1)" none \
   'a seal copied to the session is refused by the next transaction of the same message'
is "$(as_app -c "BEGIN; SELECT sec.act_as('a', 1);
                 SELECT set_config('mycelium.context', current_setting('mycelium.context'), false); COMMIT;" \
             -c "SELECT coalesce(mycelium.current_organization_id()::text, 'none')" | tail -n 1)" none \
   'and by a later message'

# --- 2. signed-only mode before the library is loaded ---------------------------
as_super -c "ALTER DATABASE $PGDATABASE SET mycelium.require_signed_context = on"
trap 'as_super -c "ALTER DATABASE $PGDATABASE RESET mycelium.require_signed_context"' EXIT
is "$(as_app -c 'SET mycelium.require_signed_context = off' \
      -c "SELECT sec.sqlstate_of(\$\$SELECT sec.act_as('a', 1)\$\$)" 2>/dev/null | tail -n 1)" 42501 \
   'set_context is refused although the placeholder was set off before the library loaded'
is "$(as_app -c 'SET mycelium.require_signed_context = off' -c 'BEGIN' \
      -c "SELECT set_config('request.jwt.claims', '$(claims "$admin_a" ADMIN)', true)" \
      -c 'SELECT count(*) FROM mycelium.deliverables' -c 'COMMIT' 2>/dev/null | tail -n 1)" 0 \
   'and request.jwt.claims grants nothing'
is "$(as_app -c 'SHOW mycelium.require_signed_context' -c 'SELECT mycelium.current_organization_id()' \
      -c 'SET mycelium.require_signed_context = off' 2>&1 | grep -c 'permission denied')" 1 \
   'once the library is loaded, the switch cannot be set by the application role'
as_super -c "ALTER DATABASE $PGDATABASE RESET mycelium.require_signed_context"
trap - EXIT
is "$(as_app -c "SELECT sec.sqlstate_of(\$\$SELECT sec.act_as('a', 1)\$\$)")" ok \
   'with the switch off again, set_context works (control)'
finish
