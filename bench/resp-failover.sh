#!/usr/bin/env bash
# The part of bench/run.sh that measures what a StackExchange.Redis application with default options
# (every node and the password, nothing else) sees across kill -9 of the primary: the longest gap
# between successful writes, kill -> first success, and the new primary's election -> first success.
# Starts its own Release cluster (fast, then seed timings). Prints one line per round and appends
# JSON lines to bench/.work/<time>/results.jsonl. Usage: bench/resp-failover.sh [fast-rounds] [seed-rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
fast_rounds=${1:-5}
seed_rounds=${2:-3}
RESP_BASE_PORT="${RESP_BASE_PORT:-16379}"
readonly GATEWAY=http://localhost:5080   # fixed by KvAspire.AppHost/Program.cs
WORK="$PWD/bench/.work/$(date -u +%Y%m%dT%H%M%SZ)-resp-failover"
mkdir -p "$WORK"
BENCH="$PWD/bench/KvAspire.Bench/bin/Release/net10.0/KvAspire.Bench"
source .ci/apphost-lib.sh
export APPHOST_CONFIGURATION=Release
trap stop_apphost EXIT

dotnet build KvAspire.AppHost -c Release -v q -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
dotnet build bench/KvAspire.Bench -c Release -v q -nologo >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
for run in "Fast $fast_rounds fast (50 ms heartbeat, 300-600 ms election)" "Seed $seed_rounds seed (2 s heartbeat, 5-8 s election)"; do
  read -r timing rounds label <<<"$run"
  start_apphost --Cluster:Timing="$timing"
  "$BENCH" resp-failover --gateway "$GATEWAY" --password "$KV_PASSWORD" --rounds "$rounds" --label "$label" \
    --out "$WORK/resp-failover-${timing,,}" --json "$WORK/results.jsonl"
  stop_apphost
done
