#!/usr/bin/env bash
# Installs what is missing, builds a Release stippled and runs it on the embedded RocksDB store.
# Flags are passed through (e.g. --listen=127.0.0.1:0); defaults: --listen=127.0.0.1:50051
# --data_dir=./data (relative to the repository root).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/install-deps.sh"
"$root/deploy/build.sh" "$root/build/release" -DCMAKE_BUILD_TYPE=Release -DSTIPPLE_BUILD_TESTS=OFF \
  -- stippled
cd "$root"
exec "$root/build/release/services/stippled" --listen=127.0.0.1:50051 --data_dir=./data "$@"
