#!/usr/bin/env bash
# Property-based API conformance test: Schemathesis, driven by the OpenAPI document that a live
# `ingressd serve` (with the real Envoy) serves at GET /openapi.yaml, runs every check (no 5xx,
# status codes, content types, headers and bodies as documented, invalid data rejected, valid
# data accepted, auth enforced, ...) for a bounded number of examples with a fixed seed.
#
#   run_schemathesis.sh INGRESSD INGRESSCTL [SCHEMATHESIS]
#
# SCHEMATHESIS defaults to the project's .venv (scripts/deps.sh installs it from
# test/requirements.txt). FUZZ_MAX_EXAMPLES (default 50) and FUZZ_SEED (default 20240601)
# override the budget and the seed; FUZZ_REPORT_DIR keeps the JUnit/NDJSON reports.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ingressd=${1:?usage: run_schemathesis.sh INGRESSD INGRESSCTL [SCHEMATHESIS]}
ingressctl=${2:?usage: run_schemathesis.sh INGRESSD INGRESSCTL [SCHEMATHESIS]}
schemathesis=${3:-$root/.venv/bin/schemathesis}
max_examples=${FUZZ_MAX_EXAMPLES:-50}
seed=${FUZZ_SEED:-20240601}

if [ ! -x "$schemathesis" ]; then
  echo "schemathesis not found at $schemathesis: run scripts/deps.sh (make deps)" >&2
  exit 1
fi
# shellcheck source=daemon_lib.sh
source "$here/daemon_lib.sh"
daemon_init

export JWT_SECRET="schemathesis-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
log "starting ingressd serve (DATA_DIR=$DATA_DIR, API $API_URL, admin port $ADMIN_PORT)"
daemon_start "$ingressd" JWT_SECRET="$JWT_SECRET"
log "healthy"

# Instances for the generated ingresses to target (hooks.py maps target.instance onto them).
instances=(fuzz-target-a fuzz-target-b)
for name in "${instances[@]}"; do
  ingressctl_out=$(API_LISTEN="$API_ADDR" "$ingressctl" instances set "$name" 127.0.0.1)
  echo "$ingressctl_out" >&2
done

token=$("$ingressctl" token --ttl 1h --sub schemathesis)
[ -n "$token" ]

# A block of loopback ports free right now, below the ephemeral range that other tests draw
# their free ports from, for the listeners the generated ingresses create (see hooks.py).
port_count=256
port_base=$(python3 - "$port_count" <<'PY'
import random, socket, sys
count = int(sys.argv[1])
rng = random.Random()
for _ in range(200):
    base = rng.randrange(20000, 30000 - count)
    socks = []
    try:
        for p in range(base, base + count):
            s = socket.socket()
            s.bind(("127.0.0.1", p))
            socks.append(s)
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(base)
    break
else:
    sys.exit("no free block of loopback ports")
PY
)
log "ingress listeners go to 127.0.0.1:$port_base..$((port_base + port_count - 1))"

# A valid certificate and key for putCertificate (see hooks.py).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj /CN=fuzz.test -addext subjectAltName=DNS:fuzz.test \
  -keyout "$WORK_DIR/fuzz-key.pem" -out "$WORK_DIR/fuzz-cert.pem" 2>/dev/null

report_dir=${FUZZ_REPORT_DIR:-$WORK_DIR/report}
mkdir -p "$report_dir"
log "schemathesis: $max_examples examples per operation, seed $seed"
status=0
(
  cd "$WORK_DIR"  # Hypothesis keeps no state in the source tree
  export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
  export SCHEMATHESIS_HOOKS=hooks
  export FUZZ_INSTANCES=$(IFS=,; echo "${instances[*]}")
  export FUZZ_PORT_BASE=$port_base FUZZ_PORT_COUNT=$port_count
  export FUZZ_CERT_FILE=$WORK_DIR/fuzz-cert.pem FUZZ_KEY_FILE=$WORK_DIR/fuzz-key.pem
  "$schemathesis" run "$API_URL/openapi.yaml" \
    --url "$API_URL" \
    --checks all \
    --header "Authorization: Bearer $token" \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --generation-database none \
    --workers 2 \
    --request-timeout 30 \
    --no-color \
    --report junit,ndjson --report-dir "$report_dir"
) || status=$?

if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
  log "FAIL: ingressd serve died during the run"
  status=1
fi
if grep -q '"level":"error"' "$SERVE_LOG"; then
  log "errors in the serve log:"
  grep '"level":"error"' "$SERVE_LOG" | tail -n 20 >&2
fi
if ! daemon_stop; then
  log "FAIL: ingressd serve did not stop cleanly"
  status=1
fi
[ $status -eq 0 ] && log "PASS" || log "FAIL (status $status)"
exit $status
