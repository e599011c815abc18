#ifndef STIPPLE_SERVICES_DOMAIN_LOCATION_H_
#define STIPPLE_SERVICES_DOMAIN_LOCATION_H_

// A studio location: its time zone and course policy.

#include <string>

#include "absl/status/statusor.h"
#include "services/domain/history.h"
#include "stipple/events/v1/events.pb.h"

namespace stipple::domain {

struct LocationState {
  bool exists = false;
  std::string location_id;
  std::string name;
  std::string time_zone;
  events::v1::LocationPolicy policy;
};

void Evolve(LocationState& state, const events::v1::LocationEvent& event,
            const std::string& event_id);
absl::StatusOr<LocationState> FoldLocation(const History& history);

struct OpenLocation {
  std::string location_id;
  std::string name;
  std::string time_zone;
  events::v1::LocationPolicy policy;  // Unset numbers take the defaults.
  bool has_policy = false;            // False: the whole default policy.
};
absl::StatusOr<events::v1::LocationEvent> Decide(const LocationState& state,
                                                 const OpenLocation& command);

struct ChangeLocationPolicy {
  events::v1::LocationPolicy policy;
  std::string reason;
};
absl::StatusOr<events::v1::LocationEvent> Decide(const LocationState& state,
                                                 const ChangeLocationPolicy& command);

}  // namespace stipple::domain

#endif  // STIPPLE_SERVICES_DOMAIN_LOCATION_H_
