#!/usr/bin/env bash
# Several engine nodes on one PostgreSQL ledger behind HAProxy, on one machine (README "Running several nodes").
#
#   deploy/cluster.sh start [2|3]   PostgreSQL (Debian package, installed if missing), the nodes, HAProxy
#   deploy/cluster.sh status        each node and what HAProxy's health check says of it
#   deploy/cluster.sh kill N        SIGKILL node N (a crash, for failover drills)
#   deploy/cluster.sh start-node N  (re)start node N alone
#   deploy/cluster.sh stop          stops HAProxy and the nodes (PostgreSQL keeps running: it is the machine's)
#
# The LIS sends to 127.0.0.1:${CLUSTER_LB_PORT:-2575}; node N listens on 2580+N for MLLP and on 2620+N for its
# console and health (/observe/health/ready, which HAProxy checks). DFTs go to the billing system at
# CLUSTER_BILLING_HOST:CLUSTER_BILLING_PORT when CLUSTER_BILLING_PORT is set (iep.billing.mode=mllp), else each node
# files them with its own built-in receiver (port 2590+N) under <dir>/nodeN/data/billing.
#
# CLUSTER_SINGLE_SENDER=true (with CLUSTER_BILLING_PORT and 3 nodes) sets iep.billing.singleSender: only the raft
# leader among the nodes delivers to billing. Node N's raft channel listens on 2630+N (and its failure detector on
# 2730+N); the script gives every node the same iep.billing.raftMembers.
#
# The script's own settings are CLUSTER_* (the engine refuses IEP_* variables it does not know); any other IEP_*
# setting in the environment reaches every node. Overridable: CLUSTER_DIR (.cluster in the repository: logs, pids,
# data folders), CLUSTER_JAR (the packaged jar, built when missing), CLUSTER_LB_PORT, CLUSTER_NODE_PORT_BASE (2580),
# CLUSTER_PG_URL with CLUSTER_PG_USER and CLUSTER_PG_PASSWORD (an existing PostgreSQL database: nothing is installed
# or created), else the database iep_cluster for role iep (password iep) on the local PostgreSQL, created when missing.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${CLUSTER_DIR:-$REPO/.cluster}"
JAR="${CLUSTER_JAR:-$REPO/target/iep-charge-router.jar}"
LB_PORT="${CLUSTER_LB_PORT:-2575}"
PORT_BASE="${CLUSTER_NODE_PORT_BASE:-2580}"
STATS_PORT="${CLUSTER_LB_STATS_PORT:-$((PORT_BASE + 20))}"

log() { echo "[cluster] $*" >&2; }
die() { log "$*"; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    SUDO=(sudo -n)
fi
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres -- "$@"; fi
}

install_package() { # $1 package, $2 a command it provides
    if ! command -v "$2" >/dev/null 2>&1; then
        log "installing the Debian package $1"
        export DEBIAN_FRONTEND=noninteractive
        "${SUDO[@]}" apt-get update -qq
        "${SUDO[@]}" apt-get install -y -qq "$1" >/dev/null
    fi
}

# The ledger database: an existing one (CLUSTER_PG_URL), or the local server's iep_cluster, as .ci/run does.
ledger_database() {
    if [ -n "${CLUSTER_PG_URL:-}" ]; then
        PG_URL="$CLUSTER_PG_URL"; PG_USER="${CLUSTER_PG_USER:-iep}"; PG_PASSWORD="${CLUSTER_PG_PASSWORD:-}"
        return
    fi
    if ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
        install_package postgresql pg_lsclusters
    fi
    local version port status
    version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { f = 1 } END { exit !f }'; then
        "${SUDO[@]}" pg_createcluster "$version" main >/dev/null
    fi
    port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')"
    status="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $4 }')"
    if [ "$status" != "online" ]; then
        log "starting PostgreSQL $version/main on port $port"
        "${SUDO[@]}" pg_ctlcluster "$version" main start
    fi
    for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 1; done
    pg_isready -q -h 127.0.0.1 -p "$port" || die "PostgreSQL does not accept connections on 127.0.0.1:$port"
    as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres <<'SQL'
SELECT 'CREATE ROLE iep LOGIN PASSWORD ''iep''' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'iep') \gexec
SELECT 'CREATE DATABASE iep_cluster OWNER iep'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'iep_cluster') \gexec
SQL
    PG_URL="jdbc:postgresql://127.0.0.1:$port/iep_cluster"; PG_USER=iep; PG_PASSWORD=iep
}

