#!/usr/bin/env bash
# ingressctl end to end: a live `ingressd serve` (real Envoy), driven only through ingressctl.
#
#   run_cli_e2e.sh INGRESSD INGRESSCTL
#
# Phase 1: the daemon generates {DATA_DIR}/api-secret; ingressctl finds it through DATA_DIR alone
# (the "same host, no flags" path): instances set/list/get, create with flags, list (table and
# JSON), get by name and id, traffic through Envoy, duplicate create and hostname conflict
# (non-zero exit, the server's message on stderr), --tls refused without a certificate source,
# --redirect-http without --tls, certs list, delete, token (+ --token / INGRESS_TOKEN),
# missing credentials, unreachable API.
# Phase 2: the daemon restarted with JWT_SECRET; ingressctl with JWT_SECRET; state survived.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ingressd=${1:?usage: run_cli_e2e.sh INGRESSD INGRESSCTL}
ingressctl=${2:?usage: run_cli_e2e.sh INGRESSD INGRESSCTL}
# shellcheck source=../api_fuzz/daemon_lib.sh
source "$here/../api_fuzz/daemon_lib.sh"

unset JWT_SECRET INGRESS_TOKEN API_LISTEN DATA_DIR
daemon_init
failures=0
OUT="$WORK_DIR/out"
ERR="$WORK_DIR/err"
RC=0

# ctl ARGS...: runs ingressctl with the environment in CTL_ENV (an array), keeping stdout in
# $OUT, stderr in $ERR and the exit status in $RC.
CTL_ENV=()
ctl() {
  RC=0
  env "${CTL_ENV[@]}" "$ingressctl" "$@" >"$OUT" 2>"$ERR" || RC=$?
}
fail() {
  log "FAIL: $*"
  log "  stdout: $(cat "$OUT" 2>/dev/null)"
  log "  stderr: $(cat "$ERR" 2>/dev/null)"
  failures=$((failures + 1))
}
pass() { log "ok: $*"; }
expect_rc() {  # expect_rc WANT WHAT
  if [ "$RC" -eq "$1" ]; then pass "$2 (exit $RC)"; else fail "$2: exit $RC, want $1"; fi
}
expect_out() {  # expect_out REGEX WHAT
  if grep -qE -- "$1" "$OUT"; then pass "$2"; else fail "$2: stdout does not match /$1/"; fi
}
expect_err() {
  if grep -qE -- "$1" "$ERR"; then pass "$2"; else fail "$2: stderr does not match /$1/"; fi
}
json_check() {  # json_check PYTHON_EXPR WHAT   (j = stdout parsed as JSON)
  if python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" \
      "$OUT" 2>>"$ERR"; then
    pass "$2"
  else
    fail "$2: JSON check failed: $1"
  fi
}

# A backend for the instance: python's http.server on a free loopback port.
backend_port=$(free_port)
mkdir -p "$WORK_DIR/www" && echo "hello from the backend" >"$WORK_DIR/www/index.html"
python3 -m http.server "$backend_port" --bind 127.0.0.1 --directory "$WORK_DIR/www" \
  >"$WORK_DIR/backend.log" 2>&1 &
backend_pid=$!
stop_backend() { kill "$backend_pid" 2>/dev/null || true; wait "$backend_pid" 2>/dev/null || true; }
trap 'status=$?; stop_backend; (exit $status); daemon_cleanup' EXIT
listen_port=$(free_port)
keep_port=$(free_port)

# ---------------------------------------------------------------- phase 1: generated secret
log "phase 1: ingressd serve with a generated API secret (DATA_DIR=$DATA_DIR)"
daemon_start "$ingressd"
[ -s "$DATA_DIR/api-secret" ] || { log "FAIL: no $DATA_DIR/api-secret"; exit 1; }
CTL_ENV=(DATA_DIR="$DATA_DIR")   # the token comes from {DATA_DIR}/api-secret
A=(--api "$API_ADDR")

