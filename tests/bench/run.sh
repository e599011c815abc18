#!/usr/bin/env bash
# Every benchmark in one command: installs what is missing (PostgreSQL 15 included), builds
# Release, starts a throw-away PostgreSQL on loopback for the comparison, runs the benchmarks,
# stops PostgreSQL, and writes the tables with the date and the machine to tests/bench/RESULTS.md
# (or to $STIPPLE_RESULTS). Benchmark data goes under $STIPPLE_BENCH_DIR (default: a temporary
# directory on the disk holding /tmp).
#
#   tests/bench/run.sh [--quick]   (--quick: shorter runs, smaller logs)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
quick=${1:-}
results=${STIPPLE_RESULTS:-$root/tests/bench/RESULTS.md}

"$root/deploy/install-deps.sh" --bench
"$root/deploy/build.sh" "$root/build/release" -DCMAKE_BUILD_TYPE=Release -DSTIPPLE_BUILD_TESTS=ON -- \
  eventstore_bench command_bench projection_bench query_bench startup_bench

work=$(mktemp -d /tmp/stipple-bench-XXXXXX)
bench_dir=${STIPPLE_BENCH_DIR:-$work/data}
mkdir -p "$bench_dir"
pg_bin=/usr/lib/postgresql/15/bin
pg_data=$work/pg
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root.
  chown postgres "$work"
  as_postgres=(runuser -u postgres --)
fi
stop_postgres() {
  "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop_postgres EXIT
"${as_postgres[@]}" "$pg_bin/initdb" -D "$pg_data" -A trust -U bench >/dev/null
port=$(( 20000 + RANDOM % 20000 ))
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$work \
      -c synchronous_commit=on -c fsync=on -c max_connections=200" start >/dev/null
pg="host=127.0.0.1 port=$port user=bench dbname=postgres"

seconds=20; min_time=2; events=1000000; large_clients=1000000; startup_events=10000000
if [ "$quick" = "--quick" ]; then
  seconds=5; min_time=0.5; events=100000; large_clients=100000; startup_events=1000000
fi

out=$work/out.txt
{
  echo "# Stipple benchmark results"
  echo
  echo "Written by \`tests/bench/run.sh $quick\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD)."
  echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "disk: $(df -h "$bench_dir" | awk 'NR==2{print $1", "$2}'); PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on loopback, synchronous_commit=on."
  echo "Ratios compare figures of the same run; absolute rates move between runs on this shared machine."
  echo
  echo "## 1. Store: durable appends vs raw RocksDB sync=true writes"
  echo '```'
  "$root/build/release/tests/bench/eventstore_bench" --bench_dir="$bench_dir" \
    --benchmark_min_time="$min_time" 2>/dev/null | sed -n '/Durable appends/,$p'
  echo '```'
  echo
  echo "## 2. Commands end to end over gRPC vs PostgreSQL"
  echo '```'
  "$root/build/release/tests/bench/command_bench" --pg="$pg" --bench_dir="$bench_dir" \
    --seconds="$seconds" | sed -n '/Commands end to end/,$p'
  echo '```'
  echo
  echo "## 3. Projection rebuild"
  echo '```'
  # The log as just written, then reopened by a new process (the aim's figure; see the bench).
  rm -rf "$bench_dir/rebuild"
  "$root/build/release/tests/bench/projection_bench" --bench_dir="$bench_dir/rebuild" \
    --events="$events" --reuse_log
  echo
  "$root/build/release/tests/bench/projection_bench" --bench_dir="$bench_dir/rebuild" --reuse_log |
    sed -n '/the log reopened/,$p'
  rm -rf "$bench_dir/rebuild"
  echo '```'
  echo
  echo "## 4. Queries as the data grows"
  echo '```'
  "$root/build/release/tests/bench/query_bench" --bench_dir="$bench_dir" \
    --large="$large_clients" | sed -n '/Query latency/,$p'
  echo '```'
  echo
  echo "## 5. Start-up"
  echo '```'
  "$root/build/release/tests/bench/startup_bench" --bench_dir="$bench_dir" \
    --events="$startup_events" | sed -n '/Start-up/,$p'
  echo '```'
} | tee "$out"
cp "$out" "$results"
echo "written to $results" >&2
