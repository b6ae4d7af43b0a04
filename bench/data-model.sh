#!/usr/bin/env bash
# Issue 22's measurements, KvAspire (a 3-node Release cluster started through the AppHost, seed timings) beside
# Redis (redis-server primary + 2 replicas on this machine), each phase in one run, alternating REPEATS rounds:
#   bench/data-model.sh commands   redis-benchmark's default test list (no -t), against both primaries
#   bench/data-model.sh ratios     INCR, HSET, LPUSH, SADD and SET on KvAspire alone, one run each, order rotated per round
#   bench/data-model.sh memory     RSS of the primary with 1M keys without a deadline, then 1M keys with one; and
#                                  a mass expiry: those 1M keys share one deadline; time from it until none is left,
#                                  and SET p99 while they expire against p99 just before
#   bench/data-model.sh base <KvAspire.Node.dll of another build>
#                                  SET, GET and the set commands (BASE_TESTS=set,get,hset for others) on a one-node
#                                  cluster of this tree beside one of another
# Prints CSV lines (first field: what was measured) and keeps them in bench/.work/<time>-data-model/.
# Run under `flock /work/cluster.lock` on a shared machine; each phase holds it for minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
readonly PHASE="${1:?usage: bench/data-model.sh commands|ratios|memory|base <dll>}"
readonly REPEATS="${REPEATS:-2}" REQUESTS="${REQUESTS:-20000}" KEYS="${KEYS:-1000000}" VALUE_BYTES="${VALUE_BYTES:-100}"
readonly BASE_TESTS="${BASE_TESTS:-set,get,sadd,spop}"   # the base phase's redis-benchmark -t
readonly WRITE_REQUESTS="${WRITE_REQUESTS:-10000}"   # one SET latency sample: redis-benchmark -t set -n this
# SYSTEMS="kvaspire" (or "redis") limits the memory phase to one of the two.
RESP_BASE_PORT="${RESP_BASE_PORT:-16379}"
readonly REDIS_PORT=17380   # the primary; its replicas on the next two ports (bench/run.sh's REDIS_REPL_PORT)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
WORK="$PWD/bench/.work/$(date -u +%Y%m%dT%H%M%SZ)-data-model"
mkdir -p "$WORK"
OUT="$WORK/results.csv"
source .ci/apphost-lib.sh
source bench/redis-lib.sh
export APPHOST_CONFIGURATION=Release
trap 'stop_apphost; stop_redis' EXIT

say() { echo "# $(date -u +%H:%M:%S) $* (load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT" >&2; }
emit() { echo "$*" | tee -a "$OUT"; }

start_redis() {
  start_redis_replicated "$REDIS_PORT"
  redis_replicas_online "$REDIS_PORT"
}

# start_kvaspire: a fresh cluster (new data folder); sets KV_PORT to the primary's RESP port.
start_kvaspire() {
  stop_apphost
  # The nodes outlive the AppHost by a moment; a node of the old cluster must not be taken for the new primary.
  local port
  for port in "$RESP_BASE_PORT" $((RESP_BASE_PORT + 1)) $((RESP_BASE_PORT + 2)); do
    for _ in $(seq 1 300); do [ -z "$(ss -ltnH "sport = :$port")" ] && break; sleep 0.2; done
  done
  start_apphost --Cluster:Timing=Seed
  KV_PORT=$(wait_for_primary 300) || { tail -20 "$WORK/apphost.log" >&2; return 1; }
}

# cli <system> args...: redis-cli against Redis' primary or KvAspire's (with its password).
cli() {
  local system=$1; shift
  if [ "$system" = redis ]; then peer_cli -p "$REDIS_PORT" "$@"; else redis-cli -p "$KV_PORT" "$@"; fi
}

bench() { # bench <system> redis-benchmark args...: CSV lines
  local system=$1; shift
  if [ "$system" = redis ]; then redis-benchmark -p "$REDIS_PORT" "$@" --csv 2>"$WORK/rb.err"
  else redis-benchmark -p "$KV_PORT" -a "$KV_PASSWORD" "$@" --csv 2>"$WORK/rb.err"; fi
}