ctl "${A[@]}" instances set web 127.0.0.1
expect_rc 0 "instances set web"
expect_out '^web +127\.0\.0\.1 *$' "instances set prints the stored instance"
ctl "${A[@]}" instances set v6 2001:db8:0:0::1 -o json
expect_rc 0 "instances set v6 -o json"
json_check 'j == {"name": "v6", "ip": "2001:db8::1"}' "the IPv6 address is stored canonically"
CTL_ENV=(DATA_DIR="$DATA_DIR" API_LISTEN="$API_ADDR")   # API_LISTEN instead of --api
ctl instances list
expect_rc 0 "instances list (API_LISTEN from the environment)"
expect_out '^NAME +IP' "instances list has a header"
expect_out '^v6 +2001:db8::1' "instances list shows v6"
expect_out '^web +127\.0\.0\.1' "instances list shows web"
ctl instances get web -o json
expect_rc 0 "instances get web"
json_check 'j["name"] == "web" and j["ip"] == "127.0.0.1"' "instances get returns web"

ctl create site --host Site.Example.COM --port "$listen_port" --instance web \
  --target-port "$backend_port"
expect_rc 0 "create site with flags"
expect_out "site +site\.example\.com +$listen_port +- +web:$backend_port +active" \
  "create prints the new ingress (hostname lowercased, plain HTTP, rule active)"

ctl list
expect_rc 0 "list"
expect_out '^ID +NAME +HOSTNAME +PORT +TLS +TARGET +STATUS +CREATED' "list has a header"
expect_out "^[a-z][a-z0-9]{23} +site +site\.example\.com +$listen_port +- +web:$backend_port +active +[0-9]{4}-" \
  "list has the row for site"
ctl list -o json
expect_rc 0 "list -o json"
json_check "len(j) == 1 and j[0]['name'] == 'site' and j[0]['rules'] == [{'match': {'hostname': 'site.example.com', 'port': $listen_port}, 'target': {'instance': 'web', 'port': $backend_port}, 'tls': False, 'redirect_http': False, 'status': 'active'}]" \
  "list -o json has exactly the ingress"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$OUT")

ctl get site
expect_rc 0 "get by name"
expect_out "^$id +site +site\.example\.com" "get by name shows the ingress"
ctl get "$id" -o json
expect_rc 0 "get by id -o json"
json_check "j['id'] == '$id' and j['name'] == 'site'" "get by id returns the same ingress"

# Traffic through Envoy to the backend (the create returned once Envoy routes the host).
body=$(curl -s --max-time 5 -H 'Host: site.example.com' "http://127.0.0.1:$listen_port/" || true)
if [ "$body" = "hello from the backend" ]; then pass "Envoy routes site.example.com to web"
else fail "Envoy routing: got '$body'"; fi

# Error paths: the server's message and code on stderr, exit 1.
ctl create site --host other.example.com --port "$listen_port" --instance web --target-port 80
expect_rc 1 "duplicate create fails"
expect_err '^error: .*site.*\(already_exists\)$' "duplicate create: the server's message on stderr"
[ ! -s "$OUT" ] && pass "duplicate create prints nothing on stdout" || fail "duplicate create wrote stdout"
ctl create site2 --host site.example.com --port "$listen_port" --instance web --target-port 80
expect_rc 1 "create with a hostname in use fails"
expect_err '^error: .*site.*\(hostname_in_use\)$' "hostname_in_use names the other ingress"
ctl create bad --host 'bad_host!' --instance web --target-port 80
expect_rc 1 "create with an invalid hostname fails"
expect_err '^error: .*rules\[0\]\.match\.hostname.*\(bad_request\)$' "the message names the field"
ctl create ghost --host ghost.example.com --port "$listen_port" --instance nope --target-port 80
expect_rc 1 "create for a missing instance fails"
expect_err '\(instance_not_found\)$' "instance_not_found"
ctl create noport --host x.example.com --instance web
expect_rc 2 "create without --target-port is a usage error"

