// How fast the projections fold a log: every read model rebuilt from position 0 over a generated
// workload, against a plain scan that reads and decodes the same log in the same run.
//
//   projection_bench [--events=N] [--bench_dir=DIR] [--reuse_log]
//
// --reuse_log keeps the log in DIR afterwards and folds an existing one instead of writing it
// (for profiling the fold over and over).
//
// The log (about N events from N/27 clients, 8 locations, 40 artists) is written by 16 writers
// at once, so their appends share WAL syncs.
// Prints events/s for the scan and for the rebuild of all four read models, and their ratio. A log
// just written is folded with its newest part still in RocksDB's memtable and the bulk write's
// flushes and compactions running beside the fold; run.sh then folds it again in a new process
// (--reuse_log), as a server's rebuild meets a log written over time, for the aim.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "eventstore/rocksdb_event_store.h"
#include "projections/read_models.h"
#include "services/process_settings.h"
#include "tests/bench/cpu_time.h"
#include "tests/projections/workload.h"

using stipple::eventstore::GlobalPosition;

namespace {

// About `target_events` events from target_events/27 clients; returns the number written.
size_t WriteLog(stipple::eventstore::EventStore& store, int64_t target_events) {
  constexpr int kWriters = 16;
  constexpr int kEventsPerClient = 27;  // Measured on the generated workload.
  const int clients =
      static_cast<int>(std::max<int64_t>(kWriters, target_events / kEventsPerClient));
  stipple::testing::WorkloadOptions workload;
  workload.locations = 8;
  workload.artists = 40;
  workload.clients = 0;
  size_t events = stipple::testing::AppendWorkload(store, workload);  // Locations, artists.
  std::vector<size_t> written(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      stipple::testing::WorkloadOptions part = workload;
      part.clients = clients / kWriters;
      part.seed = w + 1;
      part.prefix = absl::StrCat("w", w, "-");
      part.open_locations_and_artists = false;
      written[w] = stipple::testing::AppendWorkload(store, part);
    });
  }
  for (std::thread& writer : writers) writer.join();
  for (size_t n : written) events += n;
  return events;
}

// Reads and decodes the whole log (the baseline), then folds it into every read model from
// scratch, and prints both rates.
bool MeasureRebuild(stipple::eventstore::RocksDbEventStore& store, const std::string& dir) {
  std::filesystem::remove_all(dir + "/read_models");
  const GlobalPosition head = store.HeadPosition();
  // Baseline: read and decode the whole log, as a projection's catch-up does.
  const absl::Time scan_start = absl::Now();
  size_t scanned = 0;
  for (GlobalPosition from = 1;;) {
    auto slice = store.ReadAll(from, 256, {});
    if (!slice.ok()) return false;
    scanned += slice->events.size();
    if (slice->end_of_log) break;
    from = slice->next_position;
  }
  const double scan_seconds = absl::ToDoubleSeconds(absl::Now() - scan_start);

  const double fold_cpu_start = stipple::bench::ProcessCpuSeconds();
  const absl::Time fold_start = absl::Now();
  auto models = stipple::projections::ReadModels::Start(store, dir + "/read_models");
  if (!models.ok()) return false;
  for (const char* name : {"client_summary", "client_history", "artist_schedule", "reports"}) {
    if (!(*models)->runner(name)->WaitFor(head, absl::InfiniteFuture()).ok()) return false;
  }
  const double fold_seconds = absl::ToDoubleSeconds(absl::Now() - fold_start);
  const double fold_cpu = stipple::bench::ProcessCpuSeconds() - fold_cpu_start;

  std::printf("%-40s %12s\n", "", "events/s");
  std::printf("%-40s %12.0f\n", "scan + decode (baseline)", scanned / scan_seconds);
  std::printf("%-40s %12.0f\n", "rebuild of 4 read models (in parallel)", head / fold_seconds);
  std::printf("%-40s %12.2f\n", "rebuild CPU seconds per wall second", fold_cpu / fold_seconds);
  std::printf("%-40s %12.2f\n", "rebuild CPU microseconds per event", fold_cpu * 1e6 / head);
  std::printf("%-40s %12.2f\n", "ratio rebuild / scan",
              (head / fold_seconds) / (scanned / scan_seconds));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  stipple::services::ApplyProductionProcessSettings();
  std::string dir = "./bench-data";
  int64_t target_events = 1000000;
  bool reuse_log = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--reuse_log") reuse_log = true;
    if (arg.starts_with("--bench_dir=")) dir = arg.substr(12);
    if (arg.starts_with("--events=") && !absl::SimpleAtoi(arg.substr(9), &target_events)) return 2;
  }
  const bool write_log = !reuse_log || !std::filesystem::exists(dir + "/events");
  if (write_log) std::filesystem::remove_all(dir);
  stipple::eventstore::RocksDbEventStoreOptions options;
  options.path = dir + "/events";
  auto store = stipple::eventstore::RocksDbEventStore::Open(options);
  if (!store.ok()) return 1;

  if (write_log) {
    const absl::Time write_start = absl::Now();
    const size_t events = WriteLog(**store, target_events);
    std::printf("log: %zu events, written in %s\n", events,
                absl::FormatDuration(absl::Now() - write_start).c_str());
    std::printf(
        "\nthe log just written (its newest events still in memory; RocksDB flushing and "
        "compacting it meanwhile):\n");
  } else {
    std::printf("\nthe log reopened by a new process, as after a restart:\n");
  }
  std::printf("log: %llu positions\n", static_cast<unsigned long long>((*store)->HeadPosition()));
  if (!MeasureRebuild(**store, dir)) return 1;
  store->reset();
  if (!reuse_log) std::filesystem::remove_all(dir);
}