rss_kib() { # rss_kib <port>: VmRSS of the process listening on the port
  local pid
  pid=$(ss -ltnpH "sport = :$1" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"
}

# load <system> [deadline_ms]: KEYS SETs of VALUE_BYTES through redis-cli --pipe, each with PXAT deadline if given.
load() {
  local system=$1 deadline=${2:-} file="$WORK/load.resp"
  python3 - "$KEYS" "$VALUE_BYTES" "$deadline" >"$file" <<'PY'
import sys
keys, size, deadline = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
value = b"v" * size
out = sys.stdout.buffer
for i in range(keys):
    key = b"k:%07d" % i
    args = [b"SET", key, value] + ([b"PXAT", deadline.encode()] if deadline else [])
    out.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
PY
  if [ "$system" = redis ]; then peer_cli -p "$REDIS_PORT" --pipe <"$file" >"$WORK/pipe.log"
  else redis-cli -p "$KV_PORT" --pipe <"$file" >"$WORK/pipe.log"; fi
  grep -q "errors: 0," "$WORK/pipe.log" || { cat "$WORK/pipe.log" >&2; return 1; }
}

expiring() { # expiring <system>: how many stored keys have a deadline
  cli "$1" INFO keyspace | tr -d '\r' | sed -n 's/^db0:.*expires=\([0-9]*\).*/\1/p' | grep . || echo 0
}

set_p99() { # set_p99 <system>: SET p99 in ms, 50 clients, on keys apart from the loaded ones
  bench "$1" -t set -n "$WRITE_REQUESTS" -r 100000 -d "$VALUE_BYTES" -c 50 | awk -F'"' 'NR == 2 {print $4 "," $14}'
}

commands_phase() {
  emit 'system,round,"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
  start_redis
  start_kvaspire
  for round in $(seq 1 "$REPEATS"); do
    for system in redis kvaspire; do
      say "$system round $round: redis-benchmark -n $REQUESTS -r 100000 (default tests)"
      # redis-benchmark stops at the first error reply; whether the whole list ran is recorded either way.
      if bench "$system" -n "$REQUESTS" -r 100000 | tail -n +2 | sed "s/^/$system,$round,/" | tee -a "$OUT"; then
        say "$system ran the whole default list"
      else
        say "$system stopped at: $(tail -1 "$WORK/rb.err")"
      fi
    done
  done
}

# ratios_phase: INCR, HSET, LPUSH and SADD against SET on KvAspire alone, one redis-benchmark run per test, in an order
# rotated every round (the default list always runs SET first, on a cluster still warming up).
ratios_phase() {
  local tests=(set incr hset lpush sadd) round i n=5
  emit 'system,round,"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
  start_kvaspire
  for round in $(seq 1 "$REPEATS"); do
    say "kvaspire round $round: ${tests[*]:$((round % n))} ${tests[*]:0:$((round % n))}"
    for i in $(seq 0 $((n - 1))); do
      bench kvaspire -t "${tests[$(( (round + i) % n ))]}" -n "$REQUESTS" -r 100000 | tail -n +2 | sed "s/^/kvaspire,$round,/" | tee -a "$OUT"
    done
  done
}

# memory_round <system>: RSS without deadlines, then with one shared deadline, then the mass expiry at it.
memory_round() {
  local system=$1 port before plain with start load_s deadline steady gone during=() now
  if [ "$system" = kvaspire ]; then start_kvaspire; port=$KV_PORT; else cli redis FLUSHALL >/dev/null; port=$REDIS_PORT; fi
  before=$(rss_kib "$port")
  start=$(date +%s%N)
  load "$system"
  load_s=$(( ($(date +%s%N) - start) / 1000000 ))
  plain=$(rss_kib "$port")
  emit "memory,$system,no deadline,keys $(cli "$system" DBSIZE),rss_kib_before $before,rss_kib_after $plain,load_ms $load_s"

  if [ "$system" = kvaspire ]; then start_kvaspire; port=$KV_PORT; else cli redis FLUSHALL >/dev/null; fi
  before=$(rss_kib "$port")
  # One deadline for every key, far enough for the load (1.5 times the plain load's time) and the steady sample.
  deadline=$(( $(date +%s%3N) + 3 * load_s / 2 + 30000 ))
  load "$system" "$deadline"
  with=$(rss_kib "$port")
  emit "memory,$system,one deadline,keys $(cli "$system" DBSIZE),rss_kib_before $before,rss_kib_after $with,$(cli "$system" INFO keyspace | grep db0 | tr -d '\r')"
  steady=$(set_p99 "$system")
  now=$(date +%s%3N)
  [ "$now" -lt "$deadline" ] || { emit "expiry,$system,invalid: loading ended $((now - deadline)) ms after the deadline"; return 0; }
  emit "expiry,$system,steady SET rps and p99 ms,$steady,deadline in $((deadline - now)) ms"
  while [ "$(date +%s%3N)" -lt "$deadline" ]; do sleep 0.05; done
  # Writes go on while the keys expire (to keys without a deadline); every 100 ms INFO keyspace's expires (stored keys
  # with a deadline, expired or not, in both) tells whether any of the loaded keys is left.
  (
    while [ "$(expiring "$system")" != 0 ]; do
      [ "$(date +%s%3N)" -lt $((deadline + 180000)) ] || { echo "over 180000 ($(expiring "$system") left)" >"$WORK/gone_ms"; exit 0; }
      sleep 0.1
    done
    echo $(( $(date +%s%3N) - deadline )) >"$WORK/gone_ms"
  ) &
  local watcher=$!
  while kill -0 "$watcher" 2>/dev/null; do during+=("$(set_p99 "$system")"); done
  wait "$watcher"
  gone=$(cat "$WORK/gone_ms")
  emit "expiry,$system,all $KEYS keys gone after the deadline ms,$gone,SET rps and p99 ms during: ${during[*]}"
}

memory_phase() {
  start_redis
  for round in $(seq 1 "$REPEATS"); do
    for system in ${SYSTEMS:-redis kvaspire}; do
      say "$system round $round: $KEYS keys of $VALUE_BYTES bytes, without and with one deadline"
      memory_round "$system"
    done
  done
}

base_phase() {
  local base_dll=$1 head_dll="$PWD/KvAspire.Node/bin/Release/net10.0/KvAspire.Node.dll" port=18379 round label dll
  local node_pid="" data
  emit 'build,round,"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
  for round in $(seq 1 "$REPEATS"); do
    for label in base head; do
      [ "$label" = base ] && dll=$base_dll || dll=$head_dll
      data=$(mktemp -d)
      Cluster__NodeId=node1 Cluster__Timing=Fast Storage__DataDirectory="$data" KV_HTTP_PORT=18080 KV_PEER_PORT=18081 \
        KV_RESP_PORT=$port Logging__LogLevel__Default=Warning dotnet "$dll" >"$data.log" 2>&1 &
      node_pid=$!
      for _ in $(seq 1 300); do env -u REDISCLI_AUTH redis-cli -p $port ROLE 2>/dev/null | head -1 | grep -q master && break; sleep 0.2; done
      say "$label round $round"
      redis-benchmark -p $port -t "$BASE_TESTS" -n "$REQUESTS" -r 100000 --csv 2>/dev/null | tail -n +2 | sed "s/^/$label,$round,/" | tee -a "$OUT"
      kill "$node_pid"; wait "$node_pid" 2>/dev/null || true
      rm -rf "$data" "$data.log"
    done
  done
}

dotnet build KvAspire.AppHost -c Release -v q -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
say "phase $PHASE, $(nproc) cores"
case "$PHASE" in
  commands) commands_phase ;;
  ratios) ratios_phase ;;
  memory) memory_phase ;;
  base) base_phase "${2:?a KvAspire.Node.dll of another build}" ;;
  *) echo "unknown phase $PHASE" >&2; exit 2 ;;
esac
echo "results: $OUT" >&2
