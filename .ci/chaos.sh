#!/usr/bin/env bash
# Chaos check (issue 18): a 2-minute run of the chaos suite against its own Release cluster — every kind of fault
# (kill -9, SIGSTOP, isolate, one-way cut, slow and failing disk, whole-cluster restart, wiped node) under HTTP and
# RESP load, with the membership track beside it (two spare nodes added, promoted and removed, the primary too, among
# those faults). Fails the build on a history that is not linearizable, an acknowledged write lost, a fault that could
# not be injected, or no membership change accepted. CHAOS_SEED picks another schedule (the run prints it); CHAOS_MINUTES another length.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly BUILD_TIMEOUT_S=900   # a cold Release build of the node, the gateway and the suite on a busy 2-core machine
readonly RUN_TIMEOUT_S=900     # the run itself, its heals and the check: a few minutes
SEED="${CHAOS_SEED:-42}"
MINUTES="${CHAOS_MINUTES:-2}"
WORK=$(mktemp -d)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

timeout "$BUILD_TIMEOUT_S" dotnet build bench/KvAspire.Chaos -c Release -v q -nologo >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log" >&2; echo "chaos: FAILED: build" >&2; exit 1; }

# The suite kills every process it started, also on SIGTERM from timeout.
if timeout "$RUN_TIMEOUT_S" dotnet run -c Release --no-build --project bench/KvAspire.Chaos -- \
    run --minutes "$MINUTES" --seed "$SEED" --out "$WORK/run"; then
  echo "chaos: passed (seed $SEED, $MINUTES min)"
  rm -rf "$WORK"
else
  echo "chaos: FAILED (seed $SEED, $MINUTES min; replay with CHAOS_SEED=$SEED): report, history and node logs in $WORK/run" >&2
  for log in "$WORK"/run/*.log; do
    echo "--- last lines of $log ---" >&2
    tail -n 20 "$log" >&2 || true
  done
  exit 1
fi
