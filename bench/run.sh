#!/usr/bin/env bash
# Issue 8's short benchmark suite (minutes): KvAspire beside Redis (single, and primary + 2 replicas),
# Garnet and a 3-member etcd, all started here on their own ports and measured in the same run,
# alternating, REPEATS times; then replication lag, failover under load (fast and seed timings),
# memory per key and restart; writes bench/RESULTS.md's generated section and the plots in bench/.
# Usage: bench/run.sh            (REPEATS=3; FULL=1 runs KvAspire with redis-benchmark's full -n too)
set -euo pipefail
cd "$(dirname "$0")/.."

readonly REPEATS="${REPEATS:-3}"
readonly PEER_REQUESTS="${PEER_REQUESTS:-200000}"   # issue 5's redis-benchmark -n
# KvAspire writes are ~100x slower than Redis here; its share of -n keeps the suite in minutes.
readonly KV_REQUESTS="${KV_REQUESTS:-$([ "${FULL:-0}" = 1 ] && echo 200000 || echo 10000)}"
readonly FAILOVER_ROUNDS_FAST="${FAILOVER_ROUNDS_FAST:-5}"
readonly FAILOVER_ROUNDS_SEED="${FAILOVER_ROUNDS_SEED:-3}"
readonly RESTART_KEYS="${RESTART_KEYS:-100000}"
readonly RUN_TIMEOUT_S=900              # one redis-benchmark invocation
readonly PRIMARY_TIMEOUT_S=300          # a loaded machine (load 100) took more than 180 s
# Ports clear of the default AppHost's (6379-6381, 5080, 15080/19080/20080) and of each other.
RESP_BASE_PORT="${RESP_BASE_PORT:-16379}"
readonly REDIS_PORT=17379 REDIS_REPL_PORT=17380 GARNET_PORT=17390 ETCD_CLIENT_PORT=23791 ETCD_PEER_PORT=23801
readonly GATEWAY=http://localhost:5080   # fixed by KvAspire.AppHost/Program.cs

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
WORK="$PWD/bench/.work/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$WORK"
RESULTS="$WORK/results.jsonl"
BENCH="$PWD/bench/KvAspire.Bench/bin/Release/net10.0/KvAspire.Bench"
TOOLS="$PWD/bench/.tools"
peer_pids=()
source .ci/apphost-lib.sh
source bench/redis-lib.sh
export APPHOST_CONFIGURATION=Release
# KvAspire requires its client password (KV_PASSWORD, from apphost-lib: redis-cli reads it from
# REDISCLI_AUTH, redis-benchmark takes -a, KvAspire.Bench --password). The peers run without one:
# they are reached with peer_cli (bench/redis-lib.sh) and --password "", never with it.

