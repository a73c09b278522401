#!/usr/bin/env bash
# Tokens from identity services (docs/security.md, "Tokens from identity
# services"): RS256, ES256 and EdDSA tokens shaped like Supabase Auth's, Auth0's
# and Keycloak's, made here with keys made here (jwt_maker.py), verified against
# the JWKS an ADMIN registered; and the attacks on them: a key that was never
# registered, algorithm confusion (the RSA public key as an HMAC secret), alg
# none, a token of another issuer, audience or organization, a role claimed in
# the token, expiry, the session timeout, revocation.
set -euo pipefail
cd "$(dirname "$0")"
. ./tap.sh
plan 31
keys=$(mktemp -d /tmp/mycelium-jwks.XXXXXX)
trap 'rm -rf "$keys"' EXIT
maker() { /usr/bin/python3 ./jwt_maker.py "$@"; }
maker keys "$keys"
# The database's own HS256 key, so that an HS256 token meets a real verifier.
as_super -c "SELECT mycelium.set_jwt_secret('the database''s own key, thirty-two bytes or more')" >/dev/null

id() { as_super -c "SELECT sec.id('$1', '$2', ${3:-1})"; }
org_a=$(id a organization); org_b=$(id b organization)
admin_a=$(id a user 1); editor_a=$(id a user 2); portal_a=$(id a client_user 1); client_a=$(id a client 1)
now=$(date +%s); exp=$((now + 3600))

supabase=https://abcdefghijklmnop.supabase.co/auth/v1
auth0=https://agency.eu.auth0.com/
keycloak=https://sso.agency.example/realms/agency

# Runs statements as the application role, in one transaction, as ADMIN a
# unless told otherwise, and prints the last line.
as_admin() {   # as_admin ORG SQL
    as_app -c 'BEGIN' -c "SELECT sec.act_as('$1', 1)" -c "$2" -c 'COMMIT' | tail -n 1
}
# What authenticate(token) gives: the role and user (and client) of the
# context, or the SQLSTATE and message of the error.
outcome_fn='CREATE FUNCTION pg_temp.outcome(statement text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN EXECUTE statement; RETURN $$ok$$; EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || $$: $$ || SQLERRM; END $f$'
auth() {   # auth TOKEN
    as_app -c "$outcome_fn" -c 'BEGIN' \
        -c "SELECT pg_temp.outcome(format('SELECT mycelium.authenticate(%L)', '$1'))" \
        -c "SELECT coalesce(mycelium.current_app_role() || ' ' || mycelium.current_app_user_id()
                            || coalesce(' ' || mycelium.current_client_id(), ''), 'none')" \
        -c 'COMMIT' | paste -sd ' '
}

# --- Registration: an ADMIN's, of a JWKS of public signature keys -----------
is "$(as_admin a "SELECT mycelium.set_identity_provider('$supabase', '$(maker jwks "$keys" ec ed)',
                                                          ARRAY['authenticated'], 'email') IS NOT NULL")" t \
   'an ADMIN registers Supabase Auth (ES256 and EdDSA keys, audience authenticated)'
is "$(as_admin a "SELECT mycelium.set_identity_provider('$auth0', '$(maker jwks "$keys" rsa1 rsa2)',
                                                          ARRAY['https://api.agency.example'], 'subject') IS NOT NULL")" t \
   'and Auth0 (two RSA keys, rotating; matched by subject)'
is "$(as_admin a "SELECT mycelium.set_identity_provider('$keycloak', '$(maker jwks "$keys" rsa2)',
                                                          ARRAY['account']) IS NOT NULL")" t \
   'and Keycloak (verified e-mail, the default)'
is "$(as_app -c 'BEGIN' -c "SELECT sec.act_as('a', 2)" \
       -c "SELECT sec.sqlstate_of(\$\$SELECT mycelium.set_identity_provider('https://evil.example', '$(maker jwks "$keys" ec)')\$\$)" \
       -c 'COMMIT' | tail -n 1)" 42501 'a colleague who is no ADMIN cannot register one'
is "$(as_admin a "SELECT sec.sqlstate_of(\$\$SELECT mycelium.set_identity_provider('https://weak.example', '$(maker jwks "$keys" rsa1024)')\$\$)")" \
   22023 'a 1024-bit RSA key is refused'
private_jwks=$(maker jwks "$keys" ec | sed 's/"alg": "ES256"/"alg": "ES256", "d": "c2VjcmV0"/')
is "$(as_admin a "SELECT sec.sqlstate_of(\$\$SELECT mycelium.set_identity_provider('https://leaky.example', '$private_jwks')\$\$)")" \
   22023 'a JWKS that holds a private key is refused'
