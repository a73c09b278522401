# What the worker suite's tests share (sourced after ../security/tap.sh): a
# database of the fixture, a self-signed CA and a server certificate made by
# openssl, the receivers (receivers.py) on loopback, and the worker started with
# the suite's configuration. Every process started here is stopped on exit.
WORKER=${MYCELIUM_WORKER:-$(cd ../.. && pwd)/worker/mycelium-worker}
work=$(mktemp -d /tmp/mycelium-worker-test.XXXXXX)
receivers_pid=
cleanup() {
    [ -z "$receivers_pid" ] || kill "$receivers_pid" 2>/dev/null
    for p in $(jobs -p); do kill -9 "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT

setup_database() {   # setup_database NAME: a fresh database with the fixture, as PGDATABASE
    export PGDATABASE=$1
    dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1
    createdb "$PGDATABASE"
    psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION mycelium' -f setup.psql >/dev/null
}

start_receivers() {   # the CA, the certificate, then the receivers; sets smtp_port and https_port
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj '/CN=Mycelium test CA' \
        -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj '/CN=localhost' \
        -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$work/san.ext"
    openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 1 \
        -extfile "$work/san.ext" -out "$work/server.pem" 2>/dev/null
    : >"$work/received.jsonl"
    /usr/bin/python3 receivers.py "$work" 2>"$work/receivers.log" &
    receivers_pid=$!
    for _ in $(seq 100); do [ -f "$work/ports" ] && break; sleep 0.1; done
    read -r smtp_port https_port <"$work/ports"
}

# The worker's environment: the delivery role, the sink, the CA, short times.
worker_env() {
    export MYCELIUM_WORKER_CONNINFO="host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=regress_worker password=regress_worker"
    export MYCELIUM_WORKER_SMTP_HOST=127.0.0.1 MYCELIUM_WORKER_SMTP_PORT=$smtp_port MYCELIUM_WORKER_SMTP_TLS=starttls
    export MYCELIUM_WORKER_SMTP_FROM=notify@mycelium.test MYCELIUM_WORKER_SMTP_FROM_NAME='Mycelium notices'
    export MYCELIUM_WORKER_CA_FILE=$work/ca.pem MYCELIUM_WORKER_HTTP_TIMEOUT=1 MYCELIUM_WORKER_LEASE=4
    export MYCELIUM_WORKER_POLL_INTERVAL=0.2 MYCELIUM_WORKER_BATCH_SIZE=50
    # The receivers are on loopback, which the worker refuses by default.
    export MYCELIUM_WORKER_ALLOW_PRIVATE_ADDRESSES=true
}

received() {   # received JQ-LIKE-PYTHON-EXPRESSION: evaluates it over the list r of received entries
    /usr/bin/python3 -c "
import json, sys
r = [json.loads(l) for l in open('$work/received.jsonl') if l.strip()]
print($1)"
}

wait_for() {   # wait_for SECONDS PYTHON-CONDITION-OVER-r: polls received.jsonl
    local until=$((SECONDS + $1))
    while [ $SECONDS -lt $until ]; do
        [ "$(received "$2")" = True ] && return 0
        sleep 0.1
    done
    return 1
}
