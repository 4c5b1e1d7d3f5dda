#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 in a separate build dir and runs each one for a
# bounded time over the seed corpus in test/fuzz/corpus/<target without _fuzz>/.
#
#   scripts/fuzz.sh                      # 60 s per target
#   FUZZ_SECONDS=10 scripts/fuzz.sh      # shorter
#   scripts/fuzz.sh hostname_fuzz        # only the named targets
#
# New inputs libFuzzer finds go to build-fuzz/corpus/<target>/ (the seeds in the source tree are
# only read); crashes are written to build-fuzz/artifacts/ and make the script fail.
# Env: FUZZ_SECONDS (60), FUZZ_BUILD_DIR (build-fuzz), FUZZ_JOBS (2), CC/CXX (clang-14).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-2}
cc=${CC:-clang-14}
cxx=${CXX:-clang++-14}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(ingress_request_fuzz hostname_fuzz)
fi

for tool in "$cc" "$cxx"; do
  if ! command -v "$tool" >/dev/null; then
    echo "fuzz.sh: $tool not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
    exit 2
  fi
done

# Every library is instrumented for coverage and sanitizers; only the fuzz executables link the
# libFuzzer driver (-fsanitize=fuzzer, set in test/fuzz/CMakeLists.txt). INGRESS_WERROR is off:
# the warnings-are-errors policy is for g++ 12, not clang.
san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINGRESS_FUZZ=ON -DINGRESS_UNIT_ONLY=ON -DINGRESS_WERROR=OFF \
  -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$san" >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

status=0
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  mkdir -p "$work" "$build/artifacts"
  echo "== $t for ${seconds}s"
  if ! "$build/test/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=8192 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
      "$work" "$root/test/fuzz/corpus/${t%_fuzz}" 2>"$build/$t.log"; then
    echo "fuzz.sh: $t FAILED, see $build/$t.log and $build/artifacts/" >&2
    tail -40 "$build/$t.log" >&2
    status=1
  else
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done)" "$build/$t.log" || true
  fi
done
exit $status
