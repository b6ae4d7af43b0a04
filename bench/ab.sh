#!/usr/bin/env bash
# Before/after of one change, measured in the same run: builds two git revisions (Release) in
# worktrees under bench/.work/ab, then alternates them ROUNDS times, each time starting that
# revision's AppHost (seed timings, Quorum) and running redis-benchmark against its primary with
# and without -P 16. Prints one line per run (rate, p50, and the CPU the three nodes spent per request) and the
# median per revision; raw CSV in $WORK.
# Usage: bench/ab.sh BEFORE_REV [AFTER_REV (default: the work tree as committed, HEAD)]
#        ROUNDS=3 REQUESTS=20000 bench/ab.sh 27fd733
#        AFTER_ARGS=--Cluster:ReadMode=Lease bench/ab.sh HEAD HEAD   (one revision, two settings: BEFORE_ARGS too)
set -euo pipefail
cd "$(dirname "$0")/.."

readonly BEFORE="${1:?usage: bench/ab.sh BEFORE_REV [AFTER_REV]}" AFTER="${2:-HEAD}"
readonly ROUNDS="${ROUNDS:-3}" REQUESTS="${REQUESTS:-20000}"
readonly RUN_TIMEOUT_S=600 PRIMARY_TIMEOUT_S=300
RESP_BASE_PORT="${RESP_BASE_PORT:-16379}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
ROOT="$PWD"
WORK="$ROOT/bench/.work/ab-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$WORK"
source .ci/apphost-lib.sh
export APPHOST_CONFIGURATION=Release
trap stop_apphost EXIT

say() { echo "== $(date -u +%T) $*" >&2; }

# checkout REV: a worktree of REV under bench/.work/ab, built in Release; prints its path.
checkout() {
  local rev sha dir
  rev=$1 sha=$(git rev-parse --short "$1") dir="$ROOT/bench/.work/ab/$sha"
  [ -d "$dir" ] || git worktree add -q --detach "$dir" "$sha" >&2
  say "building $rev ($sha)"
  dotnet build "$dir/KvAspire.AppHost" -c Release -m:1 -v q -nologo >"$WORK/build-$sha.log" 2>&1 \
    || { tail -n 20 "$WORK/build-$sha.log" >&2; exit 1; }
  echo "$dir"
}

# ports_free: waits (up to 2 min) until no process listens on the RESP ports, so the previous
# cluster's nodes, still shutting down, cannot be taken for this one's primary.
ports_free() {
  local waited=0
  while ss -ltn | grep -qE ":($RESP_BASE_PORT|$((RESP_BASE_PORT + 1))|$((RESP_BASE_PORT + 2))) "; do
    [ "$waited" -lt 120 ] || { say "RESP ports $RESP_BASE_PORT.. still taken after 120 s"; exit 1; }
    sleep 1; waited=$((waited + 1))
  done
}

# cpu_ms DIR: CPU time (user + system, ms) used so far by DIR's node processes. Unlike a rate, the CPU a request costs
# barely moves with what else runs on this shared machine, so it settles a before/after that the rates cannot.
cpu_ms() {
  local ticks=0 pid
  for pid in $(pgrep -f "$1/KvAspire.Node/bin/Release/"); do
    ticks=$((ticks + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo $((ticks * 1000 / $(getconf CLK_TCK)))
}

# measure LABEL DIR [AppHost arguments...]: one round of redis-benchmark (SET then GET, -P 1 and -P 16) against DIR's cluster.
measure() {
  local label=$1 dir=$2 pipeline test primary out cpu
  shift 2
  ports_free
  cd "$dir"
  start_apphost --Cluster:Timing=Seed --Replication:Acknowledge=Quorum "$@"
  cd "$ROOT"
  primary=$(wait_for_primary "$PRIMARY_TIMEOUT_S") || { tail -n 40 "$WORK/apphost.log" >&2; exit 1; }
  for pipeline in 1 16; do
    for test in set get; do
      out="$WORK/$label-$test-P$pipeline-$(date -u +%H%M%S).csv"
      cpu=$(cpu_ms "$dir")
      timeout "$RUN_TIMEOUT_S" redis-benchmark -p "$primary" -a "$KV_PASSWORD" -t "$test" -n "$REQUESTS" -r 100000 -d 64 -c 50 \
        -P "$pipeline" --csv >"$out" 2>&1 || say "redis-benchmark $label $test -P $pipeline failed: $(head -n 1 "$out")"
      cpu=$(( $(cpu_ms "$dir") - cpu ))
      awk -F'"' -v label="$label" -v p="$pipeline" -v load="$(cut -d' ' -f1 /proc/loadavg)" -v cpu="$cpu" -v n="$REQUESTS" \
        '$2 == "SET" || $2 == "GET" { printf "%s\t%s -P %s\t%.0f\tp50 %s ms\tcpu %.1f us/request\tload %s\n", label, $2, p, $4, $10, cpu * 1000 / n, load }' "$out" \
        | tee -a "$WORK/runs.tsv"
    done
  done
  stop_apphost
}

before_dir=$(checkout "$BEFORE")
after_dir=$(checkout "$AFTER")
for round in $(seq 1 "$ROUNDS"); do
  say "round $round of $ROUNDS"
  # shellcheck disable=SC2086 # the arguments are words
  measure before "$before_dir" ${BEFORE_ARGS:-}
  # shellcheck disable=SC2086
  measure after "$after_dir" ${AFTER_ARGS:-}
done

echo "median over $ROUNDS rounds (redis-benchmark -n $REQUESTS -r 100000 -d 64 -c 50, Quorum, seed timings): requests/s, and the nodes' CPU per request:"
for label in before after; do
  for test in "SET -P 1" "GET -P 1" "SET -P 16" "GET -P 16"; do
    for column in 3 5; do
      awk -F'\t' -v l="$label" -v t="$test" -v c="$column" '$1 == l && $2 == t { split($c, f, " "); print (c == 5 ? f[2] : $c) }' "$WORK/runs.tsv" | sort -n \
        | awk -v l="$label" -v t="$test" -v unit="$([ "$column" = 3 ] && echo "requests/s" || echo "us CPU/request")" \
          '{ v[NR] = $1 } END { if (NR) printf "%s\t%s\t%s %s\t(min %s, max %s, n %d)\n", l, t, v[int((NR + 1) / 2)], unit, v[1], v[NR], NR }'
    done
  done
done
