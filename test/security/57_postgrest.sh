#!/usr/bin/env bash
# PostgREST and Supabase in front of Mycelium (docs/postgrest.md), replayed as
# the SQL those servers send per request, since neither can be installed here.
# PostgREST (src/library/PostgREST/Query/PreQuery.hs) connects as a NOINHERIT
# LOGIN authenticator and runs each request in one transaction (READ ONLY for
# GET and HEAD): one statement of set_config(..., true) calls for search_path,
# role (the token's "role" claim, else the anonymous role), request.jwt.claims
# (the token's payload, with "role"), request.method, request.path,
# request.headers (JSON, lower-case names, the Authorization header included)
# and request.cookies; then "select <db-pre-request>()" if one is configured;
# then the main query; then COMMIT.
#   - claims mode: the claims name the tenant context, for staff and portal
#     users (a portal token without client_id), under the three context roles;
#   - signed-only mode: forged claims grant nothing, and a pre-request function
#     that passes the bearer token to mycelium.authenticate sets the context, also
#     from a token without a "role" claim (the anonymous role is switched);
#   - Supabase's roles (anon, authenticated NOINHERIT, service_role BYPASSRLS):
#     the same pre-request with a token of an identity service (ES256).
set -euo pipefail
cd "$(dirname "$0")"
. ./tap.sh
plan 28
keys=$(mktemp -d /tmp/mycelium-pgrst.XXXXXX)
maker() { /usr/bin/python3 ./jwt_maker.py "$@"; }
maker keys "$keys"
cleanup() {
    as_super -c "ALTER ROLE regress_pgrst_authenticator RESET mycelium.require_context" >/dev/null 2>&1 || true
    as_super -c "SELECT mycelium.configure('require_signed_context', 'off')" >/dev/null 2>&1 || true
    rm -rf "$keys"
}
trap cleanup EXIT

# The roles, as PostgREST's and Supabase's guides make them (regress_ names:
# roles belong to the cluster).
as_super >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['regress_pgrst_authenticator', 'regress_pgrst_anon',
                             'regress_supa_authenticator', 'regress_supa_anon', 'regress_supa_authenticated',
                             'regress_supa_service_role'] LOOP
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('DROP OWNED BY %I CASCADE', r);
            EXECUTE format('DROP ROLE %I', r);
        END IF;
    END LOOP;
END;
$$;
DROP SCHEMA IF EXISTS regress_api CASCADE;
-- PostgREST: the authenticator logs in and may only become other roles.
CREATE ROLE regress_pgrst_authenticator LOGIN NOINHERIT PASSWORD 'regress_pgrst_authenticator';
CREATE ROLE regress_pgrst_anon NOLOGIN;
SELECT mycelium.grant_access('regress_pgrst_anon', 'app');
GRANT regress_pgrst_anon, mycelium_admin, mycelium_staff, mycelium_portal TO regress_pgrst_authenticator;
-- Supabase's four roles, with the attributes its database image gives them.
CREATE ROLE regress_supa_authenticator LOGIN NOINHERIT PASSWORD 'regress_supa_authenticator';
CREATE ROLE regress_supa_anon NOLOGIN NOINHERIT;
CREATE ROLE regress_supa_authenticated NOLOGIN NOINHERIT;
CREATE ROLE regress_supa_service_role NOLOGIN NOINHERIT BYPASSRLS;
GRANT regress_supa_anon, regress_supa_authenticated, regress_supa_service_role TO regress_supa_authenticator;
-- NOINHERIT: the membership lets authenticate switch it to a context's role,
-- and authenticate itself must be granted to it directly.
GRANT mycelium_app TO regress_supa_authenticated;
GRANT USAGE ON SCHEMA mycelium TO regress_supa_authenticated;
GRANT EXECUTE ON FUNCTION mycelium.authenticate(text) TO regress_supa_authenticated;
-- The pre-request function: run as its caller (authenticate switches the role,
-- which PostgreSQL refuses inside a SECURITY DEFINER function); its search_path
-- pinned, which leaves the context and the role it sets in place.
CREATE SCHEMA regress_api;
GRANT USAGE ON SCHEMA regress_api TO PUBLIC;
CREATE FUNCTION regress_api.pre_request() RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    header text := current_setting('request.headers', true)::json ->> 'authorization';
BEGIN
    IF header ILIKE 'bearer %' THEN
        PERFORM mycelium.authenticate(substr(header, 8));
    END IF;
