#!/usr/bin/env bash
# Runs the benchmarks and prints their figures (see docs/benchmarks.md).
#   bash bench/run.sh BUILD_DIR [--quick]
# 1. the event store alone (iomhub_store_bench), durable, then a short
#    no-sync comparison;
# 2. a real iomhubd (--insecure, loopback, fresh data dir, fsync on) driven
#    over gRPC (iomhub_grpc_bench), stopped with SIGTERM;
# 3. a short no-sync comparison on a second iomhubd (--unsafe_no_sync);
# 4. the views: a fresh durable iomhubd, CaseService GetCase latency with
#    10,000 people, append-ack-to-visible lag under 64 durable appenders,
#    then 1,000,000 mixed events, the hub's ReadAll of them and a rebuild of
#    each view timed beside it, and the sharing policy's filtered delivery
#    (ReadAll, catch-up Subscribe, live append -> delivery) for Newport
#    housing beside police's raw forwarding (iomhub_case_bench); and the
#    same rebuilds in-process, without gRPC (iomhub_views_bench);
# 5. the IOM alert rules: alert latency under load beside the arrest's own
#    delivery on a fresh durable iomhubd, and the week-end pass over
#    --people people in Fixed in-process (iomhub_alert_bench); joint breach
#    decisions beside plain appends (iomhub_decision_bench).
# 6. the disclosure audit: ReadAll and catch-up Subscribe with auditing on
#    and off (audit.unsafe_disable), interleaved three times over one log,
#    then the subject access report for a person with 10,000 disclosures
#    (iomhub_grpc_bench, iomhub_audit_bench).
# --quick shrinks every workload (a smoke run of a few seconds each).
# 7. the partner adapters: the probation feed over a 100,000-message file
#    beside batched appends, and the health notifier's latency
#    (iomhub_adapter_bench).
# 8. appends beside Redis Streams XADD (appendfsync always) in the same run,
#    when redis-server is installed (opt-in: ONLY=redis).
# 9. opt-in (ONLY=growth, GROWTH_EVENTS, GROWTH_PEOPLE, GROWTH_FILL_ARRESTS):
#    appends on an empty log, then on a filled one once its views have caught
#    up and its compactions settled, to new people and to people with history.
# ONLY=store,grpc,views,alerts,audit,adapters,redis,growth runs only those sections.
# Whole run: about 6 minutes on 2 cores. Nothing here is part of ctest.
set -euo pipefail
BUILD_DIR="${1:?usage: bench/run.sh BUILD_DIR [--quick]}"
QUICK="${2:-}"
BIN="$BUILD_DIR/bin"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
for b in iomhubd iomhub_store_bench iomhub_grpc_bench iomhub_case_bench iomhub_views_bench \
    iomhub_alert_bench iomhub_decision_bench iomhub_audit_bench iomhub_adapter_bench \
    iomhub-probation-feed iomhub-health-notifier; do
  [ -x "$BIN/$b" ] || { echo "run.sh: $BIN/$b is missing; build it first" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/iomhub-bench.XXXXXX")"
CERTS="$ROOT/deploy/dev-certs/out"
CLIENT_TLS=(--ca="$CERTS/ca.pem" --cert="$CERTS/wales-probation-ndelius.pem"
            --key="$CERTS/wales-probation-ndelius.key")
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || echo "run.sh: iomhubd exited with status $?" >&2
  fi
  SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT

if [ "$QUICK" = "--quick" ]; then
  STORE_ARGS=(--seconds=2 --log_events=200000)
  GRPC_ARGS=(--seconds=2 --fill_to=200000 --fanout_seconds=3)
  NOSYNC_SECONDS=2
  CASE_ARGS=(--seconds=2 --people=2000 --mixed_events=100000 --mixed_people=2000)
  VIEWS_ARGS=(--events=100000 --people=2000)
  ALERT_ARGS=(--seconds=3 --appenders=16)
  DECISION_SECONDS=2
  WEEK_PEOPLE=2000
  AUDIT_FILL=100000
  AUDIT_DISCLOSURES=2000
  ADAPTER_ARGS=(--seconds=2 --messages=10000 --people=200 --notify_events=100)
else
  STORE_ARGS=(--seconds=8 --log_events=1000000)
  GRPC_ARGS=(--seconds=8 --fill_to=1000000 --fanout_seconds=10)
  NOSYNC_SECONDS=5
  CASE_ARGS=(--seconds=8 --people=10000 --mixed_events=1000000 --mixed_people=10000)
  VIEWS_ARGS=(--events=1000000 --people=10000)
  ALERT_ARGS=(--seconds=10 --appenders=16)
  DECISION_SECONDS=8
  WEEK_PEOPLE=10000
  AUDIT_FILL=500000
  AUDIT_DISCLOSURES=10000
  ADAPTER_ARGS=(--seconds=8 --messages=100000 --people=1000 --notify_events=500)
fi
want() { [ -z "${ONLY:-}" ] || [[ ",$ONLY," == *",$1,"* ]]; }

# start_server NAME [extra iomhubd flags...]: sets SERVER_PID and TARGET.
start_server() {
  local name=$1; shift
  local ready="$WORK/$name.ready"
  rm -f "$ready"  # a restart on the same data directory reuses the name
  # The shipped principals, teams and agreements; the bench producer table
  # lets the probation client append every partner event type.
  # SERVER_TLS=1: mutual TLS with the development certificates, as partners
  # connect (clients pass CLIENT_TLS); otherwise --insecure.
  local security=(--insecure)
  if [ "${SERVER_TLS:-0}" = 1 ]; then
    security=(--tls_cert="$CERTS/server.pem" --tls_key="$CERTS/server.key" --client_ca="$CERTS/ca.pem")
  fi
  "$BIN/iomhubd" "${security[@]}" --listen=127.0.0.1:0 --data_dir="$WORK/$name-data" \
    --principals="$ROOT/deploy/config/principals.textproto" \
    --teams="$ROOT/deploy/config/teams.textproto" \
    --agreements="$ROOT/deploy/config/agreements" --producers="$ROOT/bench/producers.textproto" \
    --rules="$ROOT/deploy/config/rules.textproto" \
    --metrics_listen=127.0.0.1:0 --ready_file="$ready" "$@" 2>"$WORK/$name.log" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    [ -f "$ready" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -f "$ready" ] || { echo "run.sh: iomhubd did not become ready" >&2; exit 1; }
  TARGET="$(sed -n 's/^grpc=//p' "$ready")"
  METRICS="$(sed -n 's/^metrics=//p' "$ready")"
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr)"
echo "== $(date -u +%Y-%m-%dT%H:%MZ), build $BUILD_DIR ($(grep -m1 CMAKE_BUILD_TYPE: "$BUILD_DIR/CMakeCache.txt" | cut -d= -f2))"

if want store; then
echo
echo "== 1. event store alone (durable: fsync per group commit)"
"$BIN/iomhub_store_bench" --dir="$WORK/store-durable" "${STORE_ARGS[@]}"
echo
echo "== 1b. event store alone, --sync=false (UNSAFE, comparison only)"
"$BIN/iomhub_store_bench" --dir="$WORK/store-nosync" --sync=false --seconds="$NOSYNC_SECONDS" \
  --workloads=append1,append100
rm -rf "$WORK/store-durable" "$WORK/store-nosync"
fi

if want grpc; then
echo
echo "== 2. iomhubd over gRPC (durable, --insecure on loopback; client and server share the machine)"
start_server durable
echo "   iomhubd at $TARGET, metrics http://$METRICS/metrics"
# Fan-out first, on the empty log: later, background flushes and compactions
# of the 1M-event fill share the 2 cores and would blur its latencies.
"$BIN/iomhub_grpc_bench" --target="$TARGET" --label=durable "${GRPC_ARGS[@]}" \
  --workloads=fanout,append1,append1_arrest,append100,append100_arrest,fill,readall,catchup
if command -v curl >/dev/null; then
  echo "   server metrics after the run:"
  curl -s "http://$METRICS/metrics" | grep -E '^iomhub_(subscriber_lag_events_(sum|count)|log_head_position|append_events_total\{code="ok"|commit_batch_(events|appends)_(sum|count)|commit_seconds_(sum|count))' \
    | sed 's/^/     /' || true
fi
stop_server
echo "   iomhubd stopped with SIGTERM"

echo
echo "== 3. iomhubd over gRPC, --unsafe_no_sync (UNSAFE, comparison only)"
start_server nosync --unsafe_no_sync
"$BIN/iomhub_grpc_bench" --target="$TARGET" --label=no-sync --seconds="$NOSYNC_SECONDS" \
  --workloads=append1,append100
stop_server
fi
if want views; then
echo
echo "== 4. views: CaseService and rebuilds on a durable iomhubd over gRPC"
start_server views
"$BIN/iomhub_case_bench" --target="$TARGET" "${CASE_ARGS[@]}"
stop_server
echo
echo "== 4b. views in-process (no gRPC): new views and rebuilds beside ReadAll on one log"
"$BIN/iomhub_views_bench" --dir="$WORK/views" "${VIEWS_ARGS[@]}"
rm -rf "$WORK/views"
fi

if want alerts; then
echo
echo "== 5. the IOM alert rules: alert latency on a durable iomhubd, the week-end pass in-process"
start_server alerts
"$BIN/iomhub_alert_bench" --workloads=latency --target="$TARGET" "${ALERT_ARGS[@]}"
stop_server
# Joint decisions need the shipped producer table (Sergeants, SPOs).
start_server decisions --producers="$ROOT/deploy/config/producers.textproto"
"$BIN/iomhub_decision_bench" --target="$TARGET" --seconds="${DECISION_SECONDS}"
stop_server
"$BIN/iomhub_alert_bench" --workloads=week --people="$WEEK_PEOPLE" --dir="$WORK/week"
rm -rf "$WORK/week"
fi

if want audit; then
echo
echo "== 6. the disclosure audit: reads and catch-up with auditing on and off, one log, interleaved"
echo 'audit { unsafe_disable: true }' >"$WORK/audit-off.textproto"
start_server audit
"$BIN/iomhub_grpc_bench" --target="$TARGET" --label=audit-on --fill_to="$AUDIT_FILL" \
  --workloads=fill
stop_server
for rep in 1 2 3; do
  start_server audit --config="$WORK/audit-off.textproto"
  "$BIN/iomhub_grpc_bench" --target="$TARGET" --label=audit-off --workloads=readall,catchup
  stop_server
  start_server audit
  "$BIN/iomhub_grpc_bench" --target="$TARGET" --label=audit-on --workloads=readall,catchup
  if command -v curl >/dev/null; then
    curl -s "http://$METRICS/metrics" | grep -E '^iomhub_audit_(records_total|wait_seconds_(sum|count))' \
      | sed 's/^/     /' || true
  fi
  stop_server
done
start_server audit
"$BIN/iomhub_audit_bench" --target="$TARGET" --disclosures="$AUDIT_DISCLOSURES"
stop_server
fi

if want redis; then
echo
echo "== 8. appends beside Redis Streams (XADD, appendonly with appendfsync always: durable), on the"
echo "      same machine in the same run, three interleaved repetitions; both over TCP loopback"
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  echo "   skipped: redis-server and redis-benchmark are not installed"
  echo "   (apt-get install --no-install-recommends redis-server redis-tools)"
else
  REDIS_PORT=""
  for p in $(shuf -i 20000-60000 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then REDIS_PORT=$p; break; fi
  done
  mkdir -p "$WORK/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" --save "" \
    --appendonly yes --appendfsync always --daemonize no > "$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  PAYLOAD=$(head -c 240 /dev/zero | tr '\0' 'x')  # about the size of a bench event
  REDIS_N=$([ "$QUICK" = "--quick" ] && echo 20000 || echo 200000)
  redis_rate() {  # clients pipeline -> requests per second
    redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -c "$1" -P "$2" -n "$REDIS_N" --csv \
      XADD bench '*' payload "$PAYLOAD" | tail -1 | cut -d, -f2 | tr -d '"'
  }
  start_server redis-peer
  # Arrests: appends the IOM rules do not judge first (as XADD is not).
  iomhub_rate() {  # workload [grpc_bench flags...] -> events per second
    local workload=$1; shift
    "$BIN/iomhub_grpc_bench" --target="$TARGET" --label=peer --seconds="$NOSYNC_SECONDS" \
      --workloads="$workload" "$@" | awk -F'|' '/^Append/ {gsub(/[ ,]/, "", $4); print $4}'
  }
  noop_rate() {  # [grpc_bench flags...] -> the unary ceiling on the same hub: Health/Check calls/s
    "$BIN/iomhub_grpc_bench" --target="$TARGET" --label=peer --seconds="$NOSYNC_SECONDS" \
      --workloads=noop "$@" | awk -F'|' '/^no-op/ {gsub(/[ ,]/, "", $4); print $4}'
  }
  for rep in 1 2 3; do
    r1=$(redis_rate 50 1)
    n1=$(noop_rate)
    i1=$(iomhub_rate append1_arrest)
    s1=$(iomhub_rate appendstream_arrest)
    r16=$(redis_rate 50 16)
    i100=$(iomhub_rate append100_arrest)
    echo "   rep $rep: single events: iomhub Append, 64 in flight $i1/s; Redis XADD, 50 clients $r1/s;" \
      "ratio $(awk -v a="$i1" -v b="$r1" 'BEGIN {printf "%.2f", a / b}');" \
      "no-op unary ceiling (Health/Check, 64 in flight) $n1/s, Append / ceiling" \
      "$(awk -v a="$i1" -v b="$n1" 'BEGIN {printf "%.2f", a / b}'), Redis / ceiling" \
      "$(awk -v a="$r1" -v b="$n1" 'BEGIN {printf "%.2f", a / b}')"
    echo "   rep $rep: iomhub AppendStream, 64 streams x 1 in flight $s1/s; ratio to Redis" \
      "$(awk -v a="$s1" -v b="$r1" 'BEGIN {printf "%.2f", a / b}'), to the ceiling" \
      "$(awk -v a="$s1" -v b="$n1" 'BEGIN {printf "%.2f", a / b}')"
    echo "   rep $rep: batched: iomhub Append 100/call, 8 in flight $i100/s; Redis XADD pipelined 16," \
      "50 clients $r16/s; ratio $(awk -v a="$i100" -v b="$r16" 'BEGIN {printf "%.2f", a / b}')"
  done
  stop_server
  # The same two calls over mutual TLS, as partners connect: what TLS costs
  # the hub, and the ceiling with it.
  bash "$ROOT/deploy/dev-certs.sh" "$CERTS" >/dev/null
  SERVER_TLS=1 start_server redis-peer-tls
  for rep in 1 2; do
    n1=$(noop_rate "${CLIENT_TLS[@]}")
    i1=$(iomhub_rate append1_arrest "${CLIENT_TLS[@]}")
    echo "   mTLS rep $rep: iomhub Append, 64 in flight $i1/s; no-op unary ceiling $n1/s;" \
      "Append / ceiling $(awk -v a="$i1" -v b="$n1" 'BEGIN {printf "%.2f", a / b}')"
  done
  stop_server
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$REDIS_PID"
  wait "$REDIS_PID" 2>/dev/null || true
fi
fi

# Opt-in (ONLY=growth): how an append's cost grows with the log. Appends to
# people with no history on an empty log, then the log is filled with
# GROWTH_EVENTS events of 10,000 other people (100 each at the default),
# the views catch up, and appends go to a third set of people with no
# history: the log's size alone. Then to the filled people: their history.
if [[ ",${ONLY:-}," == *",growth,"* ]]; then
echo
GROWTH_EVENTS=${GROWTH_EVENTS:-1000000}
# About 100 events per filled person at any log size, so the log's size and
# a person's history stay apart.
GROWTH_PEOPLE=${GROWTH_PEOPLE:-$(( GROWTH_EVENTS / 100 ))}
echo "== 9. how appends grow: an empty log, then $GROWTH_EVENTS events of $GROWTH_PEOPLE other people (durable)"
start_server growth
grow_rate() {  # offset -> "events/s p99"
  "$BIN/iomhub_grpc_bench" --target="$TARGET" --label=growth --seconds="$NOSYNC_SECONDS" \
    --workloads=append1_arrest --stream_offset="$1" |
    awk -F'|' '/^Append/ {gsub(/[ ,]/, "", $4); gsub(/ /, "", $6); print $4 " " $6}'
}
read -r e_rate e_p99 < <(grow_rate 0)
echo "   empty log, new people: $e_rate events/s, p99 $e_p99 ms"
"$BIN/iomhub_grpc_bench" --target="$TARGET" --label=growth --workloads=fill \
  --fill_to="$GROWTH_EVENTS" --fill_people="$GROWTH_PEOPLE" --fill_arrests="${GROWTH_FILL_ARRESTS:-false}" \
  --stream_offset=1000000 | grep fill || true
head_at() { curl -s "http://$METRICS/metrics" | awk '/^iomhub_log_head_position/ {print $2}'; }
caught_up_from=$(date +%s)
for _ in $(seq 1 3600); do  # the views catch up (at most an hour)
  head=$(head_at)
  behind=$(curl -s "http://$METRICS/metrics" | awk -v h="$head" '/^iomhub_view_checkpoint/ && $2 < h {n++} END {print n + 0}')
  [ "$behind" = 0 ] && break
  sleep 1
done
echo "   the views caught up in $(( $(date +%s) - caught_up_from )) s after the fill (views behind now: $behind)"
metric() { curl -s "http://$METRICS/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
settle_from=$(date +%s)
for _ in $(seq 1 1800); do  # RocksDB's compactions settle (at most 30 minutes)
  [ "$(metric iomhub_rocksdb_running_compactions)" = 0 ] &&
    awk -v p="$(metric iomhub_rocksdb_pending_compaction_bytes)" 'BEGIN {exit !(p == 0)}' && break
  sleep 1
done
echo "   compactions settled in $(( $(date +%s) - settle_from )) s; table files" \
  "$(metric iomhub_rocksdb_sst_bytes) bytes"
read -r b_rate b_p99 < <(grow_rate 2000000)
echo "   log of $(head_at) events, new people: $b_rate events/s, p99 $b_p99 ms;" \
  "ratio to the empty log $(awk -v a="$b_rate" -v b="$e_rate" 'BEGIN {printf "%.2f", a / b}')"
read -r h_rate h_p99 < <(grow_rate 1000000)
echo "   the same log, the filled people (history): $h_rate events/s, p99 $h_p99 ms;" \
  "ratio to the empty log $(awk -v a="$h_rate" -v b="$e_rate" 'BEGIN {printf "%.2f", a / b}')"
read -r c_rate c_p99 < <(grow_rate 3000000)
echo "   the same log, new people again: $c_rate events/s, p99 $c_p99 ms;" \
  "ratio to the empty log $(awk -v a="$c_rate" -v b="$e_rate" 'BEGIN {printf "%.2f", a / b}')"
stop_server
fi

if want adapters; then
echo
echo "== 7. partner adapters: the probation feed end to end (durable) beside batched appends, the"
echo "      health notifier's append -> FHIR POST latency (a local mutual-TLS receiver)"
bash "$ROOT/deploy/dev-certs.sh" "$WORK/certs" >/dev/null
start_server adapters
"$BIN/iomhub_adapter_bench" --target="$TARGET" --bin_dir="$BIN" --certs_dir="$WORK/certs" \
  --work_dir="$WORK" "${ADAPTER_ARGS[@]}"
stop_server
fi

echo
echo "== done"
