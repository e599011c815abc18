#ifndef STIPPLE_TESTS_PROJECTIONS_WORKLOAD_H_
#define STIPPLE_TESTS_PROJECTIONS_WORKLOAD_H_

// A generated log of many clients, locations and artists with every kind of event, appended
// straight to the store (projections fold whatever the log holds; the domain's rules are tested
// elsewhere). Deterministic for a seed.

#include <cstdint>

#include "eventstore/event_store.h"

namespace stipple::testing {

struct WorkloadOptions {
  uint32_t seed = 1;
  int locations = 3;
  int artists = 4;
  int clients = 60;
  absl::Time start = absl::FromCivil(absl::CivilSecond(2026, 1, 5, 9, 0, 0), absl::UTCTimeZone());
  // Several writers can fill one log at once: each with its own prefix (client and event ids),
  // and only one of them opening the locations and registering the artists.
  std::string prefix;
  bool open_locations_and_artists = true;
};

// Appends the workload; returns the number of events written.
size_t AppendWorkload(eventstore::EventStore& store, const WorkloadOptions& options);

}  // namespace stipple::testing

#endif  // STIPPLE_TESTS_PROJECTIONS_WORKLOAD_H_
