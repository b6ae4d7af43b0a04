#!/usr/bin/env bash
# Does the dashboard keep the story of a failover while the cluster idles (issue 23)? Starts the AppHost
# with the default timings, kills the primary with SIGKILL, waits for the new primary's "is primary of
# term" line on the dashboard's Structured logs (read through its telemetry HTTP API, /api/telemetry/logs),
# then lets the cluster idle for IDLE_MINUTES (default 60). Every CHECK_MINUTES it records how many log
# entries the dashboard holds per resource and whether the failover's lines are still there; at the end it
# writes bench/results/idle-logs-<time>.md and exits non-zero if the lines were pushed out.
# Usage: bench/idle-logs.sh          (IDLE_MINUTES=60 CHECK_MINUTES=5)
set -euo pipefail
cd "$(dirname "$0")/.."
readonly IDLE_MINUTES="${IDLE_MINUTES:-60}" CHECK_MINUTES="${CHECK_MINUTES:-5}"
readonly DASHBOARD=http://localhost:15080   # fixed by KvAspire.AppHost's http launch profile
readonly FAILOVER_TIMEOUT_S=120 PRIMARY_TIMEOUT_S=300
RESP_BASE_PORT="${RESP_BASE_PORT:-16379}"
STARTED=$(date -u +%Y%m%dT%H%MZ)
WORK="$PWD/bench/.work/$STARTED-idle-logs"
REPORT="$PWD/bench/results/idle-logs-$STARTED.md"
mkdir -p "$WORK" bench/results
source .ci/apphost-lib.sh
trap stop_apphost EXIT

dotnet build KvAspire.AppHost -v q -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
# README's command runs the default timings; the anonymous dashboard lets this script read its API.
ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true start_apphost --Cluster:Timing=Default
first=$(wait_for_primary "$PRIMARY_TIMEOUT_S") || { tail -n 40 "$WORK/apphost.log" >&2; exit 1; }
victim=$(ss -ltnpH "sport = :$first" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)
[ -n "$victim" ] || { echo "idle-logs: no process listens on RESP port $first" >&2; exit 1; }
kill -KILL "$victim"
killed_at=$(date -u +%FT%TZ)
echo "killed the primary (RESP port $first, pid $victim) at $killed_at"

# logs_json: every structured log entry the dashboard holds (the API answers 200 entries unless asked).
logs_json() { curl -sf --max-time 60 "$DASHBOARD/api/telemetry/logs?limit=1000000"; }

# summary FILE: "total <n> | <resource> <n> ... | failover lines <n>" from one answer of the API.
summary() {
  python3 - "$1" <<'EOF'
import json, sys, collections
answer = json.load(open(sys.argv[1]))
per = collections.Counter()
failover = 0
for rl in answer["data"].get("resourceLogs", []):
    name = next((a["value"].get("stringValue") for a in rl["resource"]["attributes"] if a["key"] == "service.name"), "?")
    for sl in rl.get("scopeLogs", []):
        for record in sl.get("logRecords", []):
            per[name] += 1
            if "is primary of term" in record.get("body", {}).get("stringValue", ""):
                failover += 1
print(f"{answer['totalCount']}|{' '.join(f'{k}={v}' for k, v in sorted(per.items()))}|{failover}")
EOF
}

deadline=$((SECONDS + FAILOVER_TIMEOUT_S))
while :; do
  if logs_json >"$WORK/logs.json" && [ "$(summary "$WORK/logs.json" | cut -d'|' -f3)" -gt 0 ]; then break; fi
  [ "$SECONDS" -lt "$deadline" ] || { echo "idle-logs: no 'is primary of term' line within ${FAILOVER_TIMEOUT_S}s" >&2; exit 1; }
  sleep 2
done
echo "the new primary's line is on the dashboard"

rows=()
check() {
  local s
  logs_json >"$WORK/logs.json" || { rows+=("| $(date -u +%T) | $1 | the API did not answer | | |"); return; }
  s=$(summary "$WORK/logs.json")
  rows+=("| $(date -u +%T) | $1 | ${s%%|*} | $(cut -d'|' -f2 <<<"$s") | $(cut -d'|' -f3 <<<"$s") |")
  echo "${rows[-1]}"
}
check 0
for minute in $(seq "$CHECK_MINUTES" "$CHECK_MINUTES" "$IDLE_MINUTES"); do
  sleep $((CHECK_MINUTES * 60))
  kill -0 "$apphost_pid" 2>/dev/null || { echo "idle-logs: the AppHost stopped" >&2; exit 1; }
  check "$minute"
done
kept=$(summary "$WORK/logs.json" | cut -d'|' -f3)
read -r l1 l5 l15 _ </proc/loadavg
{
  echo "## The dashboard's Structured logs after ${IDLE_MINUTES} minutes of idling ($STARTED, bench/idle-logs.sh)"
  echo
  echo "\`dotnet run --project KvAspire.AppHost\` (Debug, \`Cluster:Timing=Default\`), the primary killed with SIGKILL at"
  echo "$killed_at, then nothing sent for $IDLE_MINUTES minutes. Entries the dashboard held (its telemetry API,"
  echo "\`/api/telemetry/logs\`), per resource, and how many \"is primary of term\" lines (the failover's) were still there."
  echo "Load at the end: $l1 / $l5 / $l15."
  echo
  echo "| time (UTC) | idle minutes | entries held | per resource | failover lines |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  [ "$kept" -gt 0 ] && echo "**Kept**: the failover's lines are still on the page." || echo "**Lost**: the failover's lines were pushed out."
} >"$REPORT"
cat "$REPORT"
[ "$kept" -gt 0 ]
