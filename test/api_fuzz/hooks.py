"""Schemathesis hooks for run_schemathesis.sh (loaded through SCHEMATHESIS_HOOKS).

They change only what the OpenAPI document cannot express and only in ways that keep a valid
request valid (and an invalid one invalid), so every check still judges the real contract:

* createIngress: a rule's `target.instance`, when it is a well-formed name, becomes one of the
  instances the script registered (FUZZ_INSTANCES): otherwise almost every valid create would
  fail with 400 instance_not_found, which the schema cannot rule out.
  DELETE /instances/{name} of those instances is redirected to a name that does not exist,
  so that they outlive the run.
* createIngress: a rule's `match.port`, when it is a valid port (or absent, i.e. 80), becomes
  the next port of a block of loopback ports the script found free (FUZZ_PORT_BASE,
  FUZZ_PORT_COUNT), round robin. Random ports would sometimes collide with another process on
  this host (other tests run in parallel), and Envoy rightly refuses a listener it cannot bind
  (500 config_rejected). Round robin also means a port is not reopened right after the ingress
  that used it was deleted: that is a known server bug (500 config_rejected when a port is
  reopened within the drain time; see test/cli_e2e, which reproduces it) that would otherwise
  mask everything else this run checks. Distinct ports also keep two rules of one valid
  request from sharing (hostname, port), which the schema cannot forbid.
* createIngress: a boolean `tls` or `redirect_http` becomes false: the daemon under test has no
  certificate source (a TLS rule is 400 tls_not_configured, which the schema cannot express).
* createIngress: a valid `name` gets a unique suffix (still a valid name). With two workers, the
  other one's DELETE /ingresses/{id_or_name} of a short generated name ("j") would otherwise
  delete the ingress this one just created, and the stateful check that it can be read back
  (ST302) fails for a reason that is not the server's.
* putCertificate: a string `certificate` / `private_key` becomes the valid pair the script made
  (FUZZ_CERT_FILE, FUZZ_KEY_FILE): random text is never a certificate.
"""
import itertools
import os
import re

import schemathesis
from hypothesis.internal import lambda_sources

# CPython 3.11 (before 3.11.8/3.12) can raise "SystemError: AST constructor recursion depth
# mismatch" from ast.parse() deep in a stack; Hypothesis parses lambda sources only to describe
# strategies (their repr), and Schemathesis's coverage phase then reports a runtime error. A
# plain description is just as good for us.
_lambda_description = lambda_sources.lambda_description


def _safe_lambda_description(f):
    try:
        return _lambda_description(f)
    except SystemError:
        return "lambda"


lambda_sources.lambda_description = _safe_lambda_description

NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
INSTANCES = [i for i in os.environ.get("FUZZ_INSTANCES", "").split(",") if i]
PORT_BASE = int(os.environ.get("FUZZ_PORT_BASE", "0"))
PORT_COUNT = int(os.environ.get("FUZZ_PORT_COUNT", "0"))
_next_port = itertools.count()  # next() is atomic under the GIL; workers are threads
_unique = itertools.count()


def _is_port(value):
    # 80.0 is the integer 80 in JSON Schema too.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


def _fix_rule(rule):
    if not isinstance(rule, dict):
        return
    target = rule.get("target")
    if INSTANCES and isinstance(target, dict):
        inst = target.get("instance")
        if isinstance(inst, str) and len(inst) <= 63 and NAME.match(inst):
            target["instance"] = INSTANCES[sum(map(ord, inst)) % len(INSTANCES)]
    for flag in ("tls", "redirect_http"):
        if isinstance(rule.get(flag), bool):
            rule[flag] = False
    match = rule.get("match")
    if PORT_COUNT and isinstance(match, dict):
        port = match.get("port", 80)
        if _is_port(port):
            match["port"] = PORT_BASE + next(_next_port) % PORT_COUNT


@schemathesis.hook
def before_call(context, case, kwargs):
    method = case.operation.method.upper()
    if method == "DELETE" and case.operation.path == "/instances/{name}":
        # The targets must outlive the run (stateful links find them in GET /instances):
        # deleting one becomes deleting a name that does not exist (still a valid name).
        params = case.path_parameters or {}
        if params.get("name") in INSTANCES:
            params["name"] = params["name"] + "-kept"
        return
    if method == "PUT" and case.operation.path == "/certificates/{name}":
        body = case.body
        if isinstance(body, dict):
            for field, env in (("certificate", "FUZZ_CERT_FILE"), ("private_key", "FUZZ_KEY_FILE")):
                if isinstance(body.get(field), str) and os.environ.get(env):
                    with open(os.environ[env]) as f:
                        body[field] = f.read()
        return
    if method != "POST" or case.operation.path != "/ingresses":
        return
    body = case.body
    if isinstance(body, dict):
        name = body.get("name")
        if isinstance(name, str) and len(name) <= 63 and NAME.match(name):
            suffix = "-u%d" % next(_unique)
            body["name"] = name[: 63 - len(suffix)].rstrip("-") + suffix
    if isinstance(body, dict) and isinstance(body.get("rules"), list):
        for rule in body["rules"]:
            _fix_rule(rule)
    if os.environ.get("FUZZ_HOOK_DEBUG"):
        with open(os.environ["FUZZ_HOOK_DEBUG"], "a") as f:
            f.write(repr(type(body)) + " " + repr(body)[:300] + "\n")
