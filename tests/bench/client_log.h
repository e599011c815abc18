#ifndef STIPPLE_TESTS_BENCH_CLIENT_LOG_H_
#define STIPPLE_TESTS_BENCH_CLIENT_LOG_H_

// Fills an event store fast with many registered and consulted clients across a few locations,
// for the benchmarks that need a large log (queries, start-up). Clients are written in batches
// of many streams per append from several threads.

#include <cstdint>
#include <string>

#include "eventstore/event_store.h"

namespace stipple::bench {

inline constexpr int kBenchLocations = 8;

// The id of client `n` (0-based) and of location `n`.
std::string BenchClientId(int64_t n);
std::string BenchLocationId(int n);

// Opens kBenchLocations locations and appends clients [0, clients): each registered and consulted
// (two events). Returns the events written.
int64_t WriteClientLog(eventstore::EventStore& store, int64_t clients, int threads = 8);

}  // namespace stipple::bench

#endif  // STIPPLE_TESTS_BENCH_CLIENT_LOG_H_
