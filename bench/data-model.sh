#!/usr/bin/env bash
# Issue 22's quick check: redis-benchmark's data-model tests against one node built from this tree and one
# built from another tree (BASE, e.g. the commit before the data model: SET and GET only, it knows no more),
# each a one-node cluster on the same ports, alternating REPEATS times in one run; prints redis-benchmark's
# CSV lines prefixed with the build. No redis-server is installed here, so Redis is not beside them.
# Usage: bench/data-model.sh <base KvAspire.Node.dll>   (run under flock /work/cluster.lock on a shared machine)
set -euo pipefail
cd "$(dirname "$0")/.."
readonly BASE_DLL="$1"
readonly HEAD_DLL="$PWD/KvAspire.Node/bin/Release/net10.0/KvAspire.Node.dll"
readonly REQUESTS="${REQUESTS:-20000}" REPEATS="${REPEATS:-2}" PORT=18379
readonly TESTS="${TESTS:-set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,mset}"
node_pid=""
trap '[ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null || true' EXIT

run() {
  local label=$1 dll=$2 tests=$3 data
  data=$(mktemp -d)
  Cluster__NodeId=node1 Cluster__Timing=Fast Storage__DataDirectory="$data" KV_HTTP_PORT=18080 KV_PEER_PORT=18081 \
    KV_RESP_PORT=$PORT Logging__LogLevel__Default=Warning dotnet "$dll" >"$data.log" 2>&1 &
  node_pid=$!
  for _ in $(seq 1 300); do
    redis-cli -p $PORT ROLE 2>/dev/null | head -1 | grep -q master && break
    sleep 0.2
  done
  redis-benchmark -p $PORT -t "$tests" -n "$REQUESTS" -r 100000 --csv 2>/dev/null | sed "s/^/$label,/"
  kill "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=""
  rm -rf "$data" "$data.log"
}

echo 'build,"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
for _ in $(seq 1 "$REPEATS"); do
  run base "$BASE_DLL" set,get
  run head "$HEAD_DLL" "$TESTS"
done
