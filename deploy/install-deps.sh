#!/usr/bin/env bash
# Installs the Debian 12 packages Stipple builds with, if any is missing. Idempotent: when all are
# present it changes nothing and asks no mirror.
#   deploy/install-deps.sh          what building and testing need
#   deploy/install-deps.sh --bench  also the PostgreSQL server the benchmarks compare against
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev librocksdb-dev libgtest-dev libgmock-dev libbenchmark-dev libssl-dev
  libjemalloc-dev  # The allocator of stippled and the benchmarks (see CMakeLists.txt).
  tzdata  # Locations' IANA time zones are read from /usr/share/zoneinfo at run time.
  clang libclang-rt-14-dev  # The libFuzzer targets (tests/fuzz).
  libpq-dev                 # The PostgreSQL peer in tests/bench/command_bench.
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(postgresql-15)
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y \
  --no-install-recommends "${missing[@]}"
