#!/usr/bin/env bash
# Runs the test suite in phases and ends with a summary of which phases passed or failed.
#
#   scripts/run-tests.sh [build-dir] [phase...]     # default phases: unit integration
#
# Phases:
#   format       the tree follows .clang-format (clang-format-14 --dry-run; `make format` fixes it)
#   unit         ctest -L unit in build-dir (parallel)
#   integration  ctest -L 'integration|e2e|bench-smoke' in build-dir (real Envoys and daemons,
#                -j 2; bench-smoke: the benchmarks' own short runs, so they keep working)
#   asan         configures and builds the unit tests only (INGRESS_UNIT_ONLY) under ASan+UBSan in
#                build-asan-unit, then runs them; any sanitizer report fails the test
#   tsan         the same under TSan in build-tsan-unit
# `make test` runs all five. The sanitizer trees use ccache when it is installed (CCACHE_DISABLE=1
# turns it off). Env: JOBS (nproc), SANITIZER_BUILD_TYPE (Debug).
set -uo pipefail
build=${1:-build}
shift || true
phases=("$@")
[ ${#phases[@]} -gt 0 ] || phases=(unit integration)
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-$(nproc)}
launcher=()
if command -v ccache >/dev/null && [ -z "${CCACHE_DISABLE:-}" ]; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

# sanitizer_unit <asan|tsan> <INGRESS_SANITIZE value>
sanitizer_unit() {
  local dir="$root/build-$1-unit"
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="${SANITIZER_BUILD_TYPE:-Debug}" \
    -DINGRESS_SANITIZE="$2" -DINGRESS_UNIT_ONLY=ON "${launcher[@]}" >/dev/null &&
    cmake --build "$dir" -j "$jobs" &&
    (cd "$dir" && ctest -L unit --output-on-failure -j "$jobs")
}

# failure_report <ctest-dir>: the last lines of each failed test's output (gtest's bracketed
# progress lines left out), printed just before the summary so that a log cut to its tail still
# shows what failed and why.
declare -a reports=()
failure_report() {
  local failed="$1/Testing/Temporary/LastTestsFailed.log" log="$1/Testing/Temporary/LastTest.log"
  [ -f "$failed" ] || return 0
  local name
  while IFS=: read -r _ name; do
    [ -n "$name" ] || continue
    reports+=("== failed: $name")
    reports+=("$(awk -v n="$name" '{t = "Testing: " n; p = index($0, t)}
      p > 0 && p + length(t) == length($0) + 1 {on=1; next}
      on && index($0, "\"" n "\" end time") == 1 {on=0}
      on && !/^\[/ && !/^ *$/ && !/FAILED TEST/ && !/^-+$/ && !/^(Command|Directory|Note): / &&
        !/^Output:/ && !/^[0-9]+\/[0-9]+ Test: / && !/ start time: / && !/^Running main/ &&
        !/^<end of output>/' "$log" | tail -n 16)")
  done < "$failed"
}

declare -a summary=()
status=0
for phase in "${phases[@]}"; do
  echo "== phase $phase"
  start=$SECONDS
  case "$phase" in
    unit | integration) ctest_dir="$root/$build" ;;
    asan | tsan) ctest_dir="$root/build-$phase-unit" ;;
    *) ctest_dir="" ;;
  esac
  [ -z "$ctest_dir" ] || rm -f "$ctest_dir/Testing/Temporary/LastTestsFailed.log"
  case "$phase" in
    format)
      (cd "$root" && git ls-files '*.cc' '*.h' | grep -v '^third_party/' |
        xargs clang-format-14 --dry-run --Werror) ;;
    unit) (cd "$root/$build" && ctest -L unit --output-on-failure -j "$jobs") ;;
    integration) (cd "$root/$build" && ctest -L 'integration|e2e|bench-smoke' --output-on-failure -j 2) ;;
    asan) sanitizer_unit asan address ;;
    tsan) sanitizer_unit tsan thread ;;
    *) echo "run-tests.sh: unknown phase $phase" >&2; false ;;
  esac
  rc=$?
  took=$((SECONDS - start))
  if [ $rc -eq 0 ]; then
    summary+=("  passed  $phase (${took}s)")
  else
    summary+=("  FAILED  $phase (${took}s)")
    status=1
    [ -z "$ctest_dir" ] || failure_report "$ctest_dir"
  fi
done

[ ${#reports[@]} -eq 0 ] || printf '%s\n' "${reports[@]}"
echo "== summary"
printf '%s\n' "${summary[@]}"
exit $status