node_pid() { cat "$DIR/node$1/pid" 2>/dev/null || true; }
# Running, and not a zombie: a killed node whose parent has not reaped it yet still answers kill -0.
alive() { [ -n "$1" ] && ps -o stat= -p "$1" 2>/dev/null | grep -qv '^Z'; }

start_node() { # $1 node number
    local n="$1" dir="$DIR/node$1" pid
    pid="$(node_pid "$n")"
    if alive "$pid"; then log "node$n already runs (pid $pid)"; return; fi
    mkdir -p "$dir/data"
    [ -f "$DIR/ledger.env" ] || die "no ledger settings in $DIR: run '$0 start' first"
    # shellcheck disable=SC1091
    . "$DIR/ledger.env"
    local billing=(IEP_BILLING_MODE=local IEP_BILLING_HOST=127.0.0.1 IEP_BILLING_PORT=$((PORT_BASE + 10 + n)))
    if [ -n "${CLUSTER_BILLING_PORT:-}" ]; then
        billing=(IEP_BILLING_MODE=mllp IEP_BILLING_HOST="${CLUSTER_BILLING_HOST:-127.0.0.1}"
            IEP_BILLING_PORT="$CLUSTER_BILLING_PORT")
    fi
    local sender=()
    if [ "${CLUSTER_SINGLE_SENDER:-false}" = true ]; then
        [ -n "${CLUSTER_BILLING_PORT:-}" ] || die "CLUSTER_SINGLE_SENDER=true needs CLUSTER_BILLING_PORT (a real billing system)"
        local members="" m
        for m in $(seq 1 "$(cat "$DIR/nodes")"); do
            members="${members:+$members,}node$m@127.0.0.1:$((PORT_BASE + 50 + m))"
        done
        sender=(IEP_BILLING_SINGLE_SENDER=true IEP_BILLING_RAFT_MEMBERS="$members")
    fi
    (
        cd "$dir"
        env IEP_NODE="node$n" IEP_INBOUND_HOST=127.0.0.1 IEP_INBOUND_PORT=$((PORT_BASE + n)) IEP_DATA_DIR="$dir/data" \
            IEP_HTTP_HOST=127.0.0.1 IEP_HTTP_PORT=$((PORT_BASE + 40 + n)) \
            IEP_LEDGER_URL="$PG_URL" IEP_LEDGER_USER="$PG_USER" IEP_LEDGER_PASSWORD="$PG_PASSWORD" "${billing[@]}" "${sender[@]}" \
            setsid java ${CLUSTER_JAVA_OPTS:-} -jar "$JAR" run >>"$dir/engine.log" 2>&1 </dev/null &
        echo $! >"$dir/pid"
    )
    pid="$(node_pid "$n")"
    for _ in $(seq 1 120); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$((PORT_BASE + n))") 2>/dev/null; then
            log "node$n up: pid $pid, MLLP 127.0.0.1:$((PORT_BASE + n)), log $dir/engine.log"
            return
        fi
        alive "$pid" || { tail -n 5 "$dir/engine.log" >&2; die "node$n stopped during start-up (log $dir/engine.log)"; }
        sleep 0.5
    done
    die "node$n did not listen on $((PORT_BASE + n)) within 60 s (log $dir/engine.log)"
}

lb_env() {
    export LB_PIDFILE="$DIR/haproxy.pid" LB_BIND="127.0.0.1:$LB_PORT" LB_STATS_BIND="127.0.0.1:$STATS_PORT" \
        LB_NODE1_PORT=$((PORT_BASE + 1)) LB_NODE2_PORT=$((PORT_BASE + 2)) \
        LB_NODE1_HTTP_PORT=$((PORT_BASE + 41)) LB_NODE2_HTTP_PORT=$((PORT_BASE + 42))
    if [ "$(cat "$DIR/nodes")" -ge 3 ]; then
        export LB_NODE3_PORT=$((PORT_BASE + 3)) LB_NODE3_HTTP_PORT=$((PORT_BASE + 43))
    fi
}