is "$(as_admin a "SELECT sec.sqlstate_of(\$\$SELECT mycelium.set_identity_provider('https://x.example', 'not json')\$\$)")" \
   22023 'a JWKS that is not JSON is refused'
is "$(as_admin a "SELECT sec.sqlstate_of(\$\$SELECT mycelium.link_identity('$admin_a', '$auth0', 'auth0|65f0c0ffee')\$\$)")" \
   ok 'an ADMIN links an Auth0 subject to an account'

# --- Tokens shaped like each service's ---------------------------------------
supabase_claims() {   # supabase_claims EMAIL [EXTRA]
    echo "{\"iss\":\"$supabase\",\"aud\":\"authenticated\",\"sub\":\"4f1b2c3d-0000-4000-8000-00000000abcd\",\"exp\":$exp,\"iat\":$now,\"email\":\"$1\",\"phone\":\"\",\"role\":\"authenticated\",\"aal\":\"aal1\",\"session_id\":\"5e6f7a8b-0000-4000-8000-000000000001\",\"app_metadata\":{\"provider\":\"email\",\"providers\":[\"email\"]},\"user_metadata\":{\"email_verified\":true}${2:-}}"
}
is "$(auth "$(maker sign "$keys" ec "$(supabase_claims editor-a@sec.example)")")" \
   "ok VIDEO_EDITOR $editor_a" 'a Supabase Auth token (ES256) gives its account''s context, role from the row'
is "$(auth "$(maker sign "$keys" ed "$(supabase_claims editor-a@sec.example ',"app_role":"ADMIN"')")")" \
   "ok VIDEO_EDITOR $editor_a" 'an EdDSA token claiming ADMIN still gets the row''s role'
auth0_claims() {   # auth0_claims SUB [EXP] [IAT]
    echo "{\"iss\":\"$auth0\",\"sub\":\"$1\",\"aud\":[\"https://api.agency.example\",\"https://agency.eu.auth0.com/userinfo\"],\"iat\":${3:-$now},\"exp\":${2:-$exp},\"scope\":\"openid profile email\",\"azp\":\"Xk3yQ0wEXAMPLE\",\"jti\":\"${4:-auth0-token-1}\"}"
}
is "$(auth "$(maker sign "$keys" rsa1 "$(auth0_claims 'auth0|65f0c0ffee')")")" "ok ADMIN $admin_a" \
   'an Auth0 token (RS256) finds its account by the linked subject'
is "$(auth "$(maker sign "$keys" rsa2 "$(auth0_claims 'auth0|65f0c0ffee')")")" "ok ADMIN $admin_a" \
   'and after the service rotates to its second key'
is "$(auth "$(maker sign "$keys" rsa1 "$(auth0_claims 'auth0|not-linked')")")" \
   '28000: authenticate: the token names no account of the organization none' \
   'an unlinked subject gets nothing'
keycloak_claims() {   # keycloak_claims EMAIL VERIFIED
    echo "{\"exp\":$exp,\"iat\":$now,\"jti\":\"0f1e2d3c-kc\",\"iss\":\"$keycloak\",\"aud\":\"account\",\"sub\":\"f3a1c2d4-kc-user\",\"typ\":\"Bearer\",\"azp\":\"agency-portal\",\"scope\":\"openid email profile\",\"email_verified\":$2,\"preferred_username\":\"portal1\",\"email\":\"$1\"}"
}
is "$(auth "$(maker sign "$keys" rsa2 "$(keycloak_claims portal1-a@sec.example true)")")" \
   "ok CLIENT $portal_a $client_a" 'a Keycloak token with a verified address signs a portal user in'
is "$(auth "$(maker sign "$keys" rsa2 "$(keycloak_claims portal1-a@sec.example false)")")" \
   '28000: authenticate: the token names no account of the organization none' \
   'an unverified address finds no account where verified_email is the rule'
is "$(auth "$(maker sign "$keys" ec "$(supabase_claims admin-b@sec.example)")")" \
   '28000: authenticate: the token names no account of the organization none' \
   'an address of another organization finds nothing in this one'

# --- Attacks ---------------------------------------------------------------
is "$(auth "$(maker sign "$keys" rsa2 "$(auth0_claims 'auth0|65f0c0ffee')" rsa1)" | cut -c1-50)" \
   '28000: authenticate: token signature does not matc' 'a token signed by another key under a registered kid fails'
