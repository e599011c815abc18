// Durable append throughput of the event store against the disk's ceiling, measured in one run:
// plain RocksDB writes with sync=true from the same number of threads, each write carrying as many
// records as one append carries events. Prints Google Benchmark's table, then the ratios.
//
//   eventstore_bench [--bench_dir=DIR] [--rounds=N] [benchmark flags, e.g. --benchmark_min_time=2]
//
// DIR (default ./bench-data) must be on the disk under test; it is emptied before each run.
// Every case runs once per round (N rounds, default 3; instead of --benchmark_repetitions), its
// raw run and store run back to back, raw first in even rounds and store first in odd ones. A
// round goes through all cases, so a case's rounds are tens of seconds apart (about 45 s at
// --benchmark_min_time=2): a spell of the disk shorter than that moves one round's ratio, not the
// median; the range shows how far the rounds spread.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "eventstore/rocksdb_event_store.h"
#include "rocksdb/db.h"
#include "services/process_settings.h"
#include "tests/bench/percentile.h"

namespace {

using stipple::bench::Median;
using stipple::bench::Percentile;
using stipple::eventstore::ExpectedVersion;
using stipple::eventstore::ProposedEvent;
using stipple::eventstore::RocksDbEventStore;
using stipple::eventstore::StreamAppend;

constexpr size_t kPayloadBytes = 200;  // A typical studio event's payload.

std::string bench_dir = "./bench-data";

// Latency of every write, by case (name, events per write, threads), for p50/p99.
using CaseKey = std::tuple<std::string, std::string, int64_t>;
std::mutex latency_mu;
std::map<CaseKey, std::vector<double>> latencies_ms;

void KeepLatencies(const char* name, int events, const benchmark::State& state,
                   std::vector<double>& mine) {
  std::lock_guard<std::mutex> lock(latency_mu);
  auto& all = latencies_ms[{name, std::to_string(events), state.threads()}];
  all.insert(all.end(), mine.begin(), mine.end());
}

std::string FreshDir(const std::string& name) {
  std::string path = bench_dir + "/" + name;
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

// Why thread 0 could not open the run's shared database; read by all threads after the loop's
// start barrier.
std::string open_error;

// Fails the thread's run once. Its loop then runs out idle rather than breaking off: every thread
// reaches the end barrier before thread 0 closes the shared database.
void Fail(benchmark::State& state, bool& failed, const std::string& why) {
  if (!failed) state.SkipWithError(why.c_str());
  failed = true;
}

// The ceiling: RocksDB itself, one synced write per operation, batching `events` records.
std::unique_ptr<rocksdb::DB> raw_db;

void RawSyncWrite(benchmark::State& state, int events) {
  if (state.thread_index() == 0) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.compression = rocksdb::kLZ4Compression;  // As the store's log (flushes compress).
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, FreshDir("raw"), &db);
    open_error = s.ok() ? "" : s.ToString();
    raw_db.reset(db);
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  const std::string value(kPayloadBytes, 'v');
  uint64_t counter = 0;
  std::vector<double> mine;
  bool failed = false;
  for (auto _ : state) {
    if (raw_db == nullptr) Fail(state, failed, "RocksDB did not open: " + open_error);
    if (failed) continue;
    const absl::Time start = absl::Now();
    rocksdb::WriteBatch batch;
    for (int e = 0; e < events; ++e) {
      batch.Put(absl::StrCat("t", state.thread_index(), "-", counter++), value);
    }
    rocksdb::Status s = raw_db->Write(sync, &batch);
    if (!s.ok()) {
      Fail(state, failed, s.ToString());
      continue;
    }
    mine.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  KeepLatencies("raw_sync_write", events, state, mine);
  state.SetItemsProcessed(state.iterations() * events);
  if (state.thread_index() == 0) raw_db.reset();
}

std::unique_ptr<RocksDbEventStore> store;

// Each thread appends to its own stream with the exact expected version, as a command handler does.
void StoreAppend(benchmark::State& state, int events) {
  if (state.thread_index() == 0) {
    stipple::eventstore::RocksDbEventStoreOptions options;
    options.path = FreshDir("store");
    auto opened = RocksDbEventStore::Open(options);
    open_error = opened.ok() ? "" : opened.status().ToString();
    store = opened.ok() ? *std::move(opened) : nullptr;
  }
  const std::string stream = absl::StrCat("client-", state.thread_index());
  uint64_t version = 0;
  uint64_t counter = 0;
  std::vector<double> mine;
  bool failed = false;
  for (auto _ : state) {
    if (store == nullptr) Fail(state, failed, "the store did not open: " + open_error);
    if (failed) continue;
    const absl::Time start = absl::Now();
    StreamAppend append{stream, ExpectedVersion::Exactly(version), {}};
    for (int e = 0; e < events; ++e) {
      ProposedEvent event;
      event.event_id = absl::StrCat(stream, "-", counter++);
      event.type = "Session.Completed";
      event.payload.assign(kPayloadBytes, 'p');
      event.metadata.actor = "artist-7";
      event.metadata.location = "location-2";
      append.events.push_back(std::move(event));
    }
    auto result = store->Append(append);
    if (!result.ok()) {
      Fail(state, failed, result.status().ToString());
      continue;
    }
    version = result->new_version;
    mine.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  KeepLatencies("store_append", events, state, mine);
  state.SetItemsProcessed(state.iterations() * events);
  if (state.thread_index() == 0) store.reset();
}

double Mean(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return values.empty() ? 0 : sum / values.size();
}

// Collects events/s per case and round while printing the usual table.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration) continue;
      // Every run of a case, failed or not, takes the next round's slot: a round lines up with
      // the same round of the other side.
      auto rate = run.counters.find("items_per_second");
      rates_[{run.run_name.function_name, run.run_name.args, run.threads}].push_back(
          run.error_occurred || rate == run.counters.end()
              ? std::nullopt
              : std::optional<double>(rate->second.value));
    }
  }