cleanup() {
  stop_apphost
  local pid
  for pid in "${peer_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

say() { echo "== $(date -u +%T) $*" >&2; }

# sample_load LABEL: the machine is shared; every figure is recorded beside the load it ran under:
# the load averages and the time of one 4 KiB synchronous write (O_DSYNC) where the nodes keep their data.
sample_load() {
  local l1 l5 l15 fsync_ms
  read -r l1 l5 l15 _ < /proc/loadavg
  fsync_ms=$(dd if=/dev/zero of="$WORK/fsync-probe" bs=4k count=100 oflag=dsync 2>&1 | awk '/copied/ { print $(NF-3) * 1000 / 100 }')
  rm -f "$WORK/fsync-probe"
  echo "{\"kind\":\"uptime\",\"label\":\"$1\",\"load1\":$l1,\"load5\":$l5,\"load15\":$l15,\"fsync_ms\":$fsync_ms}" >>"$RESULTS"
}

install_tools() {
  local missing=()
  for tool in redis-server redis-benchmark redis-cli etcd etcdctl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing redis-server, redis-tools, etcd-server, etcd-client (missing: ${missing[*]})"
    apt-get update -qq && apt-get install -y -qq redis-server redis-tools etcd-server etcd-client >/dev/null
  fi
  [ -x "$TOOLS/garnet-server" ] || dotnet tool install garnet-server --version 2.2.8 --tool-path "$TOOLS" >/dev/null
}

wait_for_port() { # port: until a peer (no password) answers PING there
  for _ in $(seq 1 100); do peer_cli -p "$1" PING >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "nothing answered on port $1" >&2; return 1
}

start_peers() {
  say "starting redis-server (single, primary + 2 replicas), garnet-server, etcd x3"
  redis-server --port "$REDIS_PORT" --dir "$WORK" --save "" --appendonly no >"$WORK/redis.log" 2>&1 &
  peer_pids+=($!)
  start_redis_replicated "$REDIS_REPL_PORT"
  peer_pids+=("${redis_pids[@]}")
  "$TOOLS/garnet-server" --port "$GARNET_PORT" --bind 127.0.0.1 >"$WORK/garnet.log" 2>&1 &
  peer_pids+=($!)
  local cluster="" i
  for i in 1 2 3; do cluster+="${cluster:+,}e$i=http://127.0.0.1:$((ETCD_PEER_PORT + i - 1))"; done
  for i in 1 2 3; do
    etcd --name "e$i" --data-dir "$WORK/etcd-e$i" \
      --listen-client-urls "http://127.0.0.1:$((ETCD_CLIENT_PORT + i - 1))" --advertise-client-urls "http://127.0.0.1:$((ETCD_CLIENT_PORT + i - 1))" \
      --listen-peer-urls "http://127.0.0.1:$((ETCD_PEER_PORT + i - 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PEER_PORT + i - 1))" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token kvaspire-bench >"$WORK/etcd-e$i.log" 2>&1 &
    peer_pids+=($!)
  done
  for port in "$REDIS_PORT" "$REDIS_REPL_PORT" $((REDIS_REPL_PORT + 1)) $((REDIS_REPL_PORT + 2)) "$GARNET_PORT"; do wait_for_port "$port"; done
  redis_replicas_online "$REDIS_REPL_PORT" || true
  ETCD_LEADER=$(etcd_leader)
}

# etcd_leader: the client URL of the member that leads, so etcd is measured as KvAspire is (at its primary).
etcd_leader() {
  local endpoints="" i
  for i in 1 2 3; do endpoints+="${endpoints:+,}http://127.0.0.1:$((ETCD_CLIENT_PORT + i - 1))"; done
  for _ in $(seq 1 100); do
    ETCDCTL_API=3 etcdctl --endpoints="$endpoints" endpoint status -w json 2>/dev/null | python3 -c '
import json, sys
for s in json.load(sys.stdin):
    if s["Status"]["header"]["member_id"] == s["Status"]["leader"]: print(s["Endpoint"])' && return 0
    sleep 0.2
  done
  echo "etcd elected no leader" >&2; return 1
}

# redis_benchmark LABEL PORT PIPELINE REQUESTS [PASSWORD]: issue 5's command; one JSON line per test, false if it failed.
redis_benchmark() {
  local label=$1 port=$2 pipeline=$3 requests=$4 password=${5:-} out="$WORK/redis-benchmark.csv"
  local auth=()
  [ -z "$password" ] || auth=(-a "$password")
  say "redis-benchmark $label -P $pipeline -n $requests"
  timeout "$RUN_TIMEOUT_S" redis-benchmark -p "$port" "${auth[@]}" -t set,get -n "$requests" -r 100000 -d 64 -c 50 -P "$pipeline" --csv >"$out" 2>&1 \
    || { note "redis-benchmark against $label -P $pipeline failed: $(grep -v '^"' "$out" | head -n 1)"; return 0; }
  tail -n +2 "$out" | tr -d '"' | while IFS=, read -r test rps _avg _min p50 _p95 p99 max; do
    echo "{\"kind\":\"redis-benchmark\",\"label\":\"$label\",\"op\":\"$test\",\"setting\":\"-c 50 -P $pipeline\",\"ops_per_s\":$rps,\"p50_ms\":$p50,\"p99_ms\":$p99,\"max_ms\":$max}"
  done >>"$RESULTS"
}

# note TEXT: something the reader must know about this run (a failed step, elections), kept in RESULTS.md.
note() {
  say "note: $1"
  python3 -c 'import json, sys; print(json.dumps({"kind": "note", "label": sys.argv[1]}))' "$1" >>"$RESULTS"
}

# term: the cluster's current term as the gateway sees it; every increase is an election.
term() { curl -s --max-time 5 -H "Authorization: Bearer $KV_PASSWORD" "$GATEWAY/cluster" | python3 -c 'import json, sys; print(json.load(sys.stdin)["term"])'; }

# single_client LABEL PORT REQUESTS PASSWORD: one connection, no pipelining: the latency a lone client sees.
# PASSWORD "" for a peer (no AUTH sent).
single_client() {
  "$BENCH" resp --port "$2" --clients 1 --requests "$3" --password "$4" --label "$1" --json "$RESULTS" --latency-csv "$WORK/latency-$1" >&2
}

# peers_round PIPELINE: every peer once, in a fixed order, between two KvAspire runs.
peers_round() {
  redis_benchmark "redis 7.0" "$REDIS_PORT" "$1" "$PEER_REQUESTS"
  redis_benchmark "redis 7.0 primary+2 replicas" "$REDIS_REPL_PORT" "$1" "$PEER_REQUESTS"
  redis_benchmark "garnet 2.2.8" "$GARNET_PORT" "$1" "$PEER_REQUESTS"
}

start_cluster() { # extra AppHost arguments
  # The gateway's port is fixed: on a shared machine, wait for another AppHost to finish.
  local waited=0
  while ss -ltn | grep -qE ':(5080|15080) '; do
    [ "$waited" -lt 1800 ] || { echo "port 5080 or 15080 stayed taken for 30 min (another AppHost?)" >&2; exit 1; }
    [ $((waited % 60)) -eq 0 ] && say "waiting for another AppHost to free ports 5080/15080"
    sleep 5; waited=$((waited + 5))
  done
  say "starting the AppHost $*"
  start_apphost "$@"
  primary=$(wait_for_primary "$PRIMARY_TIMEOUT_S") || { tail -n 40 "$WORK/apphost.log" >&2; exit 1; }
}

# kvaspire_benchmark LABEL PIPELINE: redis-benchmark at whichever node is primary right now.
kvaspire_benchmark() {
  primary=$(wait_for_primary "$PRIMARY_TIMEOUT_S") || { note "no KvAspire primary for $1 -P $2"; return 0; }
  redis_benchmark "$1" "$primary" "$2" "$KV_REQUESTS" "$KV_PASSWORD"
}

# Throughput and latency in one acknowledgement mode, with the seed timings (the default of
# `dotnet run`): the fast profile's 300-600 ms election timeout trips on this loaded machine.
throughput_suite() { # MODE (Quorum or Primary)
  local mode=$1 label="kvaspire ack=$1" rep pipeline first_term
  start_cluster --Cluster:Timing=Seed --Replication:Acknowledge="$mode"
  first_term=$(term)
  for rep in $(seq 1 "$REPEATS"); do
    sample_load "$mode rep $rep"
    for pipeline in 1 16; do
      peers_round "$pipeline"
      kvaspire_benchmark "$label" "$pipeline"
    done
    single_client "redis-single-client" "$REDIS_PORT" 5000 ""
    primary=$(wait_for_primary "$PRIMARY_TIMEOUT_S")
    single_client "kvaspire-ack-$mode-single-client" "$primary" 2000 "$KV_PASSWORD"
  done
  note "ack=$mode run (seed timings): term $first_term at the start, $(term) after the throughput runs (each increase is an election)"
}

http_and_lag() {
  say "HTTP: KvAspire primary and gateway, etcd leader"
  local primary_http rep
  for rep in $(seq 1 "$REPEATS"); do
    primary_http=$("$BENCH" primary-url --gateway "$GATEWAY" --password "$KV_PASSWORD")
    "$BENCH" http --url "$ETCD_LEADER" --api etcd --password "" --clients 16 --requests 2000 --label "etcd 3.4 x3 (leader)" --json "$RESULTS" >&2
    "$BENCH" http --url "$primary_http" --password "$KV_PASSWORD" --clients 16 --requests 2000 --label "kvaspire ack=Quorum primary" --json "$RESULTS" >&2
    "$BENCH" http --url "$GATEWAY" --password "$KV_PASSWORD" --clients 16 --requests 2000 --label "kvaspire ack=Quorum gateway" --json "$RESULTS" >&2
  done
  sample_load "lag"
  say "replication lag, idle and under load"
  "$BENCH" lag --gateway "$GATEWAY" --password "$KV_PASSWORD" --duration 10 --label "idle, seed timings (2 s heartbeat)" --json "$RESULTS"
  "$BENCH" lag --gateway "$GATEWAY" --password "$KV_PASSWORD" --duration 10 --load-clients 50 --label "under RESP SET load (50 clients), seed timings" --json "$RESULTS"
}

failover() { # TIMING ROUNDS LABEL
  sample_load "failover $1"
  say "failover, $1 timings, $2 rounds"
  "$BENCH" failover --gateway "$GATEWAY" --password "$KV_PASSWORD" --rounds "$2" --warmup 4 --label "$3" --out "$WORK/failover-${1,,}" --json "$RESULTS"
}

resp_failover() { # TIMING ROUNDS LABEL
  say "StackExchange.Redis (default options) across a kill, $1 timings, $2 rounds"
  "$BENCH" resp-failover --gateway "$GATEWAY" --password "$KV_PASSWORD" --rounds "$2" --label "$3" --out "$WORK/resp-failover-${1,,}" --json "$RESULTS"
}

plots() {
  say "plots"
  local series="" f name
  for f in "$WORK"/latency-*-set.csv; do name=${f#"$WORK/latency-"}; series+="${name%-set.csv} SET=$f;"; done
  "$BENCH" plot-latency --series "$series" --title "SET latency, one client, no pipelining (bench/run.sh $(date -u +%F))" \
    --png bench/latency-single-client.png
  series=""
  for f in "$WORK"/failover-fast-round*-timeline.csv; do name=${f#"$WORK/failover-fast-"}; series+="${name%-timeline.csv}=$f;"; done
  "$BENCH" plot-throughput --series "$series" --title "PUTs through the gateway around kill -9 of the primary (fast timings)" \
    --png bench/failover-throughput.png
  "$BENCH" plot-latency --series "fast timings=$WORK/failover-fast-round1-latency.csv;seed timings=$WORK/failover-seed-round1-latency.csv" \
    --title "PUT latency through the gateway during a failover round (4 clients)" --png bench/failover-latency.png
}

install_tools
say "building (Release)"
dotnet build KvAspire.AppHost -c Release -v q -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
dotnet build bench/KvAspire.Bench -c Release -v q -nologo >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
start_peers
started=$(date -u +%FT%TZ)
throughput_suite Quorum
http_and_lag
failover Seed "$FAILOVER_ROUNDS_SEED" "seed (2 s heartbeat, 5-8 s election)"
# Each failover run stops the nodes it relaunched when it ends: the next one needs a whole cluster.
stop_apphost
start_cluster --Cluster:Timing=Seed
resp_failover Seed "$FAILOVER_ROUNDS_SEED" "seed (2 s heartbeat, 5-8 s election)"
stop_apphost
throughput_suite Primary
sample_load "restart"
say "memory per key and restart with $RESTART_KEYS keys"
"$BENCH" restart --gateway "$GATEWAY" --password "$KV_PASSWORD" --keys "$RESTART_KEYS" --out "$WORK/restart" --json "$RESULTS"
stop_apphost
start_cluster --Cluster:Timing=Fast
failover Fast "$FAILOVER_ROUNDS_FAST" "fast (50 ms heartbeat, 300-600 ms election)"
stop_apphost
start_cluster --Cluster:Timing=Fast
resp_failover Fast "$FAILOVER_ROUNDS_FAST" "fast (50 ms heartbeat, 300-600 ms election)"
stop_apphost
plots
"$BENCH" report --results "$RESULTS" --markdown bench/RESULTS.md --header "## Short suite: \`bench/run.sh\` (REPEATS=$REPEATS), $started

Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); shared with other builds (load below). \
redis-benchmark \`-t set,get -r 100000 -d 64 -c 50 [-P 16]\` with \`-n $PEER_REQUESTS\` for the peers and \`-n $KV_REQUESTS\` for KvAspire; \
KvAspire Release build, seed timings except the fast failover rows, \`Storage:Fsync=Always\`; Redis with \`--save \"\" --appendonly no\`; Garnet defaults (no AOF); \
etcd 3.4 defaults (fsync per batch) through its JSON gateway with this suite's HTTP driver. Raw lines: \`$WORK/results.jsonl\` (not committed)."
say "done: bench/RESULTS.md, bench/*.png (raw results in $WORK)"
