#!/usr/bin/env bash
# Strict mode (mycelium.require_context) from a backend's first statement, as an
# operator turns it on for the application's role: a statement on a tenant table
# without a context fails with 28M01 even when it is the statement that loads the
# library, and the application cannot turn it off, not even through the
# placeholder that exists before the library is loaded. Each psql call is a new
# backend.
set -euo pipefail
cd "$(dirname "$0")"
. ./tap.sh
plan 6

as_super -c "ALTER ROLE regress_sec_app SET mycelium.require_context = on"
trap 'as_super -c "ALTER ROLE regress_sec_app RESET mycelium.require_context"' EXIT
# The SQLSTATE of a statement's error, from psql's terse verbosity.
state_of() { as_app -v VERBOSITY=sqlstate "$@" 2>&1 >/dev/null | sed -n 's/^.*ERROR: *//p' | tail -n 1; }

is "$(state_of -c 'SELECT count(*) FROM mycelium.deliverables')" 28M01 \
   'the first statement of a backend, which loads the library, fails without a context'
is "$(state_of -c 'SET mycelium.require_context = off' -c 'SELECT count(*) FROM mycelium.deliverables')" 28M01 \
   'and still fails after the application set the placeholder off before the library loaded'
is "$(state_of -c 'SELECT mycelium.current_organization_id()' -c 'SET mycelium.require_context = off')" 42501 \
   'once the library is loaded, the application role cannot set it'
is "$(as_app -c 'BEGIN' -c "SELECT sec.act_as('a', 1)" -c 'SELECT count(*) FROM mycelium.deliverables' \
      -c 'COMMIT' | tail -n 1)" 3 'with a context in the transaction, the statement runs as before'
is "$(state_of -c 'BEGIN' -c "SELECT sec.act_as('a', 1)" -c 'COMMIT' \
      -c 'SELECT count(*) FROM mycelium.deliverables')" 28M01 \
   'after the commit that ended the request, the next statement fails loudly'
as_super -c "ALTER ROLE regress_sec_app RESET mycelium.require_context"
trap - EXIT
is "$(as_app -c 'SELECT count(*) FROM mycelium.deliverables')" 0 \
   'with the setting off again, no context means no rows (control)'
finish