start() {
    local nodes="${1:-2}"
    [[ "$nodes" =~ ^[23]$ ]] || die "start takes 2 or 3 nodes, not '$nodes'"
    mkdir -p "$DIR"
    echo "$nodes" >"$DIR/nodes"
    install_package haproxy haproxy
    command -v java >/dev/null || die "java (17 or later) is not on the PATH"
    if [ ! -f "$JAR" ]; then
        log "building $JAR"
        (cd "$REPO" && mvn -B -q package -DskipTests)
    fi
    ledger_database
    printf 'PG_URL=%q\nPG_USER=%q\nPG_PASSWORD=%q\n' "$PG_URL" "$PG_USER" "$PG_PASSWORD" >"$DIR/ledger.env"
    chmod 600 "$DIR/ledger.env"
    # The first node creates or migrates the schema; the others start once it is up.
    for n in $(seq 1 "$nodes"); do start_node "$n"; done
    lb_env
    if alive "$(cat "$DIR/haproxy.pid" 2>/dev/null || true)"; then
        log "HAProxy already runs"
    else
        haproxy -D -f "$REPO/deploy/haproxy.cfg" >>"$DIR/haproxy.log" 2>&1 \
            || die "HAProxy did not start (log $DIR/haproxy.log)"
        log "HAProxy up: the LIS sends to 127.0.0.1:$LB_PORT (stats http://127.0.0.1:$STATS_PORT/)"
    fi
}

status() {
    [ -f "$DIR/nodes" ] || { echo "no cluster in $DIR"; return 3; }
    local nodes lb_pid csv="" rc=0
    nodes="$(cat "$DIR/nodes")"
    lb_pid="$(cat "$DIR/haproxy.pid" 2>/dev/null || true)"
    if alive "$lb_pid"; then
        echo "haproxy  running  pid $lb_pid  127.0.0.1:$LB_PORT"
        csv="$(curl -fsS "http://127.0.0.1:$STATS_PORT/;csv" 2>/dev/null || true)"
    else
        echo "haproxy  stopped"; rc=3
    fi
    for n in $(seq 1 "$nodes"); do
        local pid check
        pid="$(node_pid "$n")"
        check="$(awk -F, -v s="node$n" '$1 == "nodes" && $2 == s { print $18 }' <<<"$csv")"
        if alive "$pid"; then
            echo "node$n    running  pid $pid  127.0.0.1:$((PORT_BASE + n))  health check: ${check:-unknown}"
        else
            echo "node$n    stopped  127.0.0.1:$((PORT_BASE + n))  health check: ${check:-unknown}"; rc=3
        fi
    done
    return $rc
}

stop() {
    local lb_pid
    lb_pid="$(cat "$DIR/haproxy.pid" 2>/dev/null || true)"
    if alive "$lb_pid"; then kill "$lb_pid"; log "HAProxy stopped"; fi
    for dir in "$DIR"/node*; do
        [ -d "$dir" ] || continue
        local pid
        pid="$(cat "$dir/pid" 2>/dev/null || true)"
        if alive "$pid"; then
            kill -TERM "$pid"
            for _ in $(seq 1 60); do alive "$pid" || break; sleep 0.5; done
            alive "$pid" && kill -KILL "$pid"
            log "$(basename "$dir") stopped"
        fi
    done
}

case "${1:-}" in
    start) start "${2:-2}" ;;
    start-node) [[ "${2:-}" =~ ^[123]$ ]] || die "start-node takes a node number"; start_node "$2" ;;
    kill)
        [[ "${2:-}" =~ ^[123]$ ]] || die "kill takes a node number"
        pid="$(node_pid "$2")"
        alive "$pid" || die "node$2 is not running"
        kill -KILL "$pid"
        # The signal is delivered asynchronously: a start-node right after must not find the node still exiting.
        for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
        alive "$pid" && die "node$2 (pid $pid) still runs 10 s after SIGKILL"
        log "node$2 (pid $pid) killed" ;;
    status) status ;;
    stop) stop ;;
    *) echo "usage: $0 start [2|3] | status | kill N | start-node N | stop" >&2; exit 2 ;;
esac
