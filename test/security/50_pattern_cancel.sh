#!/usr/bin/env bash
# 16. A pattern check that cannot be stopped (docs/security.md). A's ADMIN, as the
# application role, defines TEXT fields whose patterns backtrack for as long as
# their limits allow, then writes values that make every field use them up. The
# statement must end soon after statement_timeout, pg_cancel_backend or
# pg_terminate_backend asks it to, with PostgreSQL's own error; and a value far
# longer than any pattern needs is refused before the matcher sees it.
set -uo pipefail
cd "$(dirname "$0")"
source ./tap.sh
plan 12

fields=40     # a slow field costs up to about half a second, so 40 of them: seconds
limit_ms=2000 # "promptly": ten times the 200 ms timeout, on a busy machine
# Each character starts a look-ahead that scans to the end of the value: quadratic
# work, bounded only by the matcher's limits.
slow_pattern='(?:.(?=.*b)(?=.*b)(?=.*b)(?=.*b))*(?:.(?=.*b))*c'

now_ms() { date +%s%3N; }

as_app >/dev/null <<SQL
BEGIN;
SELECT sec.act_as('a', 1);
INSERT INTO mycelium.service_types (organization_id, name, slug, workflow_type)
VALUES (sec.id('a', 'organization'), 'Slow patterns', 'slow-patterns', 'ONEOFF');
INSERT INTO mycelium.deliverable_fields (organization_id, service_type_id, name, slug, type,
                                         pattern, sort_order)
SELECT st.organization_id, st.id, 'Code ' || i, 'code_' || i, 'TEXT', '$slow_pattern', i
FROM mycelium.service_types st, generate_series(1, $fields) i
WHERE st.organization_id = sec.id('a', 'organization') AND st.slug = 'slow-patterns';
INSERT INTO mycelium.deliverable_fields (organization_id, service_type_id, name, slug, type,
                                         pattern, sort_order)
SELECT st.organization_id, st.id, 'Big', 'big', 'TEXTAREA', '.*.*.*c', 0
FROM mycelium.service_types st
WHERE st.organization_id = sec.id('a', 'organization') AND st.slug = 'slow-patterns';
COMMIT;
SQL
ok $? "A's ADMIN defines $fields fields with the pattern $slow_pattern"

# Every slow field gets 9,998 a's, a b and a '!': 10,000 characters, which a
# pattern may still be checked against.
slow_values="(SELECT jsonb_object_agg('code_' || i, repeat('a', 9998) || 'b!')
                FROM generate_series(1, $fields) i)"
insert_with() {   # insert_with VALUES-EXPRESSION
    cat <<SQL
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title,
                                   created_by_id, custom_fields)
SELECT st.organization_id, sec.id('a', 'client', 1), st.id, 'Slow', sec.id('a', 'user', 1), $1
FROM mycelium.service_types st
WHERE st.organization_id = sec.id('a', 'organization') AND st.slug = 'slow-patterns';
SQL
}
session() {   # session SQL...: one transaction as A's ADMIN; prints what psql says
    as_app -v VERBOSITY=verbose 2>&1 <<SQL
BEGIN;
SELECT sec.act_as('a', 1) \\g /dev/null
$*
ROLLBACK;
SQL
}

# statement_timeout, on the trigger.
start=$(now_ms)
out=$(session "SET LOCAL statement_timeout = '200ms';" "$(insert_with "$slow_values")")
elapsed=$(($(now_ms) - start))
echo "$out" | grep -q 'ERROR:  57014: canceling statement due to statement timeout'
ok $? "statement_timeout stops the insert with PostgreSQL's 57014"
[ "$elapsed" -lt "$limit_ms" ]
ok $? "within ${limit_ms} ms of a 200 ms timeout (took ${elapsed} ms)"

# statement_timeout, on validate_custom_fields.
start=$(now_ms)
out=$(session "SET LOCAL statement_timeout = '200ms';" \
    "SELECT count(*) FROM mycelium.validate_custom_fields(
         (SELECT id FROM mycelium.service_types
          WHERE organization_id = sec.id('a', 'organization') AND slug = 'slow-patterns'),
         $slow_values);")
elapsed=$(($(now_ms) - start))
echo "$out" | grep -q 'ERROR:  57014: canceling statement due to statement timeout'
ok $? "statement_timeout stops validate_custom_fields with 57014"
[ "$elapsed" -lt "$limit_ms" ]
ok $? "within ${limit_ms} ms (took ${elapsed} ms)"

# A signal from another session: start the insert, let it get deep into the
# pattern checks, then signal it and time how long it takes to end.
signal_test() {   # signal_test FUNCTION EXPECTED-MESSAGE
    local app="sec_pattern_$1" pid="" out_file
    out_file=$(mktemp)
    PGAPPNAME=$app session "$(insert_with "$slow_values")" >"$out_file" &
    local job=$!
    for _ in $(seq 1 200); do
        pid=$(as_super -c "SELECT pid FROM pg_stat_activity
                           WHERE application_name = '$app' AND state = 'active'
                             AND query LIKE 'INSERT INTO mycelium.deliverables%'")
        [ -n "$pid" ] && break
        sleep 0.05
    done
    sleep 0.3
    local signalled
    signalled=$(now_ms)
    as_super -c "SELECT $1($pid)" >/dev/null
    wait "$job"
    local elapsed=$(($(now_ms) - signalled))
    grep -q "$2" "$out_file"
    ok $? "$1 stops the insert: $2"
    [ "$elapsed" -lt "$limit_ms" ]
    ok $? "within ${limit_ms} ms of the signal (took ${elapsed} ms)"
    rm -f "$out_file"
}
signal_test pg_cancel_backend 'ERROR:  57014: canceling statement due to user request'
signal_test pg_terminate_backend 'FATAL:  57P01: terminating connection due to administrator command'

# 8 MB for one field, with no timeout: refused as too long for its pattern, before
# any matching (the pattern would take seconds on it).
start=$(now_ms)
out=$(session "$(insert_with "jsonb_build_object('big', repeat('a', 8 * 1024 * 1024) || '!')")")
elapsed=$(($(now_ms) - start))
echo "$out" | grep -q 'ERROR:  23514: deliverable custom_fields do not satisfy service type "Slow patterns"'
ok $? "an 8 MB value for a pattern is a check violation"
echo "$out" | grep -q '"field":"big","code":"too_long_for_pattern"'
ok $? "with the problem too_long_for_pattern"
[ "$elapsed" -lt "$limit_ms" ]
ok $? "within ${limit_ms} ms (took ${elapsed} ms)"

as_app >/dev/null <<SQL
BEGIN;
SELECT sec.act_as('a', 1);
DELETE FROM mycelium.service_types
WHERE organization_id = sec.id('a', 'organization') AND slug = 'slow-patterns';
COMMIT;
SQL
finish