# HTTPS: this daemon has no certificate source (no ACME_EMAIL), so a TLS rule is refused and
# the server's reason reaches the user; --redirect-http alone never leaves ingressctl.
ctl create secure --host secure.example.com --instance web --target-port 80 --tls --redirect-http
expect_rc 1 "create --tls without a certificate source fails"
expect_err '^error: rules\[0\]\.tls: .*\(tls_not_configured\)$' "tls_not_configured on stderr"
ctl create secure --host secure.example.com --instance web --target-port 80 --redirect-http
expect_rc 2 "--redirect-http without --tls is a usage error"
expect_err '^error: --redirect-http needs --tls' "the usage error names --tls"
ctl certs put shop --cert - --key -
expect_rc 2 "certs put with both files on stdin is a usage error"
ctl certs list
if [ "$RC" -eq 0 ]; then
  # Header only: nothing uploaded, no ACME.
  expect_out '^NAME +SOURCE +NAMES +EXPIRES +SERIAL +SERVING$' "certs list has a header"
  [ "$(wc -l <"$OUT")" -eq 1 ] && pass "certs list is empty" || fail "certs list is not empty"
else
  # A daemon built without a certificate service answers 404 for /certificates.
  expect_rc 1 "certs list without a certificate service"
  expect_err '\(not_found\)$' "certs list: not_found from a daemon without certificates"
fi

# Token.
ctl token --ttl 10m
expect_rc 0 "token"
token=$(cat "$OUT")
if python3 - "$token" <<'PY'
import base64, json, sys
parts = sys.argv[1].split(".")
assert len(parts) == 3, parts
pad = lambda s: s + "=" * (-len(s) % 4)
header = json.loads(base64.urlsafe_b64decode(pad(parts[0])))
claims = json.loads(base64.urlsafe_b64decode(pad(parts[1])))
assert header["alg"] == "HS256", header
assert claims["exp"] - claims["iat"] == 600, claims
assert claims["sub"], claims
PY
then pass "token is an HS256 JWT with a 10-minute lifetime"; else fail "token claims"; fi
ctl token --sub ci-bot --ttl 1h
token_ci=$(cat "$OUT")
CTL_ENV=(API_LISTEN="$API_ADDR" DATA_DIR="$WORK_DIR/nowhere")
ctl --token "$token_ci" list -o json
expect_rc 0 "list with --token and no secret available"
CTL_ENV=(API_LISTEN="$API_ADDR" DATA_DIR="$WORK_DIR/nowhere" INGRESS_TOKEN="$token")
ctl get site
expect_rc 0 "get with INGRESS_TOKEN"
ctl --token not.a.token list
expect_rc 1 "a bad token is refused by the server"
expect_err '\(unauthorized\)$' "unauthorized on stderr"
# A correctly signed token without exp: refused, and the message says why.
noexp=$(python3 - "$DATA_DIR/api-secret" <<'PY'
import base64, hashlib, hmac, json, sys
secret = open(sys.argv[1], "rb").read().rstrip()
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
signing = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + \
    b64(json.dumps({"sub": "no-exp"}).encode())
print(signing + "." + b64(hmac.new(secret, signing.encode(), hashlib.sha256).digest()))
PY
)
ctl --token "$noexp" list
expect_rc 1 "a token without exp is refused by the server"
expect_err 'token has no exp claim' "the refusal names the missing exp"
CTL_ENV=(API_LISTEN="$API_ADDR" DATA_DIR="$WORK_DIR/nowhere")
ctl list
expect_rc 2 "no credentials is a usage error, nothing sent"
expect_err "no API secret at $WORK_DIR/nowhere/api-secret" "the message names the secret path"
CTL_ENV=(API_LISTEN="$API_ADDR" DATA_DIR="$WORK_DIR/nowhere" JWT_SECRET="$(cat "$DATA_DIR/api-secret")")
ctl list
expect_rc 0 "JWT_SECRET works instead of DATA_DIR"
CTL_ENV=(DATA_DIR="$DATA_DIR")
ctl --api "127.0.0.1:$(free_port)" list
expect_rc 3 "unreachable API"
expect_err '^error: cannot reach ingressd at 127\.0\.0\.1:' "unreachable message"

