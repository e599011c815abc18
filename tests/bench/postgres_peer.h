#ifndef STIPPLE_TESTS_BENCH_POSTGRES_PEER_H_
#define STIPPLE_TESTS_BENCH_POSTGRES_PEER_H_

// The PostgreSQL peer of command_bench: Stipple's appends of a run written by as many connections
// into an events table with UNIQUE(stream_id, version) and a unique event id, one transaction per
// command: read each stream's version, insert its events at version + 1, and start over after
// losing a race for a version (the Marten / Message DB way), with synchronous_commit=on.

#include <string>
#include <vector>

#include "tests/bench/command_runs.h"

namespace stipple::bench {

// `conninfo`: a libpq connection string. The events table is created anew.
Figures RunPostgres(const std::string& conninfo,
                    const std::vector<std::vector<RecordedAppend>>& appends_by_desk);

}  // namespace stipple::bench

#endif  // STIPPLE_TESTS_BENCH_POSTGRES_PEER_H_
