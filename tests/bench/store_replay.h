#ifndef STIPPLE_TESTS_BENCH_STORE_REPLAY_H_
#define STIPPLE_TESTS_BENCH_STORE_REPLAY_H_

// command_bench's ceiling: Stipple's appends of a run replayed through the append-only gRPC
// service (append_replay_service.h) into a new, empty store, each desk's by one caller on its own
// connection, as the PostgreSQL peer replays them. What gRPC and the store alone take for the
// same events: no decision, no idempotency look-up, no read models, no refused bookings.

#include <string>
#include <vector>

#include "tests/bench/command_runs.h"

namespace stipple::bench {

// The store goes under `dir` (whatever was there is removed).
Figures RunStoreReplay(const std::string& dir,
                       const std::vector<std::vector<RecordedAppend>>& appends_by_desk);

}  // namespace stipple::bench

#endif  // STIPPLE_TESTS_BENCH_STORE_REPLAY_H_