is "$(auth "$(maker sign "$keys" rsa1 "$(auth0_claims 'auth0|65f0c0ffee')" unknown-kid)" | cut -c1-20)" \
   '28000: authenticate:' 'a kid that is not registered fails'
is "$(auth "$(maker sign "$keys" rsa1 "$(auth0_claims 'auth0|65f0c0ffee')" -)" | cut -c1-20)" \
   '28000: authenticate:' 'no kid, and two keys of the type: fails'
maker pem "$keys" rsa1 > "$keys/rsa1.pub.pem"
is "$(auth "$(maker hs256 "$keys/rsa1.pub.pem" "$(auth0_claims 'auth0|65f0c0ffee')")")" \
   '28000: authenticate: token signature does not match none' \
   'algorithm confusion: an HS256 token keyed with the RSA public key fails'
none_token="$(echo -n '{"alg":"none","typ":"JWT"}' | base64 -w0 | tr '+/' '-_' | tr -d '=').$(echo -n "$(auth0_claims 'auth0|65f0c0ffee')" | base64 -w0 | tr '+/' '-_' | tr -d '=')."
is "$(auth "$none_token")" "28000: authenticate: token algorithm \"none\" is not accepted none" 'alg none fails'
is "$(auth "$(maker sign "$keys" ec "$(supabase_claims editor-a@sec.example | sed 's/"aud":"authenticated"/"aud":"anon"/')")" | cut -c1-5)" \
   28000 'a token for another audience fails'
is "$(auth "$(maker sign "$keys" ec "$(supabase_claims editor-a@sec.example | sed "s|$supabase|https://other.supabase.co/auth/v1|")")")" \
   "28000: authenticate: no identity service is registered for the token's issuer none" \
   'a token of an issuer no organization registered fails'
is "$(auth "$(maker sign "$keys" rsa1 "$(auth0_claims 'auth0|65f0c0ffee' $((now - 60)) $((now - 3700)))")" | cut -c1-35)" \
   '28000: authenticate: token has expi' 'an expired token fails'
is "$(auth "$(maker sign "$keys" rsa1 "$(auth0_claims 'auth0|65f0c0ffee' $((now + 30 * 86400)) $((now - 25 * 3600)))")" | cut -c1-56)" \
   '28000: authenticate: the session has timed out none' \
   'a token older than the organization''s session_timeout_hours fails, whatever its exp'

# --- Two organizations trusting one service ----------------------------------
is "$(as_admin b "SELECT mycelium.set_identity_provider('$supabase', '$(maker jwks "$keys" ec)', ARRAY['authenticated'], 'email') IS NOT NULL")" t \
   'organization B registers the same Supabase project'
is "$(auth "$(maker sign "$keys" ec "$(supabase_claims editor-a@sec.example)")")" \
   "28000: authenticate: several organizations accept the token's issuer, and it names none none" \
   'then a token naming no organization is refused'
is "$(auth "$(maker sign "$keys" ec "$(supabase_claims editor-a@sec.example | sed "s/\"providers\":\[\"email\"\]}/\"providers\":[\"email\"],\"organization_id\":\"$org_a\"}/")")")" \
   "ok VIDEO_EDITOR $editor_a" 'and one naming organization A in app_metadata gets A'' context'

# --- Sessions end --------------------------------------------------------------
one=$(maker sign "$keys" rsa1 "$(auth0_claims 'auth0|65f0c0ffee' $exp $((now - 5)) token-one)")
two=$(maker sign "$keys" rsa1 "$(auth0_claims 'auth0|65f0c0ffee' $exp $((now - 5)) token-two)")
as_app -c 'BEGIN' -c "SELECT mycelium.authenticate('$one')" -c 'SELECT mycelium.sign_out()' -c 'COMMIT' >/dev/null
is "$(auth "$one" | cut -c1-42)" '28000: authenticate: the token was revoked' 'sign_out ends the session of its token (by jti)...'
is "$(auth "$two")" "ok ADMIN $admin_a" '...and not the others'
as_app -c 'BEGIN' -c "SELECT mycelium.authenticate('$two')" -c 'SELECT mycelium.sign_out(everywhere => true)' -c 'COMMIT' >/dev/null
is "$(auth "$(maker sign "$keys" rsa1 "$(auth0_claims 'auth0|65f0c0ffee' $exp $((now - 5)) token-three)")" | cut -c1-42)" \
   '28000: authenticate: the token was revoked' 'sign_out(everywhere) ends every token issued before'
finish
