#!/usr/bin/env bash
# The gateway's cost: starts three Release nodes (seed timings, Quorum, Fsync=Always) and the gateway on free ports,
# without the AppHost, and runs wrk (16 connections, 64-byte values) for PUT and GET through the gateway and directly
# on the primary, alternating, ROUNDS times. Prints one line per run (rate, p50, and the gateway's CPU per request:
# utime + stime from /proc, which moves less with the machine's other load than a rate does) and the medians.
# Given revisions, it builds each in a worktree under bench/.work/gw and alternates them too (a before/after in one run).
# Usage: bench/gateway.sh [REV...]        (default: this work tree as it is)
#        ROUNDS=3 DURATION=15 bench/gateway.sh 8ae03d5 HEAD
#        PROFILE=put bench/gateway.sh     (one run: dotnet-counters and dotnet-trace of the gateway under that load)
set -euo pipefail
cd "$(dirname "$0")/.."

readonly ROUNDS="${ROUNDS:-2}" DURATION="${DURATION:-10}" CONNECTIONS=16 KEYS=10000 PROFILE="${PROFILE:-}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
ROOT="$PWD"
WORK="$ROOT/bench/.work/gateway-$(date -u +%Y%m%dT%H%M%SZ)"
TOOLS="$ROOT/bench/.tools"
mkdir -p "$WORK"
PASSWORD=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
pids=()

say() { echo "== $(date -u +%T) $*" >&2; }

stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  pids=()
}
trap stop_all EXIT
trap 'exit 1' INT TERM

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

