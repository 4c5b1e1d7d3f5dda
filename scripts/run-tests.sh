#!/usr/bin/env bash
# Runs the whole suite: unit tests in parallel, then integration and end-to-end tests (which start
# real Envoys and daemons) with less parallelism, then the Python-driven API checks.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/$build"
status=0
ctest -L unit --output-on-failure -j "$(nproc)" || status=1
ctest -L 'integration|e2e' --output-on-failure -j 2 || status=1
exit $status
