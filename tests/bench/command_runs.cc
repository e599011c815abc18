#include "tests/bench/command_runs.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <latch>
#include <thread>

#include "absl/time/clock.h"
#include "tests/bench/cpu_time.h"
#include "tests/bench/percentile.h"

namespace stipple::bench {

void CountOperations(const std::vector<std::vector<double>>& latencies, Figures* figures) {
  std::vector<double> all;
  for (const std::vector<double>& caller : latencies)
    all.insert(all.end(), caller.begin(), caller.end());
  figures->operations = static_cast<int64_t>(all.size());
  figures->p50_ms = Percentile(all, 0.50);
  figures->p99_ms = Percentile(all, 0.99);
}

std::unique_ptr<eventstore::RocksDbEventStore> OpenEmptyStore(const std::string& dir) {
  std::filesystem::remove_all(dir);
  eventstore::RocksDbEventStoreOptions options;
  options.path = dir + "/events";
  auto store = eventstore::RocksDbEventStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(store);
}

Figures ReplayByDesk(const std::vector<std::vector<RecordedAppend>>& appends_by_desk,
                     const std::function<ReplayAppend(int desk)>& connect,
                     double* process_cpu_seconds) {
  const int desks = static_cast<int>(appends_by_desk.size());
  std::vector<std::vector<double>> latencies(desks);
  std::vector<int64_t> events(desks, 0), errors(desks, 0), lost_races(desks, 0);
  std::vector<std::thread> threads;
  std::latch ready(desks + 1);
  for (int d = 0; d < desks; ++d) {
    threads.emplace_back([&, d] {
      const ReplayAppend append_one = connect(d);
      ready.arrive_and_wait();
      for (const RecordedAppend& append : appends_by_desk[d]) {
        const absl::Time sent = absl::Now();
        if (append_one(append, &lost_races[d])) {
          latencies[d].push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
          events[d] += static_cast<int64_t>(append.events.size());
        } else {
          ++errors[d];
        }
      }
    });
  }
  ready.arrive_and_wait();
  const absl::Time start = absl::Now();
  const double cpu_start = ProcessCpuSeconds();
  const std::optional<double> machine_start = MachineBusySeconds();
  for (std::thread& thread : threads) thread.join();
  Figures figures;
  figures.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  *process_cpu_seconds = ProcessCpuSeconds() - cpu_start;
  figures.machine_busy_seconds = BusyBetween(machine_start, MachineBusySeconds());
  for (int d = 0; d < desks; ++d) {
    figures.events += events[d];
    figures.errors += errors[d];
    figures.lost_races += lost_races[d];
  }
  CountOperations(latencies, &figures);
  return figures;
}

}  // namespace stipple::bench