# checkout REV: REV's tree (this work tree for "."), built in Release; prints its path.
checkout() {
  local dir=$ROOT sha
  if [ "$1" != "." ]; then
    sha=$(git rev-parse --short "$1") dir="$ROOT/bench/.work/gw/$sha"
    [ -d "$dir" ] || git worktree add -q --detach "$dir" "$sha" >&2
  fi
  say "building $1"
  for project in KvAspire.Node KvAspire.Gateway; do
    dotnet build "$dir/$project" -c Release -v q -nologo >>"$WORK/build.log" 2>&1 || { tail -n 20 "$WORK/build.log" >&2; exit 1; }
  done
  echo "$dir"
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start DIR LABEL: three nodes and the gateway from DIR's Release build; sets GATEWAY_URL, GATEWAY_PID, PRIMARY_URL.
# Logging is left as the AppHost leaves it (no override), since what each process logs per request is part of its cost.
start() {
  local dir=$1 label=$2 i j data="$WORK/data-$2-$RANDOM" gateway_port env
  local -a http peer resp
  for i in 1 2 3; do http[i]=$(free_port) peer[i]=$(free_port) resp[i]=$(free_port); done
  for i in 1 2 3; do
    env=(Cluster__NodeId="node$i" Cluster__Timing=Default Replication__Acknowledge=Quorum Storage__Fsync=Always
      Storage__DataDirectory="$data/node$i" Auth__Password="$PASSWORD"
      KV_HTTP_PORT="${http[i]}" KV_PEER_PORT="${peer[i]}" KV_RESP_PORT="${resp[i]}")
    for j in 1 2 3; do
      env+=(Cluster__Members__$((j - 1))="node$j")
      [ "$j" = "$i" ] || env+=(services__node${j}__peer__0="http://127.0.0.1:${peer[j]}" services__node${j}__resp__0="tcp://127.0.0.1:${resp[j]}")
    done
    env "${env[@]}" dotnet "$dir/KvAspire.Node/bin/Release/net10.0/KvAspire.Node.dll" >"$WORK/$label-node$i.log" 2>&1 &
    pids+=($!)
  done
  gateway_port=$(free_port)
  env=(ASPNETCORE_URLS="http://127.0.0.1:$gateway_port" Auth__Password="$PASSWORD")
  for i in 1 2 3; do env+=(services__node${i}__http__0="http://127.0.0.1:${http[i]}"); done
  env "${env[@]}" dotnet "$dir/KvAspire.Gateway/bin/Release/net10.0/KvAspire.Gateway.dll" >"$WORK/$label-gateway.log" 2>&1 &
  GATEWAY_PID=$! GATEWAY_URL="http://127.0.0.1:$gateway_port"
  pids+=("$GATEWAY_PID")
  local primary="" deadline=$((SECONDS + 120))
  until [ -n "$primary" ]; do
    [ "$SECONDS" -lt "$deadline" ] || { say "no primary within 120 s"; tail -n 20 "$WORK/$label-"*.log >&2; exit 1; }
    sleep 1
    primary=$(curl -s --max-time 2 -H "Authorization: Bearer $PASSWORD" "$GATEWAY_URL/cluster" \
      | python3 -c 'import json, sys; print(json.load(sys.stdin).get("primary") or "")' 2>/dev/null || true)
    # The gateway routes once it has seen the primary; a write through it proves both are ready.
    [ -z "$primary" ] || curl -sf -o /dev/null -X PUT --data-binary ready -H "Authorization: Bearer $PASSWORD" "$GATEWAY_URL/kv/ready" \
      || primary=""
  done
  PRIMARY_URL="http://127.0.0.1:${http[${primary#node}]}"
}

cpu_ms() { awk -v tck="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / tck) }' "/proc/$1/stat"; }

# load OP URL SECONDS: wrk's summary as "requests rate p50_ms errors".
load() {
  wrk -t 2 -c "$CONNECTIONS" -d "${3}s" --latency -s "$ROOT/bench/gateway.lua" "$2" -- "$1" "$PASSWORD" "$KEYS" 2>&1 \
    | awk '/requests in/ { n = $1 } /Requests\/sec/ { r = $2 } /^ +50%/ { p = $2 } /Non-2xx|Socket errors/ { e = e $0 }
        END { sub(/ms$/, "", p); if (p ~ /us$/) { sub(/us$/, "", p); p = p / 1000 } printf "%s %s %s %s\n", n, r, p, (e == "" ? "none" : e) }'
}

# measure LABEL: PUT and GET, through the gateway and directly, on the cluster start() made.
measure() {
  local label=$1 op via url cpu result
  load put "$GATEWAY_URL" 3 >/dev/null # JIT and connections warm
  for op in put get; do
    for via in gateway direct; do
      [ "$via" = gateway ] && url=$GATEWAY_URL || url=$PRIMARY_URL
      cpu=$(cpu_ms "$GATEWAY_PID")
      result=$(load "$op" "$url" "$DURATION")
      cpu=$(( $(cpu_ms "$GATEWAY_PID") - cpu ))
      read -r n rate p50 errors <<<"$result"
      printf '%s\t%s\t%s\t%.0f/s\tp50 %s ms\tgateway cpu %.1f us/request\tload %s\terrors %s\n' "$label" "${op^^}" "$via" "$rate" "$p50" \
        "$([ "$via" = gateway ] && echo "$cpu * 1000 / $n" | bc -l || echo 0)" "$(cut -d' ' -f1 /proc/loadavg)" "$errors" | tee -a "$WORK/runs.tsv"
    done
  done
}

profile() {
  local dir=$1 seconds=$((DURATION))
  for tool in dotnet-trace dotnet-counters; do
    [ -x "$TOOLS/$tool" ] || dotnet tool install "$tool" --version 10.0.750501 --tool-path "$TOOLS" >/dev/null
  done
  start "$dir" profile
  load put "$GATEWAY_URL" 3 >/dev/null
  load "$PROFILE" "$GATEWAY_URL" $((seconds + 10)) >"$WORK/profile-load.txt" &
  local load_pid=$!
  sleep 3
  "$TOOLS/dotnet-counters" collect -p "$GATEWAY_PID" --counters System.Runtime,Microsoft.AspNetCore.Hosting,System.Net.Http,Yarp.ReverseProxy \
    --duration "00:00:00:$(printf %02d "$seconds")" -o "$WORK/counters.csv" >/dev/null &
  local counters_pid=$!
  "$TOOLS/dotnet-trace" collect -p "$GATEWAY_PID" --profile dotnet-sampled-thread-time,gc-verbose \
    --duration "00:00:00:$(printf %02d "$seconds")" -o "$WORK/gateway.nettrace" >/dev/null
  wait "$load_pid" "$counters_pid"
  echo "load (requests rate p50_ms errors): $(cat "$WORK/profile-load.txt")"
  # Wall-clock samples: threads waiting in epoll or the thread pool's semaphore count too; read past them.
  echo "== top methods by exclusive time"
  "$TOOLS/dotnet-trace" report "$WORK/gateway.nettrace" topN -n 40
  echo "== top methods by inclusive time"
  "$TOOLS/dotnet-trace" report "$WORK/gateway.nettrace" topN -n 60 --inclusive
  echo "== counters (means): allocation rate / request rate = bytes allocated per request"
  python3 - "$WORK/counters.csv" <<'EOF2' || true
import collections, csv, sys
values = collections.defaultdict(list)
for row in csv.DictReader(open(sys.argv[1])):
    values[(row["Provider"], row["Counter Name"])].append(float(row["Mean/Increment"]))
for (provider, name), v in sorted(values.items()):
    print(f"{provider}\t{name}\t{sum(v) / len(v):.1f}")
EOF2
  echo "trace and counters: $WORK"
}

dirs=()
for rev in "${@:-.}"; do dirs+=("$(checkout "$rev")"); done
say "uptime: $(uptime)"
if [ -n "$PROFILE" ]; then
  profile "${dirs[0]}"
  exit 0
fi
for round in $(seq 1 "$ROUNDS"); do
  for i in "${!dirs[@]}"; do
    label=$([ "${dirs[i]}" = "$ROOT" ] && echo "." || echo "${dirs[i]##*/}")
    say "round $round: $label"
    start "${dirs[i]}" "$label-$round"
    measure "$label"
    stop_all
  done
done
echo "medians of $ROUNDS rounds ($(uptime)):"
python3 - "$WORK/runs.tsv" <<'EOF'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    label, op, via, rate, p50, cpu = line.rstrip("\n").split("\t")[:6]
    runs[(label, op, via)].append((float(rate[:-2]), float(p50.split()[1]), float(cpu.split()[2])))
for (label, op, via), values in runs.items():
    rate, p50, cpu = (statistics.median(v[k] for v in values) for k in range(3))
    direct = runs.get((label, op, "direct"))
    ratio = f"  {rate / statistics.median(v[0] for v in direct):.2f}x of direct" if via == "gateway" and direct else ""
    print(f"{label}\t{op}\t{via}\t{rate:.0f}/s\tp50 {p50:.2f} ms" + (f"\tgateway cpu {cpu:.1f} us/request{ratio}" if via == "gateway" else ""))
EOF
