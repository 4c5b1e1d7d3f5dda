# Sourced by the shell-driven e2e tests (test/api_fuzz, test/cli_e2e): starts one
# `ingressd serve` with a private DATA_DIR on free loopback ports, waits for it, and always
# stops it (Envoy included) and removes the temp dir. Bash only; needs python3 and curl.
#
#   source daemon_lib.sh
#   daemon_init                       # temp dir, ports, EXIT trap
#   daemon_start /path/to/ingressd [VAR=value ...]
#   ...  $API_URL  $DATA_DIR  $API_ADDR
#   daemon_stop                       # also done by the trap

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

daemon_init() {
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ingress-e2e.XXXXXX")
  DATA_DIR="$WORK_DIR/data"
  ADMIN_PORT=$(free_port)
  API_PORT=$(free_port)
  while [ "$API_PORT" = "$ADMIN_PORT" ]; do API_PORT=$(free_port); done
  API_ADDR="127.0.0.1:$API_PORT"
  API_URL="http://$API_ADDR"
  DAEMON_PID=""
  SERVE_COUNT=0
  trap daemon_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

daemon_start() {
  local ingressd=$1
  shift
  SERVE_COUNT=$((SERVE_COUNT + 1))
  SERVE_LOG="$WORK_DIR/serve-$SERVE_COUNT.log"
  env DATA_DIR="$DATA_DIR" \
    ENVOY_ADMIN_PORT="$ADMIN_PORT" \
    API_LISTEN="$API_ADDR" \
    METRICS_LISTEN=127.0.0.1:0 \
    ENVOY_LISTEN_ADDRESS=127.0.0.1 \
    TARGET_DENY_CIDRS="169.254.0.0/16,fe80::/10,224.0.0.0/4,ff00::/8,255.255.255.255/32,0.0.0.0/8,::/128" \
    ENVOY_DRAIN_TIME_S=1 \
    ENVOY_PARENT_SHUTDOWN_TIME_S=3 \
    ENVOY_STOP_ON_SHUTDOWN=true \
    LOG_LEVEL=info \
    "$@" "$ingressd" serve >"$SERVE_LOG" 2>&1 &
  DAEMON_PID=$!
  wait_health 60
}

# Polls GET /health until it answers 200, the daemon dies, or the deadline passes.
wait_health() {
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
      log "ingressd serve exited before it was healthy; its log:"
      cat "$SERVE_LOG" >&2
      return 1
    fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$API_URL/health")" = 200 ]; then
      return 0
    fi
    sleep 0.1
  done
  log "ingressd serve not healthy after $1 s; its log:"
  cat "$SERVE_LOG" >&2
  return 1
}

pid_from() { [ -f "$1" ] && tr -dc '0-9' <"$1" || true; }

# SIGTERM to serve (which drains and stops Envoy: ENVOY_STOP_ON_SHUTDOWN=true), wait with a
# deadline; whatever is still alive afterwards (serve, supervisor, Envoy) is killed.
daemon_stop() {
  local sup envoy rc=0
  sup=$(pid_from "$DATA_DIR/envoy/supervisor.pid")
  envoy=$(pid_from "$DATA_DIR/envoy/envoy.pid")
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -TERM "$DAEMON_PID"
    local deadline=$((SECONDS + 30))
    while kill -0 "$DAEMON_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if kill -0 "$DAEMON_PID" 2>/dev/null; then
      log "ingressd serve did not stop within 30 s; killing it"
      kill -KILL "$DAEMON_PID" 2>/dev/null || true
      rc=1
    fi
    wait "$DAEMON_PID" 2>/dev/null || rc=$?
  fi
  DAEMON_PID=""
  for p in $sup $envoy; do
    if kill -0 "$p" 2>/dev/null && grep -qaE 'ingressd|envoy' "/proc/$p/cmdline" 2>/dev/null; then
      log "process $p outlived serve; stopping it"
      kill -TERM "$p" 2>/dev/null || true
      local deadline=$((SECONDS + 10))
      while kill -0 "$p" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
      kill -KILL "$p" 2>/dev/null || true
      rc=1
    fi
  done
  return $rc
}

daemon_cleanup() {
  local status=$?
  daemon_stop || true
  if [ $status -ne 0 ] && [ -n "${WORK_DIR:-}" ]; then
    for f in "$WORK_DIR"/serve-*.log; do
      [ -f "$f" ] || continue
      log "--- last lines of $f ---"
      tail -n 40 "$f" >&2
    done
  fi
  if [ $status -ne 0 ] && [ -n "${WORK_DIR:-}" ] && [ -f "$DATA_DIR/envoy/envoy.log" ]; then
    log "--- warnings and errors in $DATA_DIR/envoy/envoy.log ---"
    grep -E '\]\[(warning|error|critical)\]' "$DATA_DIR/envoy/envoy.log" | tail -n 20 >&2 || true
  fi
  if [ $status -ne 0 ] && [ "${KEEP_WORK_DIR:-0}" = 1 ]; then
    log "kept $WORK_DIR (KEEP_WORK_DIR=1)"
  elif [ -n "${WORK_DIR:-}" ]; then
    rm -rf "$WORK_DIR"
  fi
  exit $status
}
