# Shared by bench/run.sh and bench/data-model.sh: Redis primary + 2 replicas on this machine, the shape KvAspire's
# 3 nodes are measured beside. Source it; it defines functions only. Callers set WORK (a scratch folder).

redis_pids=()

# redis-cli for the Redis peers, which run without a password: REDISCLI_AUTH holds KvAspire's (apphost-lib.sh).
peer_cli() { env -u REDISCLI_AUTH redis-cli "$@"; }

# start_redis_replicated <port>: redis-server without persistence on <port> and two replicas of it on the next two
# ports, in the background; their pids are added to redis_pids. redis_replicas_online waits for the replicas.
start_redis_replicated() {
  local port=$1 i
  redis-server --port "$port" --dir "$WORK" --save "" --appendonly no >"$WORK/redis-primary.log" 2>&1 &
  redis_pids+=($!)
  for i in 1 2; do
    redis-server --port $((port + i)) --dir "$WORK" --save "" --appendonly no --replicaof 127.0.0.1 "$port" \
      >"$WORK/redis-replica$i.log" 2>&1 &
    redis_pids+=($!)
  done
}

# redis_replicas_online <port>: true once the primary on <port> lists both replicas online (20 s at most).
redis_replicas_online() {
  for _ in $(seq 1 100); do
    [ "$(peer_cli -p "$1" INFO replication 2>/dev/null | grep -c '^slave[0-9]*:.*state=online')" -eq 2 ] && return 0
    sleep 0.2
  done
  echo "the replicas of the redis-server on port $1 did not come online" >&2
  return 1
}

# stop_redis: stops what start_redis_replicated started.
stop_redis() {
  local pid
  for pid in "${redis_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  redis_pids=()
}
