#!/bin/sh
# Regenerates test/golden/*.json from the builders (the golden unit test in update mode).
# Usage: scripts/update-golden.sh [build-dir]   (default: build). Review `git diff test/golden`.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cmake --build "$build" --target envoy_unit_test
INGRESS_UPDATE_GOLDEN=1 "$build/test/unit/envoy/envoy_unit_test" --gtest_filter='GoldenTest.*'
git -C "$root" status --short test/golden
