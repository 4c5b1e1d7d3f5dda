#!/usr/bin/env python3
"""End-to-end test of issue 6 against a live `ingressd serve` with the real Envoy.

1. OTLP: a real OTLP/gRPC metrics receiver (grpcio + opentelemetry-proto) on a free loopback
   port; `ingressd serve` with OTEL_ENABLED=true points Envoy's stats sink at it. After routing
   N requests through Envoy (client bound to 127.0.0.9) for a distinctive hostname and path, the
   received metrics must carry the resource attributes, the ingress listener's downstream
   request counter must have grown by at least N, and no received byte may contain the
   hostname, the path or the client address.
2. Prometheus: GET /metrics on METRICS_LISTEN, parsed with prometheus_client's parser; the
   counters and gauges must move after a create, a rejected create and a delete, and the text
   must not contain tenant data.

Every wait is a poll with a deadline. The daemon (and Envoy, ENVOY_STOP_ON_SHUTDOWN=true) is
always stopped: finally-block, SIGTERM handler, and PR_SET_PDEATHSIG on `serve` (setpriv) in
case this process is killed outright.

    otel_e2e.py --ingressd /path/to/ingressd
"""
import argparse
import base64
import hashlib
import hmac
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent import futures

import grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from prometheus_client.parser import text_string_to_metric_families

