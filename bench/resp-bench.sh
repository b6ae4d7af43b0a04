#!/usr/bin/env bash
# RESP benchmark (issue 5): redis-benchmark against the KvAspire primary in both acknowledgement
# modes and against redis-server (Debian package) on this machine, in one run, alternating so the
# noisy machine treats them alike. Prints one line per (target, pipeline, test); see bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly REQUESTS="${REQUESTS:-200000}"
readonly CLIENTS=50
readonly PRIMARY_TIMEOUT_S=180
readonly RUN_TIMEOUT_S=900        # one redis-benchmark invocation
readonly REDIS_PORT="${REDIS_PORT:-17379}"
RESP_BASE_PORT="${RESP_BASE_PORT:-16379}"
WORK=$(mktemp -d)
redis_pid=""

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
source .ci/apphost-lib.sh
trap 'stop_apphost; [ -z "$redis_pid" ] || kill -TERM "$redis_pid" 2>/dev/null; rm -rf "$WORK"' EXIT

for tool in redis-benchmark redis-cli redis-server; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-tools redis-server >/dev/null; break; }
done

# bench LABEL PORT: both pipeline depths, SET and GET, 64-byte values over 100k random keys.
bench() {
  local label=$1 port=$2 pipeline
  for pipeline in 1 16; do
    timeout "$RUN_TIMEOUT_S" redis-benchmark -p "$port" -a "$KV_PASSWORD" -t set,get -n "$REQUESTS" -r 100000 -d 64 -c "$CLIENTS" -P "$pipeline" -q \
      2>&1 | tr '\r' '\n' | grep -E "requests per second" | sed "s/^/$label -P $pipeline  /"
  done
}

# With the same password as the cluster, so both sides authenticate each connection alike.
redis-server --port "$REDIS_PORT" --requirepass "$KV_PASSWORD" --save "" --appendonly no --daemonize no >"$WORK/redis.log" 2>&1 &
redis_pid=$!

dotnet build KvAspire.AppHost -v q -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -sr); redis-benchmark -n $REQUESTS -r 100000 -d 64 -c $CLIENTS"
for ack in Quorum Leader; do
  bench "redis-server           " "$REDIS_PORT"
  start_apphost --Replication:Acknowledge="$ack"
  primary=$(wait_for_primary "$PRIMARY_TIMEOUT_S") || { tail -n 40 "$WORK/apphost.log" >&2; exit 1; }
  bench "kvaspire ack=$ack$([ "$ack" = Leader ] && echo ' ')" "$primary"
  stop_apphost
done
