#!/usr/bin/env bash
# Issue 19's measurements: a Release cluster from the AppHost (Quorum acknowledgements, fsync always, default timings),
# then the bench driver's `membership` run: N keys loaded, the spare node4 started, added as a learner (time to catch up),
# promoted and removed while 4 writers measure latency around each change. Prints the result; JSON lines in $OUT.
# Usage: bench/membership.sh [keys (default 1000000)] [out prefix (default bench/results/membership)]
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS="${1:-1000000}"
OUT="${2:-bench/results/membership}"
RESP_BASE_PORT="${RESP_BASE_PORT:-26379}"
WORK=$(mktemp -d)
export APPHOST_CONFIGURATION=Release
source .ci/apphost-lib.sh
trap 'stop_apphost; rm -rf "$WORK"' EXIT

dotnet build KvAspire.AppHost -c Release -v q -nologo >/dev/null
dotnet build bench/KvAspire.Bench -c Release -v q -nologo >/dev/null
start_apphost --Cluster:Timing=Default --Replication:Acknowledge=Quorum --Storage:Fsync=Always
wait_for_primary 240 >/dev/null || { tail -n 40 "$WORK/apphost.log" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
echo "membership: $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg), $KEYS keys"
dotnet bench/KvAspire.Bench/bin/Release/net10.0/KvAspire.Bench.dll membership --keys "$KEYS" --json "$OUT.jsonl" --out "$WORK/membership"
