#!/usr/bin/env bash
# Profiles the KvAspire SET path: a RESP SET load (50 clients) on the primary of a Release cluster
# while dotnet-trace samples the primary's (PROFILED=secondary: a secondary's) thread stacks (~100 Hz, wall-clock: waiting threads
# count) and dotnet-counters records the runtime and KvAspire.Node counters; prints where the host
# loop's time goes (bench/host-loop.py) and the top methods by exclusive and inclusive time. Run it alone: bench/run.sh measures, this explains.
# Usage: bench/profile.sh        (ACK=Primary for the other acknowledgement mode, TRACE_SECONDS=15,
#        TEST=hset for the load of `redis-benchmark -t hset -r 100000` instead of KvAspire.Bench's SETs,
#        PIPELINE=16 to pipeline that load's requests)
set -euo pipefail
cd "$(dirname "$0")/.."

readonly ACK="${ACK:-Quorum}"
readonly TRACE_SECONDS="${TRACE_SECONDS:-15}"
readonly TEST="${TEST:-}"
readonly PIPELINE="${PIPELINE:-1}"
export PROFILED="${PROFILED:-primary}"   # or secondary: one of the two, under the same load
readonly GATEWAY=http://localhost:5080
RESP_BASE_PORT="${RESP_BASE_PORT:-16379}"
WORK="$PWD/bench/.work/profile-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$WORK"
TOOLS="$PWD/bench/.tools"
BENCH="$PWD/bench/KvAspire.Bench/bin/Release/net10.0/KvAspire.Bench"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 APPHOST_CONFIGURATION=Release
source .ci/apphost-lib.sh
load_pid=""
trap '[ -z "$load_pid" ] || kill -TERM "$load_pid" 2>/dev/null; stop_apphost' EXIT

for tool in dotnet-trace dotnet-counters; do
  [ -x "$TOOLS/$tool" ] || dotnet tool install "$tool" --version 10.0.750501 --tool-path "$TOOLS" >/dev/null
done
command -v redis-cli >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-tools >/dev/null; }
dotnet build KvAspire.AppHost -c Release -v q -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
dotnet build bench/KvAspire.Bench -c Release -v q -nologo >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }

start_apphost --Cluster:Timing=Seed --Replication:Acknowledge="$ACK"
primary=$(wait_for_primary 180) || { tail -n 40 "$WORK/apphost.log" >&2; exit 1; }
pid=$(curl -s -H "Authorization: Bearer $KV_PASSWORD" "$GATEWAY/cluster" | python3 -c '
import json, os, sys
view = json.load(sys.stdin)
primary = os.environ["PROFILED"] == "primary"
print(next(n["processId"] for n in view["nodes"] if (n.get("node") == view["primary"]) == primary))')
echo "primary: RESP port $primary; profiling the $PROFILED, pid $pid; uptime: $(uptime)"

# The load outlasts the trace by a few seconds on each side, so only steady state is sampled.
if [ -z "$TEST" ]; then
  "$BENCH" resp --port "$primary" --password "$KV_PASSWORD" --tests set --clients 50 --duration $((TRACE_SECONDS + 10)) --label "ack=$ACK" &
else
  # redis-benchmark has no duration: enough requests to outlast the trace, stopped once it ends.
  redis-benchmark -p "$primary" -a "$KV_PASSWORD" -t "$TEST" -r 100000 -d 64 -c 50 -P "$PIPELINE" -n 100000000 -q >"$WORK/load.log" 2>&1 &
fi
load_pid=$!
sleep 5
duration=$(printf '00:00:00:%02d' "$TRACE_SECONDS")
"$TOOLS/dotnet-counters" collect -p "$pid" --counters System.Runtime,KvAspire.Node --duration "$duration" \
  -o "$WORK/counters.csv" >/dev/null &
counters_pid=$!
"$TOOLS/dotnet-trace" collect -p "$pid" --duration "$duration" -o "$WORK/primary.nettrace" >/dev/null
[ -z "$TEST" ] || { sleep 5; kill -TERM "$load_pid"; }
wait "$load_pid" "$counters_pid" || true   # not a bare wait: the AppHost is a background job too
load_pid=""
echo "== the host loop's wall time (bench/host-loop.py)"
"$TOOLS/dotnet-trace" convert "$WORK/primary.nettrace" --format Speedscope -o "$WORK/primary" >/dev/null
python3 bench/host-loop.py "$WORK/primary.speedscope.json"
echo "== top methods by exclusive time (where threads were sampled)"
"$TOOLS/dotnet-trace" report "$WORK/primary.nettrace" topN -n 25
echo "== top methods by inclusive time"
"$TOOLS/dotnet-trace" report "$WORK/primary.nettrace" topN -n 40 --inclusive
echo "trace and counters: $WORK"
