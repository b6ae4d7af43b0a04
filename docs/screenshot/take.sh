#!/usr/bin/env bash
# Regenerates every picture of the docs (see take.mjs for the list) in one command: builds the AppHost,
# starts it on a scratch data folder with an anonymous dashboard (fast election timings), runs take.mjs
# against it (which writes through the gateway, steps the primary down and crashes the new one), and
# stops the AppHost and everything it started, on failure too.
#
#   apt-get install -y chromium      # once
#   docs/screenshot/take.sh          # or: SHOTS=write,lag docs/screenshot/take.sh
#
# Needs ports 15080 (dashboard), 5080 (gateway) and the RESP ports from RESP_BASE_PORT (default 16379) free.
set -euo pipefail
cd "$(dirname "$0")/../.."

readonly BUILD_TIMEOUT_S=600
readonly SHOTS_TIMEOUT_S=600
RESP_BASE_PORT="${RESP_BASE_PORT:-16379}"
WORK=$(mktemp -d)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
source .ci/apphost-lib.sh   # start_apphost/stop_apphost; exports KV_PASSWORD and KV_ADMIN_SECRET
trap 'stop_apphost; rm -rf "$WORK"' EXIT

fail() {
  echo "take.sh: FAILED: $*" >&2
  tail -n 40 "$WORK/apphost.log" >&2 || true
  exit 1
}

[ -d docs/screenshot/node_modules ] || (cd docs/screenshot && npm ci --no-audit --no-fund)
timeout "$BUILD_TIMEOUT_S" dotnet build KvAspire.AppHost -v q -nologo >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log" >&2; fail "build"; }

# The pictures need no login token; this dashboard lives only as long as this script.
ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true start_apphost
DASHBOARD_URL=http://localhost:15080 GATEWAY_URL=http://localhost:5080 \
  timeout "$SHOTS_TIMEOUT_S" node docs/screenshot/take.mjs || fail "take.mjs"
