#!/usr/bin/env bash
# What Redis clients see of KvAspire, measured on a Release cluster this script starts itself:
# 1. the gateway's RESP endpoint against the primary directly: SET and GET, 50 clients, no pipelining,
#    alternating, REPEATS times (KvAspire.Bench's RESP driver: redis-benchmark's -c 50 -P 1 shape);
# 2. StackExchange.Redis with default options (every node and the password, nothing else) across kill -9
#    of the primary: the longest gap between successful writes, kill -> first success, and the new
#    primary's election -> first success (seed timings, then fast timings).
# Prints one line per round or run and appends JSON lines to bench/.work/<time>-redis-clients/results.jsonl.
# Usage: bench/redis-clients.sh [fast-rounds] [seed-rounds]     (REPEATS=3, REQUESTS=20000)
set -euo pipefail
cd "$(dirname "$0")/.."
fast_rounds=${1:-5}
seed_rounds=${2:-3}
readonly REPEATS="${REPEATS:-3}" REQUESTS="${REQUESTS:-20000}"
RESP_BASE_PORT="${RESP_BASE_PORT:-16379}"
readonly GATEWAY=http://localhost:5080 GATEWAY_RESP_PORT=$((RESP_BASE_PORT - 1))   # fixed by KvAspire.AppHost
WORK="$PWD/bench/.work/$(date -u +%Y%m%dT%H%M%SZ)-redis-clients"
mkdir -p "$WORK"
RESULTS="$WORK/results.jsonl"
BENCH="$PWD/bench/KvAspire.Bench/bin/Release/net10.0/KvAspire.Bench"
source .ci/apphost-lib.sh
export APPHOST_CONFIGURATION=Release
trap stop_apphost EXIT

dotnet build KvAspire.AppHost -c Release -v q -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
dotnet build bench/KvAspire.Bench -c Release -v q -nologo >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }

# Seed timings for the throughput runs, as bench/run.sh: the fast profile's 300-600 ms election timeout
# lets a loaded machine cause elections in the middle of a run.
start_apphost --Cluster:Timing=Seed
# The gateway's overhead first: a failover run stops the nodes it relaunched when it ends.
for _ in $(seq 1 "$REPEATS"); do
  primary_port=$("$BENCH" primary-url --gateway "$GATEWAY" --password "$KV_PASSWORD" --print resp-port)
  "$BENCH" resp --port "$primary_port" --password "$KV_PASSWORD" --clients 50 --pipeline 1 --requests "$REQUESTS" \
    --label "kvaspire primary (direct)" --json "$RESULTS"
  "$BENCH" resp --port "$GATEWAY_RESP_PORT" --password "$KV_PASSWORD" --clients 50 --pipeline 1 --requests "$REQUESTS" \
    --label "kvaspire through the gateway's RESP endpoint" --json "$RESULTS"
done
"$BENCH" resp-failover --gateway "$GATEWAY" --password "$KV_PASSWORD" --rounds "$seed_rounds" \
  --label "seed (2 s heartbeat, 5-8 s election)" --out "$WORK/resp-failover-seed" --json "$RESULTS"
stop_apphost

start_apphost --Cluster:Timing=Fast
"$BENCH" resp-failover --gateway "$GATEWAY" --password "$KV_PASSWORD" --rounds "$fast_rounds" \
  --label "fast (50 ms heartbeat, 300-600 ms election)" --out "$WORK/resp-failover-fast" --json "$RESULTS"
stop_apphost
echo "results: $RESULTS"
