#!/usr/bin/env bash
# Measures failover as a client sees it: kill -9 the primary (a crash), or with signal TERM stop it
# the way a supervisor or a rolling update does (it hands its role over first), then the time until the
# first successful write through the gateway. Needs a running cluster (dotnet run --project KvAspire.AppHost).
# Usage: KV_PASSWORD=<the cluster's client password> bench/failover.sh [rounds] [gateway-url] [KILL|TERM]
set -euo pipefail
rounds=${1:-5}
gateway=${2:-http://localhost:5080}
signal=${3:-KILL}
: "${KV_PASSWORD:?set KV_PASSWORD to the client password (README, Set up)}"
curl() { command curl -H "Authorization: Bearer $KV_PASSWORD" "$@"; }

field() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }

wait_for_primary() {
  for _ in $(seq 1 600); do
    primary=$(curl -s --max-time 1 "$gateway/cluster" | field "['primary'] or ''" 2>/dev/null || true)
    [ -n "$primary" ] && { echo "$primary"; return; }
    sleep 0.1
  done
  echo "no primary within 60 s" >&2; exit 1
}

for round in $(seq 1 "$rounds"); do
  primary=$(wait_for_primary)
  # every node must be back and caught up before the next kill
  for _ in $(seq 1 600); do
    up=$(curl -s --max-time 1 "$gateway/cluster" | field "['nodes']" | grep -o "'role'" | wc -l)
    [ "$up" -ge 3 ] && break; sleep 0.1
  done
  curl -sf -X PUT "$gateway/kv/failover-probe" -d before > /dev/null
  pid=$(curl -s "$gateway/cluster" | field "['nodes']" | python3 -c "
import sys, ast; nodes = ast.literal_eval(sys.stdin.read())
print(next(n['processId'] for n in nodes if n.get('node') == '$primary'))")
  start=$(date +%s%N)
  kill -s "$signal" "$pid"
  until curl -sf --max-time 2 -X PUT "$gateway/kv/failover-probe" -d "after-$round" > /dev/null; do sleep 0.01; done
  end=$(date +%s%N)
  echo "round $round: SIG$signal to $primary (pid $pid); first successful write after $(( (end - start) / 1000000 )) ms"
  # Aspire does not restart a killed project; the operator (or this script's caller) starts it from
  # the dashboard. Wait until the survivors have a primary before the next round.
done
