#!/usr/bin/env bash
# RESP smoke check (issue 5): start the cluster with the AppHost, then redis-cli SET/GET against the
# primary's RESP port and a short redis-benchmark that must finish without errors. Always stops the
# AppHost and cleans up.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly BUILD_TIMEOUT_S=600      # a cold build on a busy 2-core machine
readonly PRIMARY_TIMEOUT_S=180    # AppHost start + first election + every RESP port answering
readonly REDIS_CLI_TIMEOUT_S=10
readonly BENCH_TIMEOUT_S=300      # redis-benchmark -n 20000
# Not the default 6379.. so that a Redis or another cluster on this machine does not collide.
RESP_BASE_PORT="${RESP_BASE_PORT:-16379}"
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

timeout "$BENCH_TIMEOUT_S" redis-benchmark -p "$primary" -a "$KV_PASSWORD" -t set,get -n 20000 -q >"$WORK/bench.log" 2>&1 \
  || { cat "$WORK/bench.log" >&2; fail "redis-benchmark did not finish"; }
# -q ends each test with one "SET: N requests per second" line; any error line is a failure.
tr '\r' '\n' <"$WORK/bench.log" | grep -E "requests per second" | tee "$WORK/bench.summary"
if grep -qiE "error" "$WORK/bench.log"; then fail "redis-benchmark reported errors"; fi
[ "$(grep -cE "^(SET|GET): " "$WORK/bench.summary")" -eq 2 ] || fail "redis-benchmark did not report both SET and GET"
echo "resp-smoke: redis-benchmark ok"