END;
$$;
SQL

id() { as_super -c "SELECT sec.id('$1', '$2', ${3:-1})"; }
org_a=$(id a organization); org_b=$(id b organization)
admin_a=$(id a user 1); admin_b=$(id b user 1); editor_a=$(id a user 2)
portal_a=$(id a client_user 1); client1_a=$(id a client 1); client2_a=$(id a client 2)
# Earlier files of the suite end sessions of these accounts (a new password, a
# sign-out everywhere): the claims carry "iat", and the tokens the account's
# current session count, as tokens issued now would.
claims() {   # claims ORG USER APP_ROLE DB_ROLE [CLIENT]
    echo "{\"sub\": \"$2\", \"organization_id\": \"$1\", \"app_role\": \"$3\"${5:+, \"client_id\": \"$5\"}, \"iat\": $(date +%s), \"exp\": 4102444800, \"role\": \"$4\"}"
}

# One request as PostgREST sends it: request METHOD ROLE CLAIMS AUTHORIZATION SQL [PRE]
# prints the main query's last line, or the SQLSTATE of the first error.
as_authenticator() { PGUSER=$AUTHENTICATOR PGPASSWORD=$AUTHENTICATOR psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
request() {
    local method=$1 role=$2 claims=$3 authorization=$4 main=$5 pre=${6:-} mode=WRITE
    [ "$method" = GET ] && mode=ONLY
    local headers="{\"accept\": \"application/json\", \"host\": \"api.agency.example\"${authorization:+, \"authorization\": \"$authorization\"}}"
    local args=(-v VERBOSITY=sqlstate -c "BEGIN ISOLATION LEVEL READ COMMITTED READ $mode"
                -c "select set_config('search_path', '\"mycelium\"', true), set_config('role', '$role', true),
                           set_config('request.jwt.claims', '$claims', true), set_config('request.method', '$method', true),
                           set_config('request.path', '/deliverables', true), set_config('request.headers', '$headers', true),
                           set_config('request.cookies', '{}', true)")
    [ -n "$pre" ] && args+=(-c "select $pre()")
    args+=(-c "$main" -c 'COMMIT')
    local out
    if out=$(as_authenticator "${args[@]}" 2>&1); then echo "$out" | tail -n 1
    else echo "$out" | sed -n 's/^.*ERROR: *//p' | tail -n 1; fi
}
AUTHENTICATOR=regress_pgrst_authenticator
count='SELECT count(*) FROM mycelium.deliverables'
who='SELECT coalesce(mycelium.current_app_role() || $$ $$ || current_user || coalesce($$ $$ || mycelium.current_client_id(), $$$$), $$none $$ || current_user)'

# --- The authenticator --------------------------------------------------------
is "$(as_super -c "SELECT sec.sqlstate_of(\$\$SELECT mycelium.grant_access('regress_pgrst_authenticator', 'app')\$\$)")" \
   22023 'grant_access refuses a NOINHERIT role such as the authenticator (membership is granted instead)'
is "$(as_super -c "SELECT mycelium.grant_access('regress_pgrst_authenticator', 'app')" 2>&1 | sed -n 's/^HINT: *//p')" \
   "ALTER ROLE regress_pgrst_authenticator INHERIT; or, for an authenticator that switches roles (PostgREST's), GRANT mycelium_admin, mycelium_staff, mycelium_portal TO regress_pgrst_authenticator (docs/postgrest.md)." \
   'and its hint names the GRANT an authenticator needs'
is "$(request GET regress_pgrst_authenticator '' '' "$count")" 42501 \
   'the authenticator itself reads no tenant table'

# --- Claims mode: PostgREST verifies the token, the claims name the context ---
is "$(request GET mycelium_admin "$(claims "$org_a" "$admin_a" ADMIN mycelium_admin)" '' "$who")" \
   'ADMIN mycelium_admin' 'an ADMIN token with role mycelium_admin: the ADMIN context'
is "$(request GET mycelium_admin "$(claims "$org_a" "$admin_a" ADMIN mycelium_admin)" '' "$count")" 3 \
   "GET /deliverables as organization A's ADMIN: A's three deliverables"
is "$(request GET mycelium_admin "$(claims "$org_b" "$admin_b" ADMIN mycelium_admin)" '' "$count")" 3 \
   "and as organization B's ADMIN: B's three"
is "$(request POST mycelium_admin "$(claims "$org_a" "$admin_a" ADMIN mycelium_admin)" '' \
      "INSERT INTO mycelium.clients (name) VALUES ('Via PostgREST') RETURNING organization_id")" "$org_a" \
   "POST /clients as A's ADMIN: organization_id comes from the context"
is "$(request GET mycelium_admin "$(claims "$org_b" "$admin_b" ADMIN mycelium_admin)" '' \
      "SELECT count(*) FROM mycelium.clients WHERE name = 'Via PostgREST'")" 0 \
   "B's ADMIN does not see it"
is "$(request POST mycelium_admin "$(claims "$org_b" "$admin_b" ADMIN mycelium_admin)" '' \
      "WITH u AS (UPDATE mycelium.clients SET name = 'taken' WHERE name = 'Via PostgREST' RETURNING 1)
       SELECT count(*) FROM u")" 0 \
   'nor change it (PATCH: no row)'
is "$(request GET mycelium_staff "$(claims "$org_a" "$editor_a" VIDEO_EDITOR mycelium_staff)" '' "$who")" \
   'VIDEO_EDITOR mycelium_staff' "a staff token with role mycelium_staff: the editor's context"
is "$(request GET mycelium_staff "$(claims "$org_a" "$admin_a" ADMIN mycelium_staff)" '' "$count")" 0 \
   "an ADMIN's claims under mycelium_staff see nothing"
is "$(request GET mycelium_portal "$(claims "$org_a" "$portal_a" CLIENT mycelium_portal)" '' "$who")" \
   "CLIENT mycelium_portal $client1_a" "a portal token without client_id: the client comes from the portal user's row"
is "$(request GET mycelium_portal "$(claims "$org_a" "$portal_a" CLIENT mycelium_portal "$client2_a")" '' "$who")" \
   'none mycelium_portal' 'a portal token naming another client gets no context'
is "$(request GET regress_pgrst_anon "$(claims "$org_a" "$admin_a" ADMIN regress_pgrst_anon)" '' "$count")" 3 \
   'a token without a role claim (the anonymous role, an app role): the general policies honour the claims'

# --- Signed-only mode: claims grant nothing, the pre-request authenticates ----
# (Supabase Auth is registered first, by an ADMIN, for the last part: set_context
# is a superuser's alone in signed-only mode.)
supabase=https://qrstuvwxyzabcdef.supabase.co/auth/v1
as_app -c 'BEGIN' -c "SELECT sec.act_as('a', 1)" \
    -c "SELECT mycelium.set_identity_provider('$supabase', '$(maker jwks "$keys" ec)', ARRAY['authenticated'], 'email')" \
    -c 'COMMIT' >/dev/null
as_super -c "SELECT mycelium.configure('require_signed_context', 'on')" >/dev/null
as_super -c "SELECT mycelium.set_jwt_secret('the key PostgREST and Mycelium share, 32 bytes or more')" >/dev/null
token() {   # token ORG USER ROLE [CLIENT]: as sign_in makes them (no "role" claim)
    as_super -c "SELECT token FROM mycelium_internal.issue_token('$1', '$2', '$3', ${4:-NULL}, 1,
                     (SELECT f.generation FROM mycelium_internal.session_floors f
                       WHERE f.organization_id = '$1' AND f.account_id = '$2'))"
}
admin_token=$(token "$org_a" "$admin_a" ADMIN)
is "$(request GET mycelium_admin "$(claims "$org_a" "$admin_a" ADMIN mycelium_admin)" '' "$count")" 0 \
   'signed-only: claims written without a verified token (forged) grant nothing'
is "$(request GET mycelium_admin "$(claims "$org_a" "$admin_a" ADMIN mycelium_admin)" "Bearer $admin_token" \
      "$count" regress_api.pre_request)" 3 \
   'the pre-request passes the bearer token to authenticate: the ADMIN context'
is "$(request GET regress_pgrst_anon '{"role": "regress_pgrst_anon"}' "Bearer $admin_token" \
      "$who" regress_api.pre_request)" 'ADMIN mycelium_admin' \
   "a token without a role claim: PostgREST's anonymous role, switched to mycelium_admin by authenticate"
forged="${admin_token%.*}.$(echo -n 'forged' | base64 | tr '+/' '-_' | tr -d '=')"
is "$(request GET mycelium_admin '{}' "Bearer $forged" "$count" regress_api.pre_request)" 28000 \
   'a token with a forged signature: the request fails (28000)'
unsigned="$(echo -n '{"alg":"none","typ":"JWT"}' | base64 -w0 | tr '+/' '-_' | tr -d '=').${admin_token#*.}"
unsigned="${unsigned%.*}."
is "$(request GET mycelium_admin '{}' "Bearer $unsigned" "$count" regress_api.pre_request)" 28000 \
   'an unsigned token (alg none): refused'
is "$(request GET mycelium_staff '{"role": "mycelium_staff"}' "Bearer $admin_token" "$count" regress_api.pre_request)" \
   25000 'an ADMIN token under role mycelium_staff (a role claim of another kind): refused'
is "$(request POST mycelium_portal '{"role": "mycelium_portal"}' "Bearer $(token "$org_a" "$portal_a" CLIENT)" \
      "$who" regress_api.pre_request)" "CLIENT mycelium_portal $client1_a" \
   'a portal token without client_id: its client from the row'
is "$(request GET regress_pgrst_anon '{"role": "regress_pgrst_anon"}' '' "$count" regress_api.pre_request)" 0 \
   'no Authorization header: no context, no rows'
# Strict mode for every request: a superuser's setting on the role PostgREST logs
# in as, which the role switch does not change.
as_super -c "ALTER ROLE regress_pgrst_authenticator SET mycelium.require_context = on"
is "$(request GET regress_pgrst_anon '{"role": "regress_pgrst_anon"}' '' "$count" regress_api.pre_request)" 28M01 \
   'strict mode (ALTER ROLE authenticator SET mycelium.require_context = on): no token is an error'
is "$(request GET mycelium_admin '{}' "Bearer $admin_token" "$count" regress_api.pre_request)" 3 \
   'and a verified token reads as before'
as_super -c "ALTER ROLE regress_pgrst_authenticator RESET mycelium.require_context"

# --- Supabase: authenticated is NOINHERIT; the pre-request switches roles -----
AUTHENTICATOR=regress_supa_authenticator
admin_email=$(as_super -c "SELECT email FROM mycelium.users WHERE id = '$admin_a'")
now=$(date +%s)
supa_token=$(maker sign "$keys" ec "{\"iss\": \"$supabase\", \"aud\": \"authenticated\", \"sub\": \"0190a5c4-0000-7000-8000-00000000beef\",
  \"email\": \"$admin_email\", \"role\": \"authenticated\", \"iat\": $now, \"exp\": $((now + 3600))}")
supa_claims="{\"role\": \"regress_supa_authenticated\", \"sub\": \"0190a5c4-0000-7000-8000-00000000beef\"}"
is "$(request GET regress_supa_authenticated "$supa_claims" '' "$count")" 42501 \
   'Supabase: the authenticated role (NOINHERIT) reads nothing by itself'
is "$(request GET regress_supa_authenticated "$supa_claims" "Bearer $supa_token" "$who" regress_api.pre_request)" \
   'ADMIN mycelium_admin' 'a Supabase Auth token (ES256): the pre-request sets the ADMIN context and its role'
is "$(request GET regress_supa_authenticated "$supa_claims" "Bearer $supa_token" "$count" regress_api.pre_request)" 3 \
   "and A's deliverables are read under row-level security"
is "$(request GET regress_supa_anon '{"role": "regress_supa_anon"}' '' "$count")" 42501 \
   'the anon role reads nothing'
finish