HOSTNAME = "secret-tenant-host.example.com"
REQUEST_PATH = "/distinctive-tenant-path-4711"
REJECT_HOSTNAME = "rejected-by-envoy.example.com"
CLIENT_ADDRESS = "127.0.0.9"
SERVICE = "e2esvc"
INSTANCE_ID = "inst-1"
ENVIRONMENT = "testenv"
N_REQUESTS = 25
JWT_SECRET = "otel-e2e-secret-" + os.urandom(8).hex()


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, predicate, timeout, interval=0.1):
    """Polls predicate() until it returns a truthy value or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - the predicate may fail until ready
            last_error = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}"
                         + (f" (last error: {last_error!r})" if last_error else ""))


# --- OTLP/gRPC receiver --------------------------------------------------------------------

class Receiver:
    """Keeps every raw Export request body (bytes) and its parsed form."""

    def __init__(self):
        self.lock = threading.Lock()
        self.raw = []
        self.requests = []
        self.server = None
        self.port = None

    def _export(self, request_bytes, context):
        parsed = metrics_service_pb2.ExportMetricsServiceRequest.FromString(request_bytes)
        with self.lock:
            self.raw.append(bytes(request_bytes))
            self.requests.append(parsed)
        return metrics_service_pb2.ExportMetricsServiceResponse().SerializeToString()

    def start(self):
        handler = grpc.method_handlers_generic_handler(
            "opentelemetry.proto.collector.metrics.v1.MetricsService",
            {"Export": grpc.unary_unary_rpc_method_handler(self._export)})  # raw bytes in/out
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        self.server.add_generic_rpc_handlers((handler,))
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        assert self.port, "cannot bind the OTLP receiver"
        self.server.start()

    def stop(self):
        if self.server:
            self.server.stop(grace=1).wait(5)

    def snapshot(self):
        with self.lock:
            return list(self.raw), list(self.requests)


def attr_value(any_value):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


def counter_value(requests, name_suffix, attr_match):
    """Latest value of the counter whose name ends with `name_suffix` and that has an attribute
    (or name part) equal to `attr_match`; None when not seen yet."""
    latest = None
    for req in requests:
        for rm in req.resource_metrics:
            for sm in rm.scope_metrics:
                for m in sm.metrics:
                    if not m.name.endswith(name_suffix):
                        continue
                    points = m.sum.data_points if m.HasField("sum") else m.gauge.data_points
                    for p in points:
                        values = {str(attr_value(a.value)) for a in p.attributes}
                        if attr_match in values or attr_match in m.name:
                            v = p.as_int if p.WhichOneof("value") == "as_int" else p.as_double
                            latest = (m.name, v)  # in arrival order; counters are cumulative
    return latest


# --- ingressd ------------------------------------------------------------------------------

def jwt_token(secret):
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    now = int(time.time())
    claims = b64(json.dumps({"sub": "otel-e2e", "iat": now, "exp": now + 3600}).encode())
    sig = hmac.new(secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{b64(sig)}"


class Daemon:
    def __init__(self, ingressd, work_dir, env):
        self.ingressd = ingressd
        self.data_dir = os.path.join(work_dir, "data")
        self.log_path = os.path.join(work_dir, "serve.log")
        self.env = env
        self.proc = None

    def start(self):
        env = dict(os.environ)
        env.update(self.env)
        env["DATA_DIR"] = self.data_dir
        self.log_file = open(self.log_path, "wb")
        # setpriv (util-linux) execs serve with PR_SET_PDEATHSIG=SIGTERM: if this process is
        # killed outright, serve still gets SIGTERM and stops Envoy. (No preexec_fn: gRPC
        # threads are running here.)
        self.proc = subprocess.Popen(["setpriv", "--pdeathsig", "TERM", "--", self.ingressd,
                                      "serve"], env=env, stdout=self.log_file,
                                     stderr=subprocess.STDOUT)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def _pid(self, name):
        try:
            with open(os.path.join(self.data_dir, "envoy", name)) as f:
                return int("".join(c for c in f.read() if c.isdigit()) or 0)
        except OSError:
            return 0

    def stop(self):
        sup, envoy = self._pid("supervisor.pid"), self._pid("envoy.pid")
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                log("serve did not stop within 30 s; killing it")
                self.proc.kill()
                self.proc.wait(5)
        for pid in (sup, envoy):  # whatever survived the graceful stop
            if pid:
                try:
                    os.kill(pid, 0)
                    log(f"killing leftover pid {pid}")
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def dump_log(self):
        try:
            with open(self.log_path, "rb") as f:
                sys.stderr.write(f.read().decode(errors="replace")[-20000:])
        except OSError:
            pass


class Api:
    def __init__(self, base, token):
        self.base = base
        self.token = token

    def call(self, method, path, body=None, auth=True):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if auth:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()


def scrape(metrics_url):
    """{(sample name, sorted label items): value} from GET /metrics."""
    with urllib.request.urlopen(metrics_url, timeout=10) as r:
        assert r.status == 200
        ctype = r.headers.get("Content-Type", "")
        assert ctype.startswith("text/plain; version=0.0.4"), ctype
        text = r.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return text, samples


def sample(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


class Backend(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = b"backend ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


# --- the test ------------------------------------------------------------------------------

def run(ingressd):
    work_dir = tempfile.mkdtemp(prefix="ingress-otel-e2e.")
    receiver = Receiver()
    backend = None
    daemon = None
    try:
        receiver.start()
        log(f"OTLP receiver on 127.0.0.1:{receiver.port}")
        backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
        threading.Thread(target=backend.serve_forever, daemon=True).start()
        backend_port = backend.server_address[1]

        ports = set()
        while len(ports) < 4:
            ports.add(free_port())
        admin_port, api_port, metrics_port, ingress_port = sorted(ports)
        api_url = f"http://127.0.0.1:{api_port}"
        metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
        daemon = Daemon(ingressd, work_dir, {
            "ENVOY_ADMIN_PORT": str(admin_port),
            "API_LISTEN": f"127.0.0.1:{api_port}",
            "METRICS_LISTEN": f"127.0.0.1:{metrics_port}",
            "ENVOY_LISTEN_ADDRESS": "127.0.0.1",
            # The backend is on loopback: the default deny list without 127.0.0.0/8.
            "TARGET_DENY_CIDRS": "169.254.0.0/16,fe80::/10,224.0.0.0/4,ff00::/8,255.255.255.255/32,0.0.0.0/8,::/128",
            "ENVOY_DRAIN_TIME_S": "1",
            "ENVOY_PARENT_SHUTDOWN_TIME_S": "3",
            "ENVOY_STOP_ON_SHUTDOWN": "true",
            "OTEL_ENABLED": "true",
            "OTEL_ENDPOINT": f"127.0.0.1:{receiver.port}",
            "OTEL_FLUSH_INTERVAL_S": "1",
            "OTEL_SERVICE_NAME": SERVICE,
            "OTEL_SERVICE_INSTANCE_ID": INSTANCE_ID,
            "ENV": ENVIRONMENT,
            "JWT_SECRET": JWT_SECRET,
            "LOG_LEVEL": "info",
        })
        daemon.start()
        api = Api(api_url, jwt_token(JWT_SECRET))

        def healthy():
            if not daemon.alive():
                raise AssertionError("ingressd serve exited before it was healthy")
            return api.call("GET", "/health", auth=False)[0] == 200
        wait_for("GET /health", healthy, 90)
        log("ingressd serve is healthy")
        wait_for("GET /metrics", lambda: scrape(metrics_url), 10)
        _, before = scrape(metrics_url)
        assert sample(before, "ingressd_ingresses") == 0

        # --- create ----------------------------------------------------------------------
        status, body = api.call("PUT", "/instances/otel-backend", {"ip": "127.0.0.1"})
        assert status == 200, (status, body)
        status, body = api.call("POST", "/ingresses", {
            "name": "otel-e2e-ingress",
            "rules": [{"match": {"hostname": HOSTNAME, "port": ingress_port},
                       "target": {"instance": "otel-backend", "port": backend_port}}]})
        assert status == 201, (status, body)
        ingress_id = json.loads(body)["id"]
        text, after_create = scrape(metrics_url)
        ok = ("ingressd_config_applies_total", )
        assert sample(after_create, *ok, result="ok") >= sample(before, *ok, result="ok") + 1
        assert sample(after_create, "ingressd_ingresses") == 1
        assert sample(after_create, "ingressd_rules", status="active") == 1
        assert sample(after_create, "ingressd_rules", status="unresolved") == 0
        assert sample(after_create, "ingressd_api_requests_total",
                      route="/ingresses", method="POST", code="201") == 1
        assert sample(after_create, "ingressd_api_requests_total",
                      route="/instances/{name}", method="PUT", code="200") == 1
        assert sample(after_create, "ingressd_api_request_duration_seconds_count",
                      route="/ingresses") >= 1
        assert sample(after_create, "ingressd_config_apply_duration_seconds_count") >= 1
        assert sample(after_create, "ingressd_envoy_ready") == 1
        assert sample(after_create, "ingressd_pending_mutations") == 0
        assert ("ingressd_envoy_restarts_total", ()) in after_create
        assert ("ingressd_envoy_hot_restarts_total", ()) in after_create
        for secret in (HOSTNAME, "otel-e2e-ingress", "otel-backend", ingress_id):
            assert secret not in text, f"/metrics leaks {secret!r}"
        log("/metrics moved after create")

        # --- traffic through Envoy from 127.0.0.9 -----------------------------------------
        listener = f"ingress_{ingress_port}"
        _, reqs = receiver.snapshot()
        seen = counter_value(reqs, "downstream_rq_total", listener)
        baseline = seen[1] if seen else 0
        url = f"http://127.0.0.1:{ingress_port}{REQUEST_PATH}"
        for i in range(N_REQUESTS):
            out = subprocess.run(
                ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                 "--interface", CLIENT_ADDRESS, "-H", f"Host: {HOSTNAME}", url],
                capture_output=True, text=True, timeout=30)
            assert out.stdout == "200", f"request {i} through Envoy: {out.stdout} {out.stderr}"
        log(f"{N_REQUESTS} requests routed from {CLIENT_ADDRESS}; waiting for OTLP export")

        def counted():
            _, r = receiver.snapshot()
            seen_now = counter_value(r, "downstream_rq_total", listener)
            return seen_now if seen_now and seen_now[1] >= baseline + N_REQUESTS else None
        metric, value = wait_for(f"downstream_rq_total of {listener} to grow by {N_REQUESTS}",
                                 counted, 30)
        log(f"OTLP {metric} ({listener}) went from {baseline} to {value}")
        raw, reqs = receiver.snapshot()
        resources = set()
        for req in reqs:
            for rm in req.resource_metrics:
                attrs = {a.key: attr_value(a.value) for a in rm.resource.attributes}
                resources.add((attrs.get("service.name"), attrs.get("service.instance.id"),
                               attrs.get("deployment.environment.name")))
        assert resources == {(f"{SERVICE}-envoy", INSTANCE_ID, ENVIRONMENT)}, resources
        blob = b"".join(raw)
        log(f"received {len(raw)} OTLP exports, {len(blob)} bytes")
        for secret in (HOSTNAME, REQUEST_PATH, CLIENT_ADDRESS, "otel-e2e-ingress", ingress_id):
            assert secret.encode() not in blob, f"OTLP export leaks {secret!r}"
        log("OTLP: resource attributes present, counter grew, no tenant data")

        # --- rejected create --------------------------------------------------------------
        # Another process holds the new port: refused with 409 port_in_use before Envoy sees it,
        # counted as a rejected apply.
        _, before_reject = scrape(metrics_url)
        held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        try:
            status, body = api.call("POST", "/ingresses", {
                "name": "otel-e2e-rejected",
                "rules": [{"match": {"hostname": REJECT_HOSTNAME,
                                     "port": held.getsockname()[1]},
                           "target": {"instance": "otel-backend", "port": backend_port}}]})
        finally:
            held.close()
        assert status == 409 and json.loads(body)["code"] == "port_in_use", (status, body)
        text, after_reject = scrape(metrics_url)
        name = "ingressd_config_applies_total"
        assert sample(after_reject, name, result="rejected") >= \
            sample(before_reject, name, result="rejected") + 1
        assert sample(after_reject, "ingressd_api_requests_total",
                      route="/ingresses", method="POST", code="409") == 1
        assert sample(after_reject, "ingressd_ingresses") == 1
        assert REJECT_HOSTNAME not in text
        log("/metrics moved after a rejected create")

        # --- delete -----------------------------------------------------------------------
        status, body = api.call("DELETE", "/ingresses/otel-e2e-ingress")
        assert status == 204, (status, body)
        _, after_delete = scrape(metrics_url)
        assert sample(after_delete, name, result="ok") >= sample(after_reject, name, result="ok") + 1
        assert sample(after_delete, "ingressd_ingresses") == 0
        assert sample(after_delete, "ingressd_rules", status="active") == 0
        assert sample(after_delete, "ingressd_api_requests_total",
                      route="/ingresses/{id}", method="DELETE", code="204") == 1
        log("/metrics moved after delete")
        return 0
    except BaseException:
        if daemon:
            daemon.dump_log()
        raise
    finally:
        if daemon:
            daemon.stop()
        receiver.stop()
        if backend:
            backend.shutdown()
        shutil.rmtree(work_dir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ingressd", required=True)
    args = parser.parse_args()

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)  # runs the finally-blocks (daemon stop)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    rc = run(args.ingressd)
    print("1 passed, 0 failed")
    return rc


if __name__ == "__main__":
    sys.exit(main())