  void PrintRatios(const std::vector<int>& events, const std::vector<int>& threads) const {
    std::printf(
        "\nDurable appends vs raw RocksDB sync=true writes (same disk, same run; in rounds, a "
        "case's raw and store runs back to back: events/s and ratio of the means over the rounds "
        "where both ran, and per round: median, range)\n");
    std::printf("%-10s %-14s %6s %14s %14s %8s %8s %11s %22s %22s\n", "appenders", "events/append",
                "rounds", "raw events/s", "store events/s", "ratio", "median", "range",
                "raw p50/p99 ms", "store p50/p99 ms");
    for (int e : events) {
      for (int t : threads) {
        auto raw = rates_.find({"raw_sync_write", std::to_string(e), t});
        auto ours = rates_.find({"store_append", std::to_string(e), t});
        if (raw == rates_.end() && ours == rates_.end()) continue;  // Filtered out.
        if (raw == rates_.end() || ours == rates_.end()) {
          std::printf("%-10d %-14d  (only the %s runs ran)\n", t, e,
                      raw == rates_.end() ? "store" : "raw");
          continue;
        }
        // Every round runs both sides; a mismatch would mean the pairing broke.
        if (raw->second.size() != ours->second.size()) {
          std::printf("%-10d %-14d  (raw and store ran %zu and %zu times)\n", t, e,
                      raw->second.size(), ours->second.size());
          continue;
        }
        // Only rounds where both runs succeeded count in events/s, ratio, median and range; the
        // latencies pool every call.
        std::vector<double> raw_rates, our_rates, round_ratios;
        for (size_t r = 0; r < raw->second.size(); ++r) {
          if (!raw->second[r].has_value() || !ours->second[r].has_value()) continue;
          raw_rates.push_back(*raw->second[r]);
          our_rates.push_back(*ours->second[r]);
          round_ratios.push_back(our_rates.back() / raw_rates.back());
        }
        if (round_ratios.empty()) {
          std::printf("%-10d %-14d %6d  (no round where both ran)\n", t, e, 0);
          continue;
        }
        std::sort(round_ratios.begin(), round_ratios.end());
        const auto& raw_ms = latencies_ms[{"raw_sync_write", std::to_string(e), t}];
        const auto& our_ms = latencies_ms[{"store_append", std::to_string(e), t}];
        const double raw_rate = Mean(raw_rates);
        const double our_rate = Mean(our_rates);
        std::printf(
            "%-10d %-14d %6zu %14.0f %14.0f %8.2f %8.2f %5.2f-%-5.2f %10.2f / %9.2f %10.2f / "
            "%9.2f\n",
            t, e, round_ratios.size(), raw_rate, our_rate, our_rate / raw_rate,
            Median(round_ratios), round_ratios.front(), round_ratios.back(),
            Percentile(raw_ms, 0.5), Percentile(raw_ms, 0.99), Percentile(our_ms, 0.5),
            Percentile(our_ms, 0.99));
      }
    }
  }

 private:
  // Events/s of each round in order; none for a run that failed.
  std::map<CaseKey, std::vector<std::optional<double>>> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  stipple::services::ApplyProductionProcessSettings();
  std::vector<char*> args;
  int rounds = 3;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.starts_with("--bench_dir=")) {
      bench_dir = arg.substr(12);
    } else if (arg.starts_with("--rounds=")) {
      if (!absl::SimpleAtoi(arg.substr(9), &rounds) || rounds < 1) {
        std::fprintf(stderr, "--rounds must be a positive number\n");
        return 2;
      }
    } else if (arg.starts_with("--benchmark_repetitions") ||
               arg.starts_with("--benchmark_enable_random_interleaving")) {
      // Either would break the order the ratios pair runs by.
      std::fprintf(stderr, "%s: use --rounds=N instead\n", arg.c_str());
      return 2;
    } else {
      args.push_back(argv[i]);
    }
  }
  // Google Benchmark also takes these flags from the environment.
  for (const char* name : {"BENCHMARK_REPETITIONS", "BENCHMARK_ENABLE_RANDOM_INTERLEAVING"}) {
    if (std::getenv(name) != nullptr) {
      std::fprintf(stderr, "%s is set: unset it and use --rounds=N instead\n", name);
      return 2;
    }
  }
  int benchmark_argc = static_cast<int>(args.size());
  benchmark::Initialize(&benchmark_argc, args.data());
  if (benchmark::ReportUnrecognizedArguments(benchmark_argc, args.data())) return 2;

  const std::vector<int> event_counts = {1, 10};
  const std::vector<int> thread_counts = {1, 16, 64};
  // A case's raw and store runs are adjacent, raw first in even rounds and store first in odd
  // ones, so drift on a noisy machine hits both alike (exactly so over an even number of rounds).
  for (int round = 0; round < rounds; ++round) {
    for (int events : event_counts) {
      for (int threads : thread_counts) {
        auto add = [&](const char* name, void (*run)(benchmark::State&, int)) {
          benchmark::RegisterBenchmark(name, run, events)
              ->Args({events})
              ->Threads(threads)
              ->UseRealTime();
        };
        if (round % 2 == 0) {
          add("raw_sync_write", RawSyncWrite);
          add("store_append", StoreAppend);
        } else {
          add("store_append", StoreAppend);
          add("raw_sync_write", RawSyncWrite);
        }
      }
    }
  }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios(event_counts, thread_counts);
  std::filesystem::remove_all(bench_dir);
  benchmark::Shutdown();
}
