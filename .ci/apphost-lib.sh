# Shared by .ci/resp-smoke.sh and bench/run.sh: start the AppHost in the background, find
# the primary's RESP port, stop it with SIGTERM. Source it; it defines functions only.
# Callers set: WORK (a scratch folder), RESP_BASE_PORT.

apphost_pid=""

# The cluster's secrets, given to the AppHost as its parameters (not generated, which would persist
# them in the developer's user secrets). redis-cli reads the password from REDISCLI_AUTH.
KV_PASSWORD="${KV_PASSWORD:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
KV_ADMIN_SECRET="${KV_ADMIN_SECRET:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
export KV_PASSWORD KV_ADMIN_SECRET REDISCLI_AUTH="$KV_PASSWORD"

# start_apphost [extra AppHost arguments...]: builds nothing (build first), logs to $WORK/apphost.log.
# APPHOST_CONFIGURATION (default Debug) picks the build that runs, nodes included: benchmarks use Release.
start_apphost() {
  dotnet run --project KvAspire.AppHost --launch-profile http --no-build -c "${APPHOST_CONFIGURATION:-Debug}" -- \
    --Cluster:Timing=Fast --Resp:BasePort="$RESP_BASE_PORT" --Storage:DataRoot="$WORK/data-$RANDOM" \
    --Parameters:kv-password="$KV_PASSWORD" --Parameters:kv-admin-secret="$KV_ADMIN_SECRET" "$@" \
    >"$WORK/apphost.log" 2>&1 &
  apphost_pid=$!
}

# stop_apphost [timeout_s]: SIGTERM (the AppHost ignores SIGINT in the background), then SIGKILL.
stop_apphost() {
  local timeout_s=${1:-30}
  if [ -n "$apphost_pid" ] && kill -0 "$apphost_pid" 2>/dev/null; then
    # `dotnet run` is a wrapper: signal the AppHost itself (its child) as well as the wrapper.
    kill -TERM $(pgrep -P "$apphost_pid") "$apphost_pid" 2>/dev/null || true
    for _ in $(seq 1 "$timeout_s"); do kill -0 "$apphost_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$apphost_pid" 2>/dev/null || true
  fi
  apphost_pid=""
}

# wait_for_primary timeout_s: prints the RESP port of the node that says "master" and serves reads.
wait_for_primary() {
  local deadline=$((SECONDS + $1)) port
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$apphost_pid" 2>/dev/null || return 1
    for port in "$RESP_BASE_PORT" "$((RESP_BASE_PORT + 1))" "$((RESP_BASE_PORT + 2))"; do
      if [ "$(timeout 2 redis-cli -p "$port" ROLE 2>/dev/null | head -n 1)" = "master" ] \
         && ! timeout 2 redis-cli -p "$port" GET apphost-lib:probe 2>&1 | grep -qE "^(READONLY|LOADING)"; then
        echo "$port"
        return 0
      fi
    done
    sleep 1
  done
  return 1
}
