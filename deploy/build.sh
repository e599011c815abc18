#!/usr/bin/env bash
# Configures (once) and builds one build tree: deploy/build.sh DIR [cmake -D options...] -- [targets]
# Re-running rebuilds only what changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
cmake_args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  cmake_args+=("$1")
  shift
done
[ $# -gt 0 ] && shift
cmake -S "$root" -B "$dir" -G Ninja "${cmake_args[@]}" >/dev/null
# Two jobs: gRPC-heavy translation units need ~1 GiB each and the machines have 2 cores.
cmake --build "$dir" -j "${STIPPLE_JOBS:-2}" ${1:+--target "$@"}
