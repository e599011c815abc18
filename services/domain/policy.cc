#include "services/domain/policy.h"

#include "absl/strings/str_cat.h"
#include "services/domain/errors.h"

namespace stipple::domain {

LocationPolicy DefaultPolicy() {
  LocationPolicy policy;
  policy.set_base_sessions(3);
  policy.set_max_sessions(6);
  policy.add_session_duration_minutes(300);  // Foundation: lighter pigment, the longest.
  policy.add_session_duration_minutes(255);  // Hairline refinement and other shades.
  policy.add_session_duration_minutes(180);  // Density.
  policy.set_min_gap_days(10);
  policy.set_notice_period_hours(48);
  policy.set_touch_up_interval_days(3 * 365);
  policy.set_patch_test_required(true);
  return policy;
}

LocationPolicy WithDefaults(const LocationPolicy& requested) {
  LocationPolicy defaults = DefaultPolicy();
  LocationPolicy policy = requested;
  if (policy.base_sessions() == 0) policy.set_base_sessions(defaults.base_sessions());
  if (policy.max_sessions() == 0) policy.set_max_sessions(defaults.max_sessions());
  if (policy.session_duration_minutes().empty()) {
    *policy.mutable_session_duration_minutes() = defaults.session_duration_minutes();
  }
  if (policy.min_gap_days() == 0) policy.set_min_gap_days(defaults.min_gap_days());
  if (policy.notice_period_hours() == 0) {
    policy.set_notice_period_hours(defaults.notice_period_hours());
  }
  if (policy.touch_up_interval_days() == 0) {
    policy.set_touch_up_interval_days(defaults.touch_up_interval_days());
  }
  return policy;
}

absl::Status ValidatePolicy(const LocationPolicy& policy, const std::string& field) {
  auto in_range = [&field](const char* name, int value, int low, int high) -> absl::Status {
    if (value < low || value > high) {
      return InvalidField(absl::StrCat(field, ".", name),
                          absl::StrCat(value, " is outside ", low, "..", high));
    }
    return absl::OkStatus();
  };
  for (absl::Status s : {
           in_range("base_sessions", policy.base_sessions(), 1, 10),
           in_range("max_sessions", policy.max_sessions(), policy.base_sessions(), 20),
           in_range("min_gap_days", policy.min_gap_days(), 0, 365),
           in_range("notice_period_hours", policy.notice_period_hours(), 0, 24 * 30),
           in_range("touch_up_interval_days", policy.touch_up_interval_days(), 1, 3650),
       }) {
    if (!s.ok()) return s;
  }
  if (policy.session_duration_minutes().empty()) {
    return InvalidField(absl::StrCat(field, ".session_duration_minutes"), "must not be empty");
  }
  for (int minutes : policy.session_duration_minutes()) {
    if (absl::Status s = in_range("session_duration_minutes", minutes, 1, 600); !s.ok()) return s;
  }
  return absl::OkStatus();
}

int ExpectedDurationMinutes(const LocationPolicy& policy, int session_number) {
  const auto& template_minutes = policy.session_duration_minutes();
  if (template_minutes.empty()) return DefaultPolicy().session_duration_minutes(0);
  int index = std::min(session_number, template_minutes.size()) - 1;
  return template_minutes[std::max(index, 0)];
}

}  // namespace stipple::domain
