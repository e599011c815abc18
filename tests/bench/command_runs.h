#ifndef STIPPLE_TESTS_BENCH_COMMAND_RUNS_H_
#define STIPPLE_TESTS_BENCH_COMMAND_RUNS_H_

// What command_bench's runs share: the figures a run gives, the appends Stipple's run recorded,
// and the timed replay of those appends by desk that the PostgreSQL peer and the gRPC + store
// ceiling both make.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eventstore/event.h"
#include "eventstore/rocksdb_event_store.h"

namespace stipple::bench {

struct Figures {
  int64_t operations = 0;  // Commands or transactions.
  int64_t events = 0;
  double seconds = 0;
  double p50_ms = 0, p99_ms = 0;
  int64_t errors = 0;
  // Stipple: bookings refused because the artist was booked then; the desk tries again with the
  // next artist. Not operations: no latency, no events.
  int64_t refused = 0;
  // PostgreSQL and the replay: attempts that lost a race for a stream's next version; the
  // append is tried again, within its operation's latency. (Stipple's handler decides again the
  // same way, within its command's latency, uncounted.)
  int64_t lost_races = 0;
  // Stipple, the gRPC floor and the replay: the CPU this process (server, read models and
  // callers) took per call, refused ones included. Not measured for PostgreSQL, whose server
  // runs in processes of their own.
  std::optional<double> cpu_us_per_call;
  // Every system: the CPU the whole machine was busy with meanwhile (this process, PostgreSQL's
  // server, anything else running), in seconds; nullopt where /proc/stat could not be read.
  std::optional<double> machine_busy_seconds;
};

// Both replays (the PostgreSQL peer, the gRPC + store replay) give an append up after it has
// lost the race for a stream's version this many times.
inline constexpr int kMaxAppendAttempts = 20;

// One append as the log recorded it.
struct RecordedAppend {
  std::vector<eventstore::RecordedEvent> events;
};

// The operations and their latency percentiles, from each caller's latencies.
void CountOperations(const std::vector<std::vector<double>>& latencies, Figures* figures);

// A new, empty event store under `dir` (whatever was there is removed); exits if it cannot open.
std::unique_ptr<eventstore::RocksDbEventStore> OpenEmptyStore(const std::string& dir);

// Makes one recorded append; false when it failed. Adds the races it lost to `*lost_races`.
using ReplayAppend = std::function<bool(const RecordedAppend& append, int64_t* lost_races)>;

// Replays each desk's appends, in order, on a thread of its own through what `connect(desk)`
// returns (called on that thread before the clock starts). Timed from when every desk is
// connected to when the last has made its share; `*process_cpu_seconds` is this process's CPU
// meanwhile.
Figures ReplayByDesk(const std::vector<std::vector<RecordedAppend>>& appends_by_desk,
                     const std::function<ReplayAppend(int desk)>& connect,
                     double* process_cpu_seconds);

}  // namespace stipple::bench

#endif  // STIPPLE_TESTS_BENCH_COMMAND_RUNS_H_
