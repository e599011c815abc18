#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each on its seed corpus.
#   tests/fuzz/run.sh [SECONDS_PER_TARGET]   (default 30; CI uses the default)
# New inputs go to a scratch corpus, not the repository; a crash leaves its input in
# build/fuzz/findings/ and fails the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-30}
targets=(record_decode_fuzzer command_fuzzer)

CC=clang CXX=clang++ "$root/deploy/build.sh" "$root/build/fuzz" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTIPPLE_FUZZ=ON -- "${targets[@]}"

findings=$root/build/fuzz/findings
mkdir -p "$findings"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for target in "${targets[@]}"; do
  scratch=$(mktemp -d)
  echo "fuzzing $target for ${seconds}s" >&2
  set +e
  "$root/build/fuzz/tests/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=4096 \
    -artifact_prefix="$findings/$target-" -print_final_stats=1 \
    "$scratch" "$root/tests/fuzz/corpus/$target" 2>&1 | tail -n 15
  status=${PIPESTATUS[0]}
  set -e
  rm -rf "$scratch"
  [ "$status" -eq 0 ] || { echo "$target found a problem: see $findings" >&2; exit 1; }
done
