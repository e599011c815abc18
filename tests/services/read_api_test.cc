// The read side over gRPC: a client's summary after every step of a course, their history as an
// audit trail, lists, an artist's day, "as of", read-your-writes, and the live event feed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/services/api_fixture.h"

namespace stipple::services {
namespace {

using namespace testing;  // NOLINT: the fixture's vocabulary.
namespace rm = stipple::projections::v1;

class ReadApiTest : public ApiTest {
 protected:
  // The summary once the read model has applied `position`.
  rm::ClientSummary Summary(const std::string& client_id, uint64_t position) {
    api::GetClientSummaryRequest request;
    request.set_client_id(client_id);
    request.set_min_position(position);
    rm::ClientSummary summary;
    grpc::Status status = GetClientSummary(request, &summary);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return summary;
  }

  api::CommandResult Complete(const std::string& client_id, int session, int minutes) {
    api::CompleteSessionRequest complete;
    *complete.mutable_context() = Ctx("a1");
    complete.set_client_id(client_id);
    complete.set_session_number(session);
    complete.mutable_record()->set_actual_duration_minutes(minutes);
    complete.mutable_record()->mutable_pigment()->set_brand("Scalp Ink");
    complete.mutable_record()->mutable_pigment()->set_lot("L-77");
    complete.mutable_record()->set_density_level(3);
    api::CommandResult result;
    grpc::Status status = CompleteSession(complete, &result);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return result;
  }