# Delete.
CTL_ENV=(DATA_DIR="$DATA_DIR" API_LISTEN="$API_ADDR")
ctl create keep --host keep.example.com --port "$keep_port" --instance web \
  --target-port "$backend_port" -o json
expect_rc 0 "create keep (for phase 2)"
ctl delete site
expect_rc 0 "delete site"
expect_out '^ingress site deleted$' "delete confirms"
ctl get site
expect_rc 1 "get after delete fails"
expect_err '\(not_found\)$' "not_found after delete"
ctl delete site
expect_rc 1 "deleting again fails"
ctl list -o json
json_check '[i["name"] for i in j] == ["keep"]' "list -o json has only keep after delete"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Host: site.example.com' \
  "http://127.0.0.1:$listen_port/" || true)
[ "$code" != 200 ] && pass "Envoy no longer routes site.example.com ($code)" \
  || fail "Envoy still routes site.example.com after delete"
# Deleting an ingress and creating it again at once (same name, hostname and port) is an
# ordinary thing to do; the port's listener is still draining then.
ctl create site --host site.example.com --port "$listen_port" --instance web \
  --target-port "$backend_port" -o json
expect_rc 0 "the name, hostname and port can be reused right after delete"
[ "$RC" -eq 0 ] && json_check "j['name'] == 'site' and j['id'] != '$id'" "a new id"
# The plainest form: create, delete, create again at once on a port nothing else uses.
again_port=$(free_port)
for round in 1 2; do
  ctl create again --host again.example.com --port "$again_port" --instance web --target-port 80
  expect_rc 0 "create again (round $round, same port right after delete)"
  ctl delete again
  expect_rc 0 "delete again (round $round)"
done
ctl instances delete v6
expect_rc 0 "instances delete v6"
expect_out '^instance v6 deleted$' "instances delete confirms"

# ---------------------------------------------------------------- phase 2: JWT_SECRET
log "phase 2: restarting ingressd serve with JWT_SECRET"
daemon_stop || { log "FAIL: serve did not stop cleanly"; failures=$((failures + 1)); }
secret="cli-e2e-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
daemon_start "$ingressd" JWT_SECRET="$secret"
CTL_ENV=(API_LISTEN="$API_ADDR" JWT_SECRET="$secret")
ctl list
expect_rc 0 "list with JWT_SECRET"
expect_out " keep +keep\.example\.com +$keep_port +- +web:$backend_port +active" \
  "the ingress survived the restart"
ctl instances list -o json
json_check 'j == [{"name": "web", "ip": "127.0.0.1"}]' "the instances survived the restart"
CTL_ENV=(API_LISTEN="$API_ADDR" DATA_DIR="$DATA_DIR")
ctl list
expect_rc 1 "the file secret is not the daemon's secret any more: refused"
expect_err '\(unauthorized\)$' "unauthorized"
CTL_ENV=(API_LISTEN="$API_ADDR" JWT_SECRET="$secret")
ctl token
token=$(cat "$OUT")
CTL_ENV=(API_LISTEN="$API_ADDR")
ctl --token "$token" delete keep
expect_rc 0 "delete with a token minted from JWT_SECRET"

if ! daemon_stop; then log "FAIL: serve did not stop cleanly"; failures=$((failures + 1)); fi
if [ $failures -ne 0 ]; then
  log "FAILED: $failures check(s)"
  exit 1
fi
log "PASS"
