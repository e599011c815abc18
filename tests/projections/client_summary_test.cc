// Folding client events into a summary: phases across holds, stages, the touch-up due phase.

#include "projections/client_summary.h"

#include <gtest/gtest.h>

#include "projections/deterministic_bytes.h"
#include "services/domain/time_convert.h"

namespace stipple::projections {
namespace {

namespace ev = events::v1;
namespace rm = projections::v1;

class SummaryFold {
 public:
  SummaryFold& Then(const ev::ClientEvent& event) {
    eventstore::RecordedEvent meta;
    meta.position = ++position_;
    ApplyToSummary(event, meta, summary_);
    return *this;
  }
  const ClientSummary& summary() const { return summary_; }

 private:
  ClientSummary summary_;
  eventstore::GlobalPosition position_ = 0;
};

ev::ClientEvent Plan(int sessions, bool touch_up = false) {
  ev::ClientEvent e;
  e.mutable_plan_agreed()->set_planned_sessions(sessions);
  e.mutable_plan_agreed()->set_touch_up(touch_up);
  return e;
}
ev::ClientEvent Completed(int number) {
  ev::ClientEvent e;
  e.mutable_session_completed()->set_session_number(number);
  return e;
}
ev::ClientEvent Scheduled(int number) {
  ev::ClientEvent e;
  e.mutable_session_scheduled()->set_session_number(number);
  e.mutable_session_scheduled()->set_location_id("leeds");
  return e;
}
ev::ClientEvent Hold() {
  ev::ClientEvent e;
  e.mutable_put_on_hold()->set_reason("travel");
  return e;
}
ev::ClientEvent Resume() {
  ev::ClientEvent e;
  e.mutable_resumed();
  return e;
}
ev::ClientEvent CourseDone(absl::Time due) {
  ev::ClientEvent e;
  *e.mutable_course_completed()->mutable_touch_up_due_at() = domain::ToProto(due);
  return e;
}

TEST(ClientSummaryTest, WhatHappensOnHoldDecidesThePhaseAfterResuming) {
  const absl::Time due = absl::FromUnixSeconds(2'000'000'000);
  SummaryFold fold;
  fold.Then(Plan(2)).Then(Scheduled(1)).Then(Completed(1)).Then(Hold());
  EXPECT_EQ(fold.summary().phase(), rm::PHASE_ON_HOLD);
  EXPECT_EQ(fold.summary().on_hold_reason(), "travel");
  fold.Then(CourseDone(due));  // The plan was cut to the sessions done while on hold.
  EXPECT_EQ(fold.summary().phase(), rm::PHASE_ON_HOLD);
  fold.Then(Resume());
  EXPECT_EQ(fold.summary().phase(), rm::PHASE_COURSE_COMPLETE);
  EXPECT_EQ(AsSeenAt(fold.summary(), due).phase(), rm::PHASE_TOUCH_UP_DUE);
  EXPECT_EQ(AsSeenAt(fold.summary(), due - absl::Seconds(1)).phase(), rm::PHASE_COURSE_COMPLETE);
}

TEST(ClientSummaryTest, StagesFollowTheSessionNumberAndTouchUpsAddDensity) {
  SummaryFold fold;
  fold.Then(Plan(3));
  EXPECT_EQ(fold.summary().stage(), rm::STAGE_FOUNDATION);
  fold.Then(Scheduled(1)).Then(Completed(1));
  EXPECT_EQ(fold.summary().stage(), rm::STAGE_REFINEMENT);
  EXPECT_EQ(fold.summary().remaining_sessions(), 2);
  fold.Then(Scheduled(2)).Then(Completed(2));
  EXPECT_EQ(fold.summary().stage(), rm::STAGE_DENSITY);
  fold.Then(Scheduled(3)).Then(Completed(3)).Then(CourseDone(absl::FromUnixSeconds(1)));
  EXPECT_EQ(fold.summary().stage(), rm::STAGE_UNSPECIFIED);
  fold.Then(Plan(1, /*touch_up=*/true));
  EXPECT_EQ(fold.summary().phase(), rm::PHASE_PLAN_AGREED);
  EXPECT_EQ(fold.summary().stage(), rm::STAGE_DENSITY);
  EXPECT_EQ(fold.summary().remaining_sessions(), 1);
  EXPECT_EQ(fold.summary().completed_sessions(), 0);
  EXPECT_FALSE(fold.summary().has_touch_up_due_at());
  EXPECT_EQ(fold.summary().locations_visited_size(), 1);
}

// The projection does not decode these kinds: folding one must change nothing but the position.
TEST(ClientSummaryTest, PositionOnlyKindsChangeNothingButThePosition) {
  SummaryFold fold;
  fold.Then(Plan(4)).Then(Scheduled(1)).Then(Completed(1)).Then(Scheduled(2));
  const ClientSummary before = fold.summary();
  const google::protobuf::OneofDescriptor* oneof = ev::ClientEvent::descriptor()->oneof_decl(0);
  for (ev::ClientEvent::EventCase kind : kPositionOnlyKinds) {
    ev::ClientEvent event;
    const google::protobuf::FieldDescriptor* field =
        ev::ClientEvent::descriptor()->FindFieldByNumber(kind);
    ASSERT_NE(field, nullptr);
    ASSERT_EQ(field->containing_oneof(), oneof);
    // A full event of the kind: every string and number of its message set.
    google::protobuf::Message* message = event.GetReflection()->MutableMessage(&event, field);
    const google::protobuf::Reflection* reflection = message->GetReflection();
    for (int i = 0; i < message->GetDescriptor()->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* part = message->GetDescriptor()->field(i);
      if (part->is_repeated()) continue;
      if (part->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
        reflection->SetString(message, part, "x");
      } else if (part->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT32) {
        reflection->SetInt32(message, part, 7);
      }
    }
    eventstore::RecordedEvent meta;
    meta.position = 1000 + kind;
    ClientSummary after = before;
    ApplyToSummary(event, meta, after);
    ClientSummary expected = before;
    expected.set_last_position(meta.position);
    EXPECT_EQ(DeterministicBytes(after), DeterministicBytes(expected)) << field->name();
  }
}

}  // namespace
}  // namespace stipple::projections
