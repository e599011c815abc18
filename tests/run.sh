#!/usr/bin/env bash
# Installs what is missing, builds everything with AddressSanitizer and UndefinedBehaviorSanitizer,
# runs every test with CTest, then each libFuzzer target briefly, then the crash and soak tests
# again against stippled as it ships. Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/install-deps.sh"
"$root/deploy/build.sh" "$root/build/test" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTIPPLE_SANITIZE=ON
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$root/build/test"
ctest --output-on-failure -j "${STIPPLE_JOBS:-2}" --timeout 900
# A short run of each fuzzer (clang build); tests/fuzz/run.sh SECONDS for a longer one.
"$root/tests/fuzz/run.sh"
# stippled as deploy/run.sh builds it (Release, allocating through jemalloc) under the tests that
# run it as a child process: the sanitizer build above allocates through ASan and is optimised
# differently, and is not what runs in production.
"$root/deploy/build.sh" "$root/build/release-check" -DCMAKE_BUILD_TYPE=Release -- \
  stippled crash_torture_test soak_test eventstore_crash_test eventstore_crash_child
cd "$root/build/release-check"
ctest --output-on-failure -j "${STIPPLE_JOBS:-2}" --timeout 900 \
  -R '^(CrashTortureTest|SoakTest|CrashTest)\.'
