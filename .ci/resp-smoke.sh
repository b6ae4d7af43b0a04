#!/usr/bin/env bash
# RESP smoke check (issue 5): start the cluster with the AppHost, then redis-cli SET/GET against the
# primary's RESP port and a short redis-benchmark that must finish without errors. Always stops the
# AppHost (SIGTERM: it ignores SIGINT when started in the background) and cleans up.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly START_TIMEOUT_S=180      # build + AppHost start + first election
readonly PRIMARY_TIMEOUT_S=60     # all RESP ports answer and one of them is the primary
readonly BENCH_TIMEOUT_S=300      # redis-benchmark -n 20000 on a busy 2-core machine
readonly STOP_TIMEOUT_S=30
# Not the default 6379.. so that a Redis or another cluster on this machine does not collide.
readonly RESP_BASE_PORT="${RESP_BASE_PORT:-16379}"
readonly PORTS=("$RESP_BASE_PORT" "$((RESP_BASE_PORT + 1))" "$((RESP_BASE_PORT + 2))")

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v redis-cli >/dev/null || ! command -v redis-benchmark >/dev/null; then
  apt-get install -y -qq redis-tools >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq redis-tools >/dev/null; }
fi

work=$(mktemp -d)
apphost_pid=""
cleanup() {
  if [ -n "$apphost_pid" ] && kill -0 "$apphost_pid" 2>/dev/null; then
    # `dotnet run` is a wrapper: signal the AppHost itself (its child) as well as the wrapper.
    kill -TERM $(pgrep -P "$apphost_pid") "$apphost_pid" 2>/dev/null || true
    for _ in $(seq 1 "$STOP_TIMEOUT_S"); do kill -0 "$apphost_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$apphost_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "resp-smoke: FAILED: $*" >&2
  echo "--- last AppHost output ---" >&2
  tail -n 40 "$work/apphost.log" >&2 || true
  exit 1
}

dotnet build KvAspire.AppHost -v q -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "build"; }
dotnet run --project KvAspire.AppHost --launch-profile http --no-build -- \
  --Cluster:Timing=Fast --Resp:BasePort="$RESP_BASE_PORT" --Storage:DataRoot="$work/data" \
  >"$work/apphost.log" 2>&1 &
apphost_pid=$!

# The primary is the node whose ROLE starts with "master"; wait until every port answers and one does.
primary=""
deadline=$((SECONDS + START_TIMEOUT_S + PRIMARY_TIMEOUT_S))
while [ -z "$primary" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "no primary on ports ${PORTS[*]} within $((START_TIMEOUT_S + PRIMARY_TIMEOUT_S)) s"
  kill -0 "$apphost_pid" 2>/dev/null || fail "the AppHost exited"
  for port in "${PORTS[@]}"; do
    if [ "$(timeout 2 redis-cli -p "$port" ROLE 2>/dev/null | head -n 1)" = "master" ] \
       && [ "$(timeout 2 redis-cli -p "$port" GET resp-smoke:probe 2>&1 | head -c 9)" != "READONLY " ]; then
      primary=$port
    fi
  done
  [ -n "$primary" ] || sleep 1
done
echo "resp-smoke: primary RESP port $primary"

answer=$(timeout 10 redis-cli -p "$primary" SET resp-smoke:greeting "hello world")
[ "$answer" = "OK" ] || fail "SET answered '$answer'"
answer=$(timeout 10 redis-cli -p "$primary" GET resp-smoke:greeting)
[ "$answer" = "hello world" ] || fail "GET answered '$answer'"
echo "resp-smoke: redis-cli SET/GET ok"

timeout "$BENCH_TIMEOUT_S" redis-benchmark -p "$primary" -t set,get -n 20000 -q >"$work/bench.log" 2>&1 \
  || { cat "$work/bench.log" >&2; fail "redis-benchmark did not finish"; }
# -q prints one "SET: N requests per second" line per test; anything with "error" is a failure.
tr '\r' '\n' <"$work/bench.log" | grep -E "requests per second" | tee "$work/bench.summary"
grep -qiE "error" "$work/bench.log" && fail "redis-benchmark reported errors"
[ "$(grep -cE "^(SET|GET): " "$work/bench.summary")" -eq 2 ] || fail "redis-benchmark did not report both SET and GET"
echo "resp-smoke: redis-benchmark ok"
