// The command API over gRPC, in process: a typical course end to end, concurrent bookings of one
// artist, retried requests and bad input.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "absl/synchronization/barrier.h"
#include "google/protobuf/unknown_field_set.h"
#include "tests/services/api_fixture.h"

namespace stipple::services {
namespace {

using namespace testing;  // NOLINT: the fixture's vocabulary.

class StudioApiTest : public ApiTest {};

TEST_F(StudioApiTest, TypicalCourseFromConsultationToTouchUpDue) {
  OpenStudio();
  api::CommandResult result;
  api::RegisterClientRequest reg;
  *reg.mutable_context() = Ctx();
  reg.set_client_id("c1");
  reg.set_home_location_id("london");
  reg.mutable_personal()->set_full_name("Jordan Reyes");
  reg.mutable_personal()->set_date_of_birth("1984-02-29");
  ASSERT_TRUE(RegisterClient(reg, &result).ok());
  EXPECT_EQ(result.stream(), "client-c1");
  EXPECT_EQ(result.stream_version(), 1u);

  // FUT strip scar and Norwood 5: 3 + 1 for the scar.
  api::RecordConsultationRequest consult;
  *consult.mutable_context() = Ctx("a1");
  consult.set_client_id("c1");
  consult.set_location_id("london");
  consult.set_artist_id("a1");
  *consult.mutable_assessment() = Assessment();
  api::RecordConsultationResponse consulted;
  ASSERT_TRUE(RecordConsultation(consult, &consulted).ok());
  EXPECT_EQ(consulted.recommended_sessions(), 4);
  EXPECT_THAT(consulted.reasons(), ::testing::ElementsAre(ev::EXTRA_SESSION_REASON_SCAR_TISSUE));

  api::SignConsentRequest consent;
  *consent.mutable_context() = Ctx();
  consent.set_client_id("c1");
  consent.set_kind(ev::CONSENT_KIND_TREATMENT);
  consent.set_template_version("2026-01");
  ASSERT_TRUE(SignConsent(consent, &result).ok());

  api::ApplyPatchTestRequest patch;
  *patch.mutable_context() = Ctx("a1");
  patch.set_client_id("c1");
  patch.set_location_id("london");
  ASSERT_TRUE(ApplyPatchTest(patch, &result).ok());
  api::ReadPatchTestRequest read;
  *read.mutable_context() = Ctx("a1");
  read.set_client_id("c1");
  read.set_result(ev::PATCH_TEST_RESULT_PASSED);
  clock_.Advance(absl::Hours(48));
  EXPECT_EQ(ReadPatchTest(read, &result).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  clock_.Advance(absl::Hours(24));
  *read.mutable_context() = Ctx("a1");
  ASSERT_TRUE(ReadPatchTest(read, &result).ok());

  api::AgreePlanRequest plan;
  *plan.mutable_context() = Ctx("a1");
  plan.set_client_id("c1");
  ASSERT_TRUE(AgreePlan(plan, &result).ok());

  std::vector<int> durations;
  absl::Time start = clock_.Now() + absl::Hours(24);
  uint64_t last_position = result.global_position();
  for (int session = 1; session <= 4; ++session) {
    api::ScheduleSessionResponse scheduled;
    grpc::Status status = ScheduleSession(Schedule("c1", "london", start), &scheduled);
    ASSERT_TRUE(status.ok()) << session << ": " << status.error_message();
    EXPECT_EQ(scheduled.session_number(), session);
    EXPECT_GT(scheduled.result().global_position(), last_position);
    durations.push_back(scheduled.expected_duration_minutes());

    clock_.Advance(start - clock_.Now() + absl::Minutes(scheduled.expected_duration_minutes()));
    api::CompleteSessionRequest complete;
    *complete.mutable_context() = Ctx("a1");
    complete.set_client_id("c1");
    complete.set_session_number(session);
    auto* record = complete.mutable_record();
    record->set_actual_duration_minutes(scheduled.expected_duration_minutes() - 10);
    record->mutable_pigment()->set_brand("Scalp Ink");
    record->mutable_pigment()->set_lot("L-77");
    record->mutable_pigment()->set_shade_step(session == 1 ? 1 : 2);  // Lighter foundation.
    record->set_needle("3RL");
    record->set_density_level(2 + session);
    ASSERT_TRUE(CompleteSession(complete, &result).ok()) << session;
    last_position = result.global_position();
    if (session < 4) start += absl::Hours(24 * 14);
  }
  EXPECT_THAT(durations, ::testing::ElementsAre(300, 255, 180, 180));
  EXPECT_LT(durations[1], durations[0]);  // The second session is shorter.

  std::vector<eventstore::RecordedEvent> events = ClientEvents("c1");
  ASSERT_FALSE(events.empty());
  ev::ClientEvent last;
  ASSERT_TRUE(last.ParseFromString(events.back().payload));
  ASSERT_TRUE(last.has_course_completed()) << events.back().type;
  EXPECT_EQ(events.back().type, "client.CourseCompleted.v1");
  EXPECT_EQ(last.course_completed().sessions_completed(), 4);
  EXPECT_EQ(domain::FromProto(last.course_completed().touch_up_due_at()),
            start + absl::Hours(24 * 1095));
  // Who and where ride on every event.
  for (const eventstore::RecordedEvent& event : events) {
    EXPECT_FALSE(event.metadata.actor.empty()) << event.type;
    EXPECT_FALSE(event.metadata.location.empty()) << event.type;
  }
  auto artist = store_->ReadStream("artist-a1", 1, eventstore::ReadDirection::kForwards, 100);
  ASSERT_TRUE(artist.ok());
  EXPECT_EQ(artist->events.size(), 5u);  // Registered + four bookings.
}

TEST_F(StudioApiTest, ConcurrentOverlappingBookingsOfOneArtistLetExactlyOneThrough) {
  OpenStudio();
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    const std::string london_client = "l" + std::to_string(round);
    const std::string leeds_client = "d" + std::to_string(round);
    ReadyClient(london_client);
    ReadyClient(leeds_client);
    const absl::Time start = clock_.Now() + absl::Hours(24 * (round + 1));
    api::ScheduleSessionRequest at_london = Schedule(london_client, "london", start);
    api::ScheduleSessionRequest at_leeds =
        Schedule(leeds_client, "leeds", start + absl::Minutes(90));
    grpc::Status london_status, leeds_status;
    absl::Barrier* barrier = new absl::Barrier(2);
    auto book = [&](const api::ScheduleSessionRequest& request, grpc::Status* status) {
      api::ScheduleSessionResponse response;
      if (barrier->Block()) delete barrier;
      *status = ScheduleSession(request, &response);
    };
    std::thread a(book, std::cref(at_london), &london_status);
    std::thread b(book, std::cref(at_leeds), &leeds_status);
    a.join();
    b.join();
    EXPECT_NE(london_status.ok(), leeds_status.ok())
        << london_status.error_message() << " / " << leeds_status.error_message();
    const grpc::Status& loser = london_status.ok() ? leeds_status : london_status;
    EXPECT_EQ(loser.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(Details(loser).reason(), "ARTIST_DOUBLE_BOOKED");
  }
  auto artist = store_->ReadStream("artist-a1", 1, eventstore::ReadDirection::kForwards, 100);
  ASSERT_TRUE(artist.ok());
  EXPECT_EQ(artist->events.size(), 1u + kRounds);
}

// The server's cached artist forgets bookings that ended, not those still ahead.
TEST_F(StudioApiTest, AnArtistsBookingsAheadStillClashAfterTheirPastOnesAreForgotten) {
  OpenStudio();
  for (const char* client : {"c1", "c2", "c3", "c4"}) ReadyClient(client);
  const absl::Time soon = clock_.Now() + absl::Hours(48);
  const absl::Time later = clock_.Now() + absl::Hours(24 * 20);
  api::ScheduleSessionResponse scheduled;
  ASSERT_TRUE(ScheduleSession(Schedule("c1", "london", soon), &scheduled).ok());
  ASSERT_TRUE(ScheduleSession(Schedule("c2", "london", later), &scheduled).ok());
  // A week on, the first booking has ended; a booking in two hours caches the artist without it.
  clock_.Advance(absl::Hours(24 * 7));
  const absl::Time shortly = clock_.Now() + absl::Hours(2);
  ASSERT_TRUE(ScheduleSession(Schedule("c3", "london", shortly), &scheduled).ok());
  // Both bookings ahead, the near and the far one, still clash.
  for (const absl::Time clash : {shortly + absl::Minutes(30), later + absl::Minutes(30)}) {
    grpc::Status overlapping = ScheduleSession(Schedule("c4", "london", clash), &scheduled);
    EXPECT_EQ(overlapping.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(Details(overlapping).reason(), "ARTIST_DOUBLE_BOOKED");
  }
}

// Each server keeps folded client and artist states between commands; a write made through another
// server (another process on the same log) must still be seen.
TEST_F(StudioApiTest, AServerDecidesOnWritesAnotherServerMadeToTheSameStreams) {
  OpenStudio();
  auto other =
      StippleServer::Start("127.0.0.1:0", *store_, models_.get(), [this] { return clock_.Now(); });
  ASSERT_TRUE(other.ok()) << other.status();
  auto other_sessions = api::SessionService::NewStub(
      grpc::CreateChannel((*other)->address(), grpc::InsecureChannelCredentials()));
  ReadyClient("c1");
  ReadyClient("c2");
  ReadyClient("c3");
  const absl::Time start = clock_.Now() + absl::Hours(48);
  api::ScheduleSessionResponse scheduled;
  // This server folds artist a1 and client c1 before the other server writes to them.
  ASSERT_TRUE(
      ScheduleSession(Schedule("c2", "london", start + absl::Hours(24 * 5)), &scheduled).ok());
  {
    grpc::ClientContext context;
    ASSERT_TRUE(
        other_sessions->ScheduleSession(&context, Schedule("c1", "london", start), &scheduled)
            .ok());
  }
  // The artist's booking by the other server is seen: an overlapping one is refused.
  grpc::Status overlapping =
      ScheduleSession(Schedule("c3", "london", start + absl::Minutes(30)), &scheduled);
  EXPECT_EQ(overlapping.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Details(overlapping).reason(), "ARTIST_DOUBLE_BOOKED");
  // The client's session booked by the other server is seen: it can be completed here.
  clock_.Advance(start - clock_.Now() + absl::Hours(5));
  api::CompleteSessionRequest complete;
  *complete.mutable_context() = Ctx("a1");
  complete.set_client_id("c1");
  complete.set_session_number(1);
  complete.mutable_record()->set_actual_duration_minutes(290);
  complete.mutable_record()->mutable_pigment()->set_brand("Scalp Ink");
  complete.mutable_record()->mutable_pigment()->set_lot("L-77");
  complete.mutable_record()->mutable_pigment()->set_shade_step(1);
  complete.mutable_record()->set_density_level(3);
  api::CommandResult completed;
  grpc::Status status = CompleteSession(complete, &completed);
  EXPECT_TRUE(status.ok()) << status.error_message();
  (*other)->Shutdown(absl::Seconds(1));
}

TEST_F(StudioApiTest, RetriedRequestReturnsTheFirstResultAndWritesOnce) {
  OpenStudio();
  ReadyClient("c1");
  api::ScheduleSessionRequest request = Schedule("c1", "london", clock_.Now() + absl::Hours(30));
  api::ScheduleSessionResponse first, second;
  ASSERT_TRUE(ScheduleSession(request, &first).ok());
  const eventstore::GlobalPosition head = store_->HeadPosition();
  clock_.Advance(absl::Minutes(1));  // A retry arrives a little later; the answer is the same.
  grpc::Status retried = ScheduleSession(request, &second);
  ASSERT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_EQ(second.result().global_position(), first.result().global_position());
  EXPECT_EQ(second.result().stream_version(), first.result().stream_version());
  EXPECT_EQ(second.session_number(), 1);
  EXPECT_EQ(second.expected_duration_minutes(), 300);
  EXPECT_EQ(store_->HeadPosition(), head);
}

TEST_F(StudioApiTest, ARequestIdReusedForADifferentRequestIsRefused) {
  OpenStudio();
  ReadyClient("c1");
  api::SignConsentRequest photos;
  *photos.mutable_context() = Ctx();
  photos.set_client_id("c1");
  photos.set_kind(ev::CONSENT_KIND_PHOTOS);
  photos.set_template_version("v1");
  api::CommandResult first;
  ASSERT_TRUE(SignConsent(photos, &first).ok());
  const eventstore::GlobalPosition head = store_->HeadPosition();

  // The same request id, another change: refused, nothing written, the retry still answered.
  api::SignConsentRequest privacy = photos;
  privacy.set_kind(ev::CONSENT_KIND_DATA_PRIVACY);
  api::CommandResult reused;
  grpc::Status status = SignConsent(privacy, &reused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  EXPECT_EQ(Details(status).reason(), "REQUEST_ID_REUSED");
  api::ScheduleSessionRequest other_command =
      Schedule("c1", "london", clock_.Now() + absl::Hours(30));
  *other_command.mutable_context() = photos.context();
  api::ScheduleSessionResponse booked;
  EXPECT_EQ(ScheduleSession(other_command, &booked).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(store_->HeadPosition(), head);

  // Another kind of command whose request happens to have the very same bytes: still another
  // request. (Found by the command fuzzer: the replay answered it with the first one's result.)
  api::PutOnHoldRequest hold;
  *hold.mutable_context() = Ctx();
  hold.set_client_id("c1");
  hold.set_reason("travelling");
  api::DiscontinueRequest stop;
  *stop.mutable_context() = hold.context();
  stop.set_client_id("c1");
  stop.set_reason("travelling");
  ASSERT_EQ(hold.SerializeAsString(), stop.SerializeAsString());
  api::CommandResult held;
  ASSERT_TRUE(Call([this](grpc::ClientContext* c, const api::PutOnHoldRequest& r,
                          api::CommandResult* out) { return clients_->PutOnHold(c, r, out); },
                   hold, &held)
                  .ok());
  api::CommandResult stopped;
  status = Call([this](grpc::ClientContext* c, const api::DiscontinueRequest& r,
                       api::CommandResult* out) { return clients_->Discontinue(c, r, out); },
                stop, &stopped);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  EXPECT_EQ(Details(status).reason(), "REQUEST_ID_REUSED");
  EXPECT_EQ(store_->HeadPosition(), held.global_position());

  api::CommandResult retried;
  ASSERT_TRUE(SignConsent(photos, &retried).ok());
  EXPECT_EQ(retried.global_position(), first.global_position());
}

TEST_F(StudioApiTest, BadInputGetsTheRightStatusAndWritesNothing) {
  OpenStudio();
  ReadyClient("c1");
  const eventstore::GlobalPosition head = store_->HeadPosition();
  struct Case {
    std::string name;
    std::function<grpc::Status()> call;
    grpc::StatusCode code;
    std::string field_or_reason;
  };
  std::vector<Case> cases = {
      {"no request id",
       [&] {
         api::SignConsentRequest r;
         r.mutable_context()->set_actor("desk");
         r.set_client_id("c1");
         r.set_kind(ev::CONSENT_KIND_PHOTOS);
         r.set_template_version("v1");
         api::CommandResult out;
         return SignConsent(r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "context.request_id"},
      {"unknown enum",
       [&] {
         api::SignConsentRequest r;
         *r.mutable_context() = Ctx();
         r.set_client_id("c1");
         r.set_kind(static_cast<ev::ConsentKind>(99));
         r.set_template_version("v1");
         api::CommandResult out;
         return SignConsent(r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "kind"},
      {"norwood out of range",
       [&] {
         api::RecordConsultationRequest r;
         *r.mutable_context() = Ctx();
         r.set_client_id("c1");
         r.set_location_id("london");
         r.set_artist_id("a1");
         *r.mutable_assessment() = Assessment();
         r.mutable_assessment()->set_norwood(9);
         api::RecordConsultationResponse out;
         return RecordConsultation(r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "assessment.norwood"},
      {"unknown client",
       [&] {
         api::AgreePlanRequest r;
         *r.mutable_context() = Ctx();
         r.set_client_id("nobody");
         api::CommandResult out;
         return AgreePlan(r, &out);
       },
       grpc::StatusCode::NOT_FOUND, ""},
      {"unknown artist",
       [&] {
         api::ScheduleSessionRequest r = Schedule("c1", "london", clock_.Now() + absl::Hours(5));
         r.set_artist_id("ghost");
         api::ScheduleSessionResponse out;
         return ScheduleSession(r, &out);
       },
       grpc::StatusCode::NOT_FOUND, ""},
      {"unknown location",
       [&] {
         api::ScheduleSessionRequest r = Schedule("c1", "paris", clock_.Now() + absl::Hours(5));
         api::ScheduleSessionResponse out;
         return ScheduleSession(r, &out);
       },
       grpc::StatusCode::NOT_FOUND, ""},
      {"start in the past",
       [&] {
         api::ScheduleSessionRequest r = Schedule("c1", "london", clock_.Now() - absl::Hours(1));
         api::ScheduleSessionResponse out;
         return ScheduleSession(r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "start_time"},
      {"duplicate client",
       [&] {
         api::RegisterClientRequest r;
         *r.mutable_context() = Ctx();
         r.set_client_id("c1");
         r.set_home_location_id("london");
         r.mutable_personal()->set_full_name("Again");
         api::CommandResult out;
         return RegisterClient(r, &out);
       },
       grpc::StatusCode::ALREADY_EXISTS, ""},
      {"rule broken",
       [&] {
         api::CompleteSessionRequest r;
         *r.mutable_context() = Ctx();
         r.set_client_id("c1");
         r.set_session_number(1);
         r.mutable_record()->set_actual_duration_minutes(100);
         r.mutable_record()->mutable_pigment()->set_brand("b");
         r.mutable_record()->mutable_pigment()->set_lot("l");
         r.mutable_record()->set_density_level(3);
         api::CommandResult out;
         return CompleteSession(r, &out);
       },
       grpc::StatusCode::FAILED_PRECONDITION, "NO_OPEN_SESSION"},
      {"bad time zone",
       [&] {
         api::OpenLocationRequest r;
         *r.mutable_context() = Ctx();
         r.set_location_id("mars");
         r.set_name("Mars");
         r.set_time_zone("Mars/Olympus_Mons");
         api::CommandResult out;
         return OpenLocation(r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "time_zone"},
      {"overlong identifier",
       [&] {
         api::AgreePlanRequest r;
         *r.mutable_context() = Ctx();
         r.set_client_id(std::string(129, 'c'));
         api::CommandResult out;
         return AgreePlan(r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "client_id"},
      {"control character in an identifier",
       [&] {
         api::AgreePlanRequest r;
         *r.mutable_context() = Ctx();
         r.set_client_id(std::string("c1\n", 3));
         api::CommandResult out;
         return AgreePlan(r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "client_id"},
      {"overlong free text in a nested message",
       [&] {
         api::CompleteSessionRequest r;
         *r.mutable_context() = Ctx();
         r.set_client_id("c1");
         r.set_session_number(1);
         r.mutable_record()->set_notes(std::string(4001, 'n'));
         api::CommandResult out;
         return CompleteSession(r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "record.notes"},
      {"overlong short text",
       [&] {
         api::RegisterClientRequest r;
         *r.mutable_context() = Ctx();
         r.set_client_id("c2");
         r.set_home_location_id("london");
         r.mutable_personal()->set_full_name(std::string(301, 'x'));
         api::CommandResult out;
         return RegisterClient(r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "personal.full_name"},
      {"too many entries",
       [&] {
         api::RegisterArtistRequest r;
         *r.mutable_context() = Ctx();
         r.set_artist_id("a2");
         r.set_name("Many");
         for (int i = 0; i < 65; ++i) r.add_location_ids("london");
         api::CommandResult out;
         return RegisterArtist(r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "location_ids"},
      {"unknown enum in a list",
       [&] {
         api::RecordConsultationRequest r;
         *r.mutable_context() = Ctx();
         r.set_client_id("c1");
         r.set_location_id("london");
         r.set_artist_id("a1");
         *r.mutable_assessment() = Assessment();
         r.mutable_assessment()->add_areas(static_cast<ev::TreatmentArea>(77));
         api::RecordConsultationResponse out;
         return RecordConsultation(r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "assessment.areas[2]"},
      {"request over the size limit",
       [&] {
         api::RegisterClientRequest r;
         *r.mutable_context() = Ctx();
         r.set_client_id("c3");
         r.set_home_location_id("london");
         r.mutable_personal()->set_full_name("Big");
         // An unknown field the client library passes through: only the size is refused.
         r.GetReflection()->MutableUnknownFields(&r)->AddLengthDelimited(999,
                                                                         std::string(2 << 20, 'z'));
         api::CommandResult out;
         return RegisterClient(r, &out);
       },
       grpc::StatusCode::RESOURCE_EXHAUSTED, ""},
      {"fields this server does not know",
       [&] {
         api::RegisterClientRequest r;
         *r.mutable_context() = Ctx();
         r.set_client_id("c4");
         r.set_home_location_id("london");
         r.mutable_personal()->set_full_name("Future");
         r.GetReflection()->MutableUnknownFields(&r)->AddVarint(998, 1);
         api::CommandResult out;
         return RegisterClient(r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "request"},
  };
  for (const Case& c : cases) {
    grpc::Status status = c.call();
    EXPECT_EQ(status.error_code(), c.code) << c.name << ": " << status.error_message();
    if (!c.field_or_reason.empty()) {
      api::ErrorInfo info = Details(status);
      const std::string got =
          c.code == grpc::StatusCode::INVALID_ARGUMENT
              ? info.metadata().count("field") ? info.metadata().at("field") : ""
              : info.reason();
      EXPECT_EQ(got, c.field_or_reason) << c.name;
    }
    EXPECT_EQ(store_->HeadPosition(), head) << c.name << " wrote something";
  }
}

}  // namespace
}  // namespace stipple::services
