#include "services/domain/location.h"

#include "absl/time/time.h"
#include "services/domain/errors.h"
#include "services/domain/policy.h"

namespace stipple::domain {

void Evolve(LocationState& state, const events::v1::LocationEvent& event,
            const std::string& /*event_id*/) {
  switch (event.event_case()) {
    case events::v1::LocationEvent::kOpened:
      state.exists = true;
      state.location_id = event.opened().location_id();
      state.name = event.opened().name();
      state.time_zone = event.opened().time_zone();
      state.policy = event.opened().policy();
      break;
    case events::v1::LocationEvent::kPolicyChanged:
      state.policy = event.policy_changed().policy();
      break;
    case events::v1::LocationEvent::EVENT_NOT_SET:
      break;  // An event type this build does not know leaves the state unchanged.
  }
}

absl::StatusOr<LocationState> FoldLocation(const History& history) {
  return Fold<LocationState, events::v1::LocationEvent>(
      history, [](LocationState& state, const events::v1::LocationEvent& event,
                  const std::string& id) { Evolve(state, event, id); });
}

absl::StatusOr<events::v1::LocationEvent> Decide(const LocationState& state,
                                                 const OpenLocation& command) {
  if (command.location_id.empty()) return InvalidField("location_id", "must not be empty");
  if (command.name.empty()) return InvalidField("name", "must not be empty");
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(command.time_zone, &zone) || command.time_zone.empty()) {
    return InvalidField("time_zone", "'" + command.time_zone + "' is not an IANA time zone");
  }
  events::v1::LocationPolicy policy =
      command.has_policy ? WithDefaults(command.policy) : DefaultPolicy();
  if (absl::Status valid = ValidatePolicy(policy, "policy"); !valid.ok()) return valid;
  if (state.exists) return AlreadyExists("location", command.location_id);
  events::v1::LocationEvent event;
  auto* opened = event.mutable_opened();
  opened->set_location_id(command.location_id);
  opened->set_name(command.name);
  opened->set_time_zone(command.time_zone);
  *opened->mutable_policy() = policy;
  return event;
}

absl::StatusOr<events::v1::LocationEvent> Decide(const LocationState& state,
                                                 const ChangeLocationPolicy& command) {
  events::v1::LocationPolicy policy = WithDefaults(command.policy);
  if (absl::Status valid = ValidatePolicy(policy, "policy"); !valid.ok()) return valid;
  if (command.reason.empty()) return InvalidField("reason", "must not be empty");
  if (!state.exists) return absl::NotFoundError("location does not exist");  // Caller names it.
  events::v1::LocationEvent event;
  *event.mutable_policy_changed()->mutable_policy() = policy;
  event.mutable_policy_changed()->set_reason(command.reason);
  return event;
}

}  // namespace stipple::domain
