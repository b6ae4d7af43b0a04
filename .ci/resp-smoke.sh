#!/usr/bin/env bash
# RESP smoke check (issue 5): start the cluster with the AppHost, then redis-cli SET/GET against the
# primary's RESP port and a short redis-benchmark that must finish without errors; then the same through
# the gateway's RESP endpoint (issue 17), before and after kill -9 of the primary. Always stops the
# AppHost and cleans up.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly BUILD_TIMEOUT_S=600      # a cold build on a busy 2-core machine
readonly PRIMARY_TIMEOUT_S=180    # AppHost start + first election + every RESP port answering
readonly REDIS_CLI_TIMEOUT_S=10
readonly BENCH_TIMEOUT_S=300      # redis-benchmark -n 20000
readonly FAILOVER_TIMEOUT_S=60    # kill -> a write through the gateway succeeds (fast timings: an election well under 5 s)
# Not the default 6379.. so that a Redis or another cluster on this machine does not collide.
RESP_BASE_PORT="${RESP_BASE_PORT:-16379}"
GATEWAY_RESP_PORT=$((RESP_BASE_PORT - 1))   # the AppHost puts the gateway's RESP endpoint below node1's
WORK=$(mktemp -d)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
source .ci/apphost-lib.sh
trap 'stop_apphost; rm -rf "$WORK"' EXIT

fail() {
  echo "resp-smoke: FAILED: $*" >&2
  echo "--- last AppHost output ---" >&2
  tail -n 40 "$WORK/apphost.log" >&2 || true
  exit 1
}

if ! command -v redis-cli >/dev/null || ! command -v redis-benchmark >/dev/null; then
  apt-get install -y -qq redis-tools >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq redis-tools >/dev/null; }
fi

timeout "$BUILD_TIMEOUT_S" dotnet build KvAspire.AppHost -v q -nologo >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log" >&2; fail "build"; }
start_apphost
primary=$(wait_for_primary "$PRIMARY_TIMEOUT_S") || fail "no primary on RESP ports from $RESP_BASE_PORT within $PRIMARY_TIMEOUT_S s"
echo "resp-smoke: primary RESP port $primary"

answer=$(timeout "$REDIS_CLI_TIMEOUT_S" redis-cli -p "$primary" SET resp-smoke:greeting "hello world")
[ "$answer" = "OK" ] || fail "SET answered '$answer'"
answer=$(timeout "$REDIS_CLI_TIMEOUT_S" redis-cli -p "$primary" GET resp-smoke:greeting)
[ "$answer" = "hello world" ] || fail "GET answered '$answer'"
answer=$(env -u REDISCLI_AUTH timeout "$REDIS_CLI_TIMEOUT_S" redis-cli -p "$primary" GET resp-smoke:greeting 2>&1)
[[ "$answer" == NOAUTH* ]] || fail "GET without the password answered '$answer'"
echo "resp-smoke: redis-cli SET/GET ok, refused without the password"

# benchmark PORT WHAT: a short redis-benchmark that must finish without errors, reporting SET and GET.
benchmark() {
  timeout "$BENCH_TIMEOUT_S" redis-benchmark -p "$1" -a "$KV_PASSWORD" -t set,get -n 20000 -q >"$WORK/bench.log" 2>&1 \
    || { cat "$WORK/bench.log" >&2; fail "redis-benchmark $2 did not finish"; }
  # -q ends each test with one "SET: N requests per second" line; any error line is a failure.
  tr '\r' '\n' <"$WORK/bench.log" | grep -E "requests per second" | tee "$WORK/bench.summary"
  if grep -qiE "error" "$WORK/bench.log"; then fail "redis-benchmark $2 reported errors"; fi
  [ "$(grep -cE "^(SET|GET): " "$WORK/bench.summary")" -eq 2 ] || fail "redis-benchmark $2 did not report both SET and GET"
  echo "resp-smoke: redis-benchmark $2 ok"
}
benchmark "$primary" "at the primary"

answer=$(timeout "$REDIS_CLI_TIMEOUT_S" redis-cli -p "$GATEWAY_RESP_PORT" GET resp-smoke:greeting)
[ "$answer" = "hello world" ] || fail "GET through the gateway answered '$answer'"
benchmark "$GATEWAY_RESP_PORT" "through the gateway"

# kill -9 of the primary: through the gateway, redis-cli writes again once a new primary is elected and a
# new redis-benchmark runs clean (one running at the kill ends with "Server closed the connection").
pid=$(curl -s -H "Authorization: Bearer $KV_PASSWORD" localhost:5080/cluster \
  | python3 -c 'import sys, json; d = json.load(sys.stdin); print(next(n["processId"] for n in d["nodes"] if n.get("node") == d["primary"]))') \
  || fail "the gateway's /cluster names no primary"
kill -9 "$pid"
deadline=$((SECONDS + FAILOVER_TIMEOUT_S))
until [ "$(timeout "$REDIS_CLI_TIMEOUT_S" redis-cli -p "$GATEWAY_RESP_PORT" SET resp-smoke:after-kill yes 2>&1)" = "OK" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "no write through the gateway within $FAILOVER_TIMEOUT_S s of killing the primary (pid $pid)"
  sleep 0.2
done
echo "resp-smoke: redis-cli through the gateway writes after the primary was killed"
benchmark "$GATEWAY_RESP_PORT" "through the gateway after the kill"
