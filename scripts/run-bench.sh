#!/usr/bin/env bash
# Runs the benchmark (bench/ingress_bench.cc) against the built ingressd and the real Envoy, and
# writes its results to {build}/bench-results/: results.json (every number, with the profile)
# and results.md (the tables). docs/benchmarks.md explains the method and records a run.
#
#   scripts/run-bench.sh [build-dir] [extra ingress_bench args...]
#   e.g. scripts/run-bench.sh build --existing 0,1000 --samples 20
set -euo pipefail
build=${1:-build}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin="$build/bench/ingress_bench"
if [[ ! -x "$bin" ]]; then
  echo "run-bench: $bin not built (make build, or cmake --build $build --target ingress_bench)" >&2
  exit 1
fi
out="$build/bench-results"
mkdir -p "$out"
echo "run-bench: $(nproc) cores, $(uname -r); results in $out/" >&2
"$bin" --json "$out/results.json" --md "$out/results.md" "$@"

# The real shape (issue 11; docs/benchmarks.md): every hostname on one port, at 1,000, 10,000
# and 50,000 existing, creates/s with 1 and 32 clients at 10,000; then 10,000 with a target (a
# cluster) of its own per ingress.
if [ $# -eq 0 ]; then
  echo "run-bench: one port at 1,000 / 10,000 / 50,000 (~10 min)" >&2
  "$bin" --existing 1000,10000,50000 --listen-ports 1 --samples-large 20 --throughput-at 10000 \
    --json "$out/one-port.json" --md "$out/one-port.md"
  "$bin" --existing 10000 --listen-ports 1 --target-ports 2500 --throughput-at 0 \
    --json "$out/one-port-clusters.json" --md "$out/one-port-clusters.md"
fi

# Memory under churn (issue 11; docs/benchmarks.md "Memory under churn"): 10,000 ingresses on one
# port, 1,000 create/delete pairs by 8 clients; serve's default arenas beside glibc's 8 per core.
echo "run-bench: churn at 10,000 ingresses on one port (~9 min)" >&2
"$build/bench/ingress_bench" --churn-at 10000 --churn-pairs 1000 --churn-clients 8 \
  --churn-arenas 0,$((8 * $(nproc))) --json "$out/churn.json" --md "$out/churn.md"

# HTTPS (the HTTPS issue; docs/benchmarks.md "HTTPS"): handshakes/s and requests/s through
# ingressd's Envoy beside a hand-minimal Envoy TLS config (ratio), and POST → verified HTTPS with
# Pebble.
echo "run-bench: HTTPS, ours beside a minimal Envoy, and POST → HTTPS with Pebble (~2 min)" >&2
"$build/bench/tls_bench" --json "$out/tls.json" --md "$out/tls.md"

# One client's slowloris against Envoy and the API (issue 9; docs/operations.md).
echo "run-bench: slowloris (20,000 half-open connections, ~2 min)" >&2
"$build/bench/slowloris_bench" --json "$out/slowloris.json" --md "$out/slowloris.md"

# The zero-downtime scenarios (issue 5), longer than in `make test`.
echo "run-bench: zero-downtime scenarios at INGRESS_SCENARIO_SCALE=${INGRESS_SCENARIO_SCALE:-4}" >&2
INGRESS_SCENARIO_SCALE=${INGRESS_SCENARIO_SCALE:-4} "$build/test/e2e/zero_downtime_e2e_test" \
  --gtest_output="json:$out/zero_downtime.json"

# The same zero-downtime scenarios and the crash test with 10,000 other hostnames on the loaded
# port (issue 11: everything still holds at scale).
echo "run-bench: zero-downtime and crash tests with 10,000 ingresses on the loaded port" >&2
INGRESS_SCENARIO_EXISTING=10000 "$build/test/e2e/zero_downtime_e2e_test" \
  --gtest_output="json:$out/zero_downtime_10k.json"
INGRESS_SCENARIO_EXISTING=10000 "$build/test/e2e/crash_e2e_test" \
  --gtest_output="json:$out/crash_10k.json"
