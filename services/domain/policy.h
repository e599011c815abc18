#ifndef STIPPLE_SERVICES_DOMAIN_POLICY_H_
#define STIPPLE_SERVICES_DOMAIN_POLICY_H_

// A location's course policy: the defaults, filling in what a studio leaves unset, checking it,
// and reading it (expected duration by session number).

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "stipple/events/v1/events.pb.h"

namespace stipple::domain {

using events::v1::LocationPolicy;

// 3 base sessions, at most 6; 1st 5 h, 2nd 45 min shorter, later 3 h; 10 days between sessions;
// 48 h notice; touch-up after 3 years; patch test required.
LocationPolicy DefaultPolicy();

// `requested` with every unset (zero) number taken from DefaultPolicy. patch_test_required is a
// bool and so is taken as given: a studio that omits the whole policy gets the default (true).
LocationPolicy WithDefaults(const LocationPolicy& requested);

// INVALID_ARGUMENT naming the field (prefixed with `field`) unless the policy is plausible.
absl::Status ValidatePolicy(const LocationPolicy& policy, const std::string& field);

int ExpectedDurationMinutes(const LocationPolicy& policy, int session_number);

}  // namespace stipple::domain

#endif  // STIPPLE_SERVICES_DOMAIN_POLICY_H_
