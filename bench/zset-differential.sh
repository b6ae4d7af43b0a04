#!/usr/bin/env bash
# Sorted sets, reply by reply against Redis: starts one KvAspire node (this tree's Debug build) and a redis-server,
# sends both the cases of bench/zset-differential.py and prints every reply that differs.
# Run under `flock /work/cluster.lock` on a shared machine (it holds it for seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
readonly KV_PORT=18479 REDIS_PORT=18480
dotnet build KvAspire.Node -v q -nologo >/dev/null
data=$(mktemp -d)
redis-server --port "$REDIS_PORT" --save '' --appendonly no >"$data/redis.log" 2>&1 &
redis_pid=$!
Cluster__NodeId=node1 Cluster__Timing=Fast Storage__DataDirectory="$data/node" KV_HTTP_PORT=18482 KV_PEER_PORT=18481 \
  KV_RESP_PORT=$KV_PORT Logging__LogLevel__Default=Warning dotnet KvAspire.Node/bin/Debug/net10.0/KvAspire.Node.dll >"$data/node.log" 2>&1 &
node_pid=$!
trap 'kill $node_pid $redis_pid 2>/dev/null; wait $node_pid $redis_pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do env -u REDISCLI_AUTH redis-cli -p $KV_PORT ROLE 2>/dev/null | head -1 | grep -q master && break; sleep 0.2; done
python3 bench/zset-differential.py "$KV_PORT" "$REDIS_PORT"
