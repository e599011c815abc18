#ifndef STIPPLE_TESTS_DOMAIN_DOMAIN_FIXTURE_H_
#define STIPPLE_TESTS_DOMAIN_DOMAIN_FIXTURE_H_

// given(events) / when(command) / then(events | error) for the studio domain.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/domain/client.h"
#include "services/domain/errors.h"
#include "services/domain/policy.h"
#include "services/domain/time_convert.h"

namespace stipple::domain::testing {

namespace ev = events::v1;

inline const absl::Time kMonday =
    absl::FromCivil(absl::CivilSecond(2026, 3, 2, 9, 0, 0), absl::UTCTimeZone());

// Folds `events` as a stream would, giving them ids e0, e1, ...
inline ClientState Given(const std::vector<ev::ClientEvent>& events) {
  ClientState state;
  for (size_t i = 0; i < events.size(); ++i) Evolve(state, events[i], absl::StrCat("e", i));
  return state;
}

inline ev::ClientEvent Registered(const std::string& id = "c1") {
  ev::ClientEvent e;
  e.mutable_registered()->set_client_id(id);
  e.mutable_registered()->set_home_location_id("london");
  e.mutable_registered()->mutable_personal()->set_full_name("Sam Client");
  return e;
}

inline ev::ClientEvent Consulted(int recommended) {
  ev::ClientEvent e;
  e.mutable_consultation_recorded()->set_location_id("london");
  e.mutable_consultation_recorded()->set_recommended_sessions(recommended);
  return e;
}

inline ev::ClientEvent Consent(ev::ConsentKind kind = ev::CONSENT_KIND_TREATMENT) {
  ev::ClientEvent e;
  e.mutable_consent_signed()->set_kind(kind);
  e.mutable_consent_signed()->set_template_version("v3");
  return e;
}

inline ev::ClientEvent PatchApplied(absl::Time at) {
  ev::ClientEvent e;
  e.mutable_patch_test_applied()->set_location_id("london");
  *e.mutable_patch_test_applied()->mutable_applied_at() = ToProto(at);
  return e;
}

inline ev::ClientEvent PatchRead(ev::PatchTestResult result) {
  ev::ClientEvent e;
  e.mutable_patch_test_read()->set_result(result);
  return e;
}

inline ev::ClientEvent Plan(int sessions, int course = 1) {
  ev::ClientEvent e;
  e.mutable_plan_agreed()->set_course_number(course);
  e.mutable_plan_agreed()->set_planned_sessions(sessions);
  return e;
}

inline ev::ClientEvent Scheduled(int number, absl::Time start, const std::string& artist = "a1") {
  ev::ClientEvent e;
  auto* s = e.mutable_session_scheduled();
  s->set_session_number(number);
  s->set_location_id("london");
  s->set_artist_id(artist);
  *s->mutable_start_time() = ToProto(start);
  s->set_expected_duration_minutes(180);
  s->set_booking_id(absl::StrCat("b", number));
  return e;
}

inline ev::ClientEvent Completed(int number) {
  ev::ClientEvent e;
  e.mutable_session_completed()->set_session_number(number);
  return e;
}

// A client who passed every gate and agreed a plan of `sessions`.
inline std::vector<ev::ClientEvent> ReadyForTreatment(int sessions = 4) {
  return {Registered(),
          Consulted(sessions),
          Consent(),
          PatchApplied(kMonday - absl::Hours(24 * 7)),
          PatchRead(ev::PATCH_TEST_RESULT_PASSED),
          Plan(sessions)};
}

inline ev::SessionRecord GoodRecord(int minutes = 290) {
  ev::SessionRecord record;
  record.set_actual_duration_minutes(minutes);
  record.mutable_pigment()->set_brand("Scalp Ink");
  record.mutable_pigment()->set_lot("L-2026-114");
  record.mutable_pigment()->set_shade_step(2);
  record.set_needle("3RL");
  record.add_areas(ev::TREATMENT_AREA_HAIRLINE);
  record.set_density_level(4);
  return record;
}

inline ArtistState Artist(const std::string& id = "a1") {
  ArtistState artist;
  artist.exists = true;
  artist.artist_id = id;
  artist.location_ids = {"london", "leeds"};
  return artist;
}

// Expects FAILED_PRECONDITION with `reason`.
#define EXPECT_RULE(result, reason)                                              \
  do {                                                                           \
    auto status_ = (result).status();                                            \
    EXPECT_EQ(status_.code(), absl::StatusCode::kFailedPrecondition) << status_; \
    EXPECT_EQ(::stipple::domain::ReasonOf(status_), reason) << status_;          \
  } while (false)

// Expects INVALID_ARGUMENT naming `field`.
#define EXPECT_INVALID(result, field)                                         \
  do {                                                                        \
    auto status_ = (result).status();                                         \
    EXPECT_EQ(status_.code(), absl::StatusCode::kInvalidArgument) << status_; \
    EXPECT_EQ(::stipple::domain::FieldOf(status_), field) << status_;         \
  } while (false)

}  // namespace stipple::domain::testing

#endif  // STIPPLE_TESTS_DOMAIN_DOMAIN_FIXTURE_H_
