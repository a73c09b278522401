# A few TAP helpers for the suite's shell tests, which need several sessions.
# Source it, call plan N, then ok/is; as_app and as_super run one psql command.
# PGDATABASE, PGHOST, PGPORT, PGUSER (a superuser) and PGPASSWORD come from
# test/security/run and the cluster.
_tap_n=0
_tap_failed=0
plan() { echo "1..$1"; }
ok() {   # ok CONDITION-EXIT-STATUS DESCRIPTION
    _tap_n=$((_tap_n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $_tap_n - $2"; else echo "not ok $_tap_n - $2"; _tap_failed=1; fi
}
is() {   # is GOT EXPECTED DESCRIPTION
    _tap_n=$((_tap_n + 1))
    if [ "$1" == "$2" ]; then echo "ok $_tap_n - $3"
    else echo "not ok $_tap_n - $3"; echo "#   got:      '$1'"; echo "#   expected: '$2'"; _tap_failed=1; fi
}
as_app() { PGUSER=regress_sec_app PGPASSWORD=regress_sec_app psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
as_super() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
finish() { exit $_tap_failed; }