  api::ScheduleSessionResponse Book(const std::string& client_id, absl::Time start) {
    api::ScheduleSessionResponse scheduled;
    grpc::Status status = ScheduleSession(Schedule(client_id, "london", start), &scheduled);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return scheduled;
  }
};

TEST_F(ReadApiTest, SummaryFollowsEveryStepOfACourse) {
  OpenStudio();
  ReadyClient("c1");  // Registered, consulted (4 recommended), consent, waived test, plan of 4.
  api::GetProjectionStatusResponse status;
  ASSERT_TRUE(GetProjectionStatus({}, &status).ok());
  rm::ClientSummary summary = Summary("c1", status.head_position());
  EXPECT_EQ(summary.phase(), rm::PHASE_PLAN_AGREED);
  EXPECT_EQ(summary.recommended_sessions(), 4);
  EXPECT_THAT(summary.recommendation_reasons(),
              ::testing::ElementsAre(ev::EXTRA_SESSION_REASON_SCAR_TISSUE));
  EXPECT_EQ(summary.planned_sessions(), 4);
  EXPECT_EQ(summary.remaining_sessions(), 4);
  EXPECT_EQ(summary.current_session_number(), 1);
  EXPECT_EQ(summary.stage(), rm::STAGE_FOUNDATION);
  EXPECT_FALSE(summary.has_next_session());

  absl::Time start = clock_.Now() + absl::Hours(24);
  const std::vector<rm::Stage> stages = {rm::STAGE_FOUNDATION, rm::STAGE_REFINEMENT,
                                         rm::STAGE_DENSITY, rm::STAGE_DENSITY};
  for (int session = 1; session <= 4; ++session) {
    api::ScheduleSessionResponse scheduled = Book("c1", start);
    summary = Summary("c1", scheduled.result().global_position());
    EXPECT_EQ(summary.phase(), rm::PHASE_IN_TREATMENT);
    EXPECT_EQ(summary.current_session_number(), session);
    EXPECT_EQ(summary.stage(), stages[session - 1]);
    EXPECT_EQ(summary.next_session().session_number(), session);
    EXPECT_EQ(summary.next_session().artist_id(), "a1");
    EXPECT_EQ(summary.next_session().location_id(), "london");
    EXPECT_EQ(domain::FromProto(summary.next_session().start_time()), start);
    EXPECT_EQ(summary.remaining_sessions(), 5 - session);

    clock_.Advance(start - clock_.Now() + absl::Hours(3));
    api::CommandResult done = Complete("c1", session, 170 + session);
    summary = Summary("c1", done.global_position());
    EXPECT_EQ(summary.completed_sessions(), session);
    EXPECT_EQ(summary.remaining_sessions(), 4 - session);
    EXPECT_FALSE(summary.has_next_session());
    EXPECT_EQ(summary.last_completed_session().session_number(), session);
    EXPECT_EQ(summary.last_completed_session().duration_minutes(), 170 + session);
    start += absl::Hours(24 * 14);
  }
  EXPECT_EQ(summary.phase(), rm::PHASE_COURSE_COMPLETE);
  const absl::Time due = domain::FromProto(summary.touch_up_due_at());
  EXPECT_EQ(due, start - absl::Hours(24 * 14) + absl::Hours(24 * 1095));
  EXPECT_THAT(summary.locations_visited(), ::testing::ElementsAre("london"));

  // Three years on, the same summary reads "touch-up due", and the client is listed as due.
  clock_.Advance(due - clock_.Now() + absl::Hours(1));
  EXPECT_EQ(Summary("c1", 0).phase(), rm::PHASE_TOUCH_UP_DUE);
  api::ListClientsRequest due_before;
  *due_before.mutable_touch_up_due_before() = domain::ToProto(due);
  api::ListClientsResponse none_yet;
  ASSERT_TRUE(ListClients(due_before, &none_yet).ok());
  EXPECT_EQ(none_yet.clients_size(), 0);  // Due exactly then, not before.
  *due_before.mutable_touch_up_due_before() = domain::ToProto(due + absl::Seconds(1));
  ASSERT_TRUE(ListClients(due_before, &none_yet).ok());
  EXPECT_EQ(none_yet.clients_size(), 1);
  api::ListClientsRequest due_list;
  due_list.set_phase(rm::PHASE_TOUCH_UP_DUE);
  api::ListClientsResponse listed;
  ASSERT_TRUE(ListClients(due_list, &listed).ok());
  ASSERT_EQ(listed.clients_size(), 1);
  EXPECT_EQ(listed.clients(0).client_id(), "c1");
}

TEST_F(ReadApiTest, HistoryIsAnAuditTrailWithAmendmentsLinked) {
  OpenStudio();
  ReadyClient("c1");
  Book("c1", clock_.Now() + absl::Hours(24));
  clock_.Advance(absl::Hours(30));
  Complete("c1", 1, 290);
  // The history's first entry is the registration; amend the consultation (the second).
  api::GetClientHistoryRequest request;
  request.set_client_id("c1");
  request.set_min_position(store_->HeadPosition());
  api::ClientHistory history;
  ASSERT_TRUE(GetClientHistory(request, &history).ok());
  ASSERT_GE(history.entries_size(), 7);
  const std::string consultation_id = history.entries(1).event_id();
  EXPECT_EQ(history.entries(1).type(), "client.ConsultationRecorded.v1");
  api::AmendRecordRequest amend;
  *amend.mutable_context() = Ctx("a1", "leeds");
  amend.set_client_id("c1");
  amend.set_amended_event_id(consultation_id);
  amend.set_field("assessment.norwood");
  amend.set_corrected_value("4");
  amend.set_reason("photo re-read");
  api::CommandResult amended;
  ASSERT_TRUE(AmendRecord(amend, &amended).ok());

  request.set_min_position(amended.global_position());
  history.Clear();
  ASSERT_TRUE(GetClientHistory(request, &history).ok());
  std::vector<std::string> descriptions;
  for (const rm::HistoryEntry& entry : history.entries()) {
    descriptions.push_back(entry.description());
    EXPECT_FALSE(entry.actor().empty()) << entry.description();
    EXPECT_FALSE(entry.location_id().empty()) << entry.description();
    EXPECT_TRUE(entry.has_recorded_at());
  }
  EXPECT_THAT(
      descriptions,
      ::testing::ElementsAre(
          "Registered at london",
          ::testing::StartsWith("Consultation by a1: HAIR_LOSS_TYPE_MALE_PATTERN, Norwood 5"),
          "Consent signed: CONSENT_KIND_TREATMENT (template 2026-01)",
          "Patch test waived: earlier SMP without reaction", "Plan agreed: 4 sessions (course 1)",
          ::testing::StartsWith("Session 1 scheduled at london with a1"),
          "Session 1 completed: 290 min, Scalp Ink lot L-77 shade 0, density 3",
          "Amended assessment.norwood to '4': photo re-read"));
  EXPECT_THAT(history.entries(1).amended_by(),
              ::testing::ElementsAre(history.entries(7).event_id()));
  EXPECT_EQ(history.entries(7).amends_event_id(), consultation_id);
  EXPECT_EQ(history.entries(7).actor(), "a1");
  EXPECT_EQ(history.entries(7).location_id(), "leeds");
}

TEST_F(ReadApiTest, ListsScheduleAndAsOf) {
  OpenStudio();
  for (const char* id : {"alice", "albert", "bob"}) ReadyClient(id);
  const uint64_t before_booking = store_->HeadPosition();
  const absl::Time bob_start = clock_.Now() + absl::Hours(26);
  api::ScheduleSessionResponse booked = Book("bob", bob_start);

  api::ListClientsRequest by_name;
  by_name.set_name_prefix("CLIENT AL");  // Case-insensitive: "Client alice", "Client albert".
  by_name.set_page_size(1);
  by_name.set_min_position(booked.result().global_position());
  api::ListClientsResponse page;
  ASSERT_TRUE(ListClients(by_name, &page).ok());
  ASSERT_EQ(page.clients_size(), 1);
  EXPECT_EQ(page.clients(0).client_id(), "albert");
  ASSERT_FALSE(page.next_page_token().empty());
  by_name.set_page_token(page.next_page_token());
  page.Clear();
  ASSERT_TRUE(ListClients(by_name, &page).ok());
  ASSERT_EQ(page.clients_size(), 1);
  EXPECT_EQ(page.clients(0).client_id(), "alice");
  EXPECT_TRUE(page.next_page_token().empty());

  api::ListClientsRequest by_location;
  by_location.set_location_id("london");
  page.Clear();
  ASSERT_TRUE(ListClients(by_location, &page).ok());
  EXPECT_EQ(page.clients_size(), 3);

  api::ListClientsRequest in_treatment;
  in_treatment.set_phase(rm::PHASE_IN_TREATMENT);
  page.Clear();
  ASSERT_TRUE(ListClients(in_treatment, &page).ok());
  ASSERT_EQ(page.clients_size(), 1);
  EXPECT_EQ(page.clients(0).client_id(), "bob");

  // Bob's first session, then nothing booked for over 30 days: stalled.
  clock_.Advance(absl::Hours(30));
  api::CommandResult done = Complete("bob", 1, 280);
  clock_.Advance(absl::Hours(24 * 31));
  api::ListClientsRequest stalled;
  stalled.set_stalled(true);
  stalled.set_min_position(done.global_position());
  page.Clear();
  ASSERT_TRUE(ListClients(stalled, &page).ok());
  ASSERT_EQ(page.clients_size(), 1);
  EXPECT_EQ(page.clients(0).client_id(), "bob");

  api::GetArtistScheduleRequest day;
  day.set_artist_id("a1");
  day.set_date(absl::FormatTime("%Y-%m-%d", bob_start, absl::UTCTimeZone()));
  day.set_min_position(done.global_position());  // Each read model catches up on its own.
  api::ArtistSchedule schedule;
  ASSERT_TRUE(GetArtistSchedule(day, &schedule).ok());
  ASSERT_EQ(schedule.entries_size(), 1);
  EXPECT_EQ(schedule.entries(0).client_id(), "bob");
  EXPECT_EQ(schedule.entries(0).session_number(), 1);
  EXPECT_EQ(schedule.entries(0).status(), rm::BOOKING_STATUS_COMPLETED);
  EXPECT_EQ(schedule.entries(0).actual_minutes(), 280);
  EXPECT_EQ(schedule.entries(0).duration_minutes(), 300);

  // As of the position before the booking, Bob had agreed a plan and nothing more.
  api::GetClientSummaryAsOfRequest as_of;
  as_of.set_client_id("bob");
  as_of.set_position(before_booking);
  rm::ClientSummary then;
  ASSERT_TRUE(GetClientSummaryAsOf(as_of, &then).ok());
  EXPECT_EQ(then.phase(), rm::PHASE_PLAN_AGREED);
  EXPECT_EQ(then.completed_sessions(), 0);
  EXPECT_EQ(Summary("bob", 0).completed_sessions(), 1);
}

TEST_F(ReadApiTest, ScheduleShowsHowEachBookingEnded) {
  OpenStudio();
  for (const char* id : {"alice", "bob", "carol"}) ReadyClient(id);
  const absl::Time day = clock_.Now() + absl::Hours(19);  // 04:00 the next day.
  Book("carol", day);
  Book("alice", day + absl::Hours(6));
  Book("bob", day + absl::Hours(12));
  api::CancelSessionRequest cancel;
  *cancel.mutable_context() = Ctx();
  cancel.set_client_id("carol");
  cancel.set_session_number(1);
  cancel.set_reason("unwell");
  api::CommandResult result;
  ASSERT_TRUE(CancelSession(cancel, &result).ok());
  clock_.Advance(absl::Hours(40));
  Complete("alice", 1, 250);
  api::MarkNoShowRequest no_show;
  *no_show.mutable_context() = Ctx();
  no_show.set_client_id("bob");
  no_show.set_session_number(1);
  grpc::Status marked = MarkNoShow(no_show, &result);
  ASSERT_TRUE(marked.ok()) << marked.error_message();

  api::GetArtistScheduleRequest request;
  request.set_artist_id("a1");
  request.set_date(absl::FormatTime("%Y-%m-%d", day, absl::UTCTimeZone()));
  request.set_min_position(result.global_position());
  api::ArtistSchedule schedule;
  ASSERT_TRUE(GetArtistSchedule(request, &schedule).ok());
  ASSERT_EQ(schedule.entries_size(), 3);
  EXPECT_EQ(schedule.entries(0).client_id(), "carol");
  EXPECT_EQ(schedule.entries(0).status(), rm::BOOKING_STATUS_CANCELLED);
  EXPECT_EQ(schedule.entries(1).client_id(), "alice");
  EXPECT_EQ(schedule.entries(1).status(), rm::BOOKING_STATUS_COMPLETED);
  EXPECT_EQ(schedule.entries(1).actual_minutes(), 250);
  EXPECT_EQ(schedule.entries(2).client_id(), "bob");
  EXPECT_EQ(schedule.entries(2).status(), rm::BOOKING_STATUS_NO_SHOW);
  EXPECT_EQ(schedule.entries(2).actual_minutes(), 0);
}

TEST_F(ReadApiTest, AdminReadsTheLogAndReportsLag) {
  OpenStudio();
  ReadyClient("c1");
  api::ReadStreamRequest stream_request;
  stream_request.set_stream("client-c1");
  stream_request.set_backwards(true);
  stream_request.set_limit(2);
  api::ReadEventsResponse stream;
  grpc::ClientContext stream_context;
  ASSERT_TRUE(admin_->ReadStream(&stream_context, stream_request, &stream).ok());
  ASSERT_EQ(stream.events_size(), 2);
  EXPECT_EQ(stream.events(0).type(), "client.PlanAgreed.v1");
  EXPECT_EQ(stream.events(0).stream_version(), 5u);
  EXPECT_EQ(stream.events(1).stream_version(), 4u);
  EXPECT_FALSE(stream.end());

  api::ReadAllRequest all_request;
  all_request.set_from_position(1);
  all_request.add_event_types("client.ConsentSigned.v1");
  api::ReadEventsResponse all;
  grpc::ClientContext all_context;
  ASSERT_TRUE(admin_->ReadAll(&all_context, all_request, &all).ok());
  ASSERT_EQ(all.events_size(), 1);
  EXPECT_EQ(all.events(0).stream(), "client-c1");
  EXPECT_TRUE(all.end());

  api::ReadAllRequest too_many;
  too_many.set_limit(5000);
  grpc::ClientContext bad_context;
  EXPECT_EQ(admin_->ReadAll(&bad_context, too_many, &all).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Once caught up, every projection reports no lag.
  ASSERT_TRUE(Summary("c1", store_->HeadPosition()).client_id() == "c1");
  for (const char* name : {"client_history", "artist_schedule", "reports"}) {
    ASSERT_TRUE(models_->runner(name)
                    ->WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(30))
                    .ok());
  }
  api::GetProjectionStatusResponse status;
  ASSERT_TRUE(GetProjectionStatus({}, &status).ok());
  ASSERT_EQ(status.projections_size(), 4);
  for (const api::ProjectionStatus& projection : status.projections()) {
    EXPECT_EQ(projection.lag(), 0u) << projection.name();
    EXPECT_EQ(projection.checkpoint(), status.head_position()) << projection.name();
    EXPECT_EQ(projection.error(), "") << projection.name();  // Healthy: no "OK" text either.
    EXPECT_EQ(projection.compaction_error(), "") << projection.name();
  }
}

TEST_F(ReadApiTest, AProjectionThatCannotFollowTheLogSaysWhyInItsStatus) {
  OpenStudio();
  // Bypassing the services: a client event whose payload does not parse.
  ASSERT_TRUE(store_
                  ->Append(eventstore::testing::Part(
                      "client-broken", eventstore::ExpectedVersion::NoStream(),
                      {eventstore::testing::Event("broken-1", "ClientRegistered", "\xff\xff")}))
                  .ok());
  api::ProjectionStatus history;
  for (int i = 0; i < 1000 && history.error().empty(); ++i) {
    api::GetProjectionStatusResponse status;
    ASSERT_TRUE(GetProjectionStatus({}, &status).ok());
    for (const api::ProjectionStatus& projection : status.projections()) {
      if (projection.name() == "client_history") history = projection;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_THAT(history.error(), ::testing::AllOf(::testing::HasSubstr("DATA_LOSS"),
                                                ::testing::HasSubstr("does not parse")));
  EXPECT_LT(history.checkpoint(), store_->HeadPosition());  // Stopped before the event.
  EXPECT_EQ(history.compaction_error(), "");
}

TEST_F(ReadApiTest, MinPositionWaitsForTheWriteOrTheDeadline) {
  OpenStudio();
  api::GetClientSummaryRequest request;
  request.set_client_id("later");
  request.set_min_position(store_->HeadPosition() + 1);  // Not written yet.
  rm::ClientSummary summary;
  grpc::ClientContext short_wait;
  short_wait.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  EXPECT_EQ(queries_->GetClientSummary(&short_wait, request, &summary).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);

  // A query waiting for a position sees the write that produces it.
  std::thread writer([this] {
    absl::SleepFor(absl::Milliseconds(100));
    api::RegisterClientRequest reg;
    *reg.mutable_context() = Ctx();
    reg.set_client_id("later");
    reg.set_home_location_id("london");
    reg.mutable_personal()->set_full_name("Late Comer");
    api::CommandResult result;
    EXPECT_TRUE(RegisterClient(reg, &result).ok());
  });
  grpc::Status status = GetClientSummary(request, &summary);
  writer.join();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(summary.full_name(), "Late Comer");
}

TEST_F(ReadApiTest, SubscriberFromAnOldPositionGetsEveryEventOnceThenLiveOnes) {
  OpenStudio();
  ReadyClient("c1");
  const uint64_t head = store_->HeadPosition();
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  api::SubscribeEventsRequest request;
  request.set_after_position(2);
  auto stream = feed_->SubscribeEvents(&context, request);
  std::vector<uint64_t> positions;
  api::SubscribeEventsMessage message;
  bool caught_up = false;
  while (!caught_up && stream->Read(&message)) {
    if (message.has_event()) positions.push_back(message.event().position());
    if (message.has_caught_up_at()) caught_up = true;
  }
  ASSERT_TRUE(caught_up);
  ReadyClient("c2");  // Live events after the hand-over.
  const uint64_t new_head = store_->HeadPosition();
  while (positions.empty() || positions.back() < new_head) {
    ASSERT_TRUE(stream->Read(&message));
    if (message.has_event()) {
      positions.push_back(message.event().position());
      EXPECT_FALSE(message.event().actor().empty());
      EXPECT_EQ(message.event().hash().size(), 32u);
    }
  }
  ASSERT_GT(new_head, head);
  for (size_t i = 0; i < positions.size(); ++i) EXPECT_EQ(positions[i], 3 + i);
  context.TryCancel();
}

}  // namespace
}  // namespace stipple::services
