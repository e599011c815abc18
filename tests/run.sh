#!/usr/bin/env bash
# Installs what is missing, builds everything with AddressSanitizer and UndefinedBehaviorSanitizer,
# runs every test with CTest, then each libFuzzer target briefly, then the tests that start
# stippled (crash, soak) again against a Release, jemalloc build of it. Exits non-zero on any
# failure.
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
# stippled built as deploy/run.sh builds it (Release, allocating through jemalloc), under the tests
# that start it as a child process, and the event store's crash test in Release: the sanitizer
# build above allocates through ASan and is optimised differently. One test at a time: the soak
# paces itself by the capacity it measures, which a crash torture beside it would take.
"$root/deploy/build.sh" "$root/build/release-check" -DCMAKE_BUILD_TYPE=Release -- \
  stippled stippled_test crash_torture_test soak_test eventstore_crash_test
cd "$root/build/release-check"
ctest --output-on-failure -j 1 --timeout 900 --no-tests=error \
  -R '^(StippledTest|CrashTortureTest|SoakTest|CrashTest)\.'
