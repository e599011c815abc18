// The command API over gRPC, in process: a typical course end to end, concurrent bookings of one
// artist, retried requests and bad input.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "absl/synchronization/barrier.h"
#include "grpcpp/create_channel.h"
#include "services/domain/time_convert.h"
#include "services/server.h"
#include "stipple/api/v1/errors.pb.h"
#include "stipple/api/v1/studio.grpc.pb.h"
#include "tests/eventstore/store_fixture.h"

namespace stipple::services {
namespace {

namespace api = stipple::api::v1;
namespace ev = stipple::events::v1;
using eventstore::testing::TempDir;

class FakeClock {
 public:
  absl::Time Now() {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  absl::Mutex mu_;
  absl::Time now_ = absl::FromCivil(absl::CivilSecond(2026, 3, 2, 9, 0, 0), absl::UTCTimeZone());
};

class StudioApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    eventstore::RocksDbEventStoreOptions options;
    options.path = dir_.path() + "/db";
    auto store = eventstore::RocksDbEventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto server =
        StippleServer::Start("127.0.0.1:0", *store_, nullptr, [this] { return clock_.Now(); });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    locations_ = api::LocationService::NewStub(channel);
    artists_ = api::ArtistService::NewStub(channel);
    clients_ = api::ClientService::NewStub(channel);
    sessions_ = api::SessionService::NewStub(channel);
  }
  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(1));
    server_.reset();
  }

  // A context with a fresh request id, as a front-desk app would send.
  api::CommandContext Ctx(const std::string& actor = "desk-1",
                          const std::string& location = "london") {
    api::CommandContext context;
    context.set_request_id("req-" + std::to_string(++request_counter_));
    context.set_actor(actor);
    context.set_location_id(location);
    return context;
  }

  template <typename Request, typename Response, typename Method>
  grpc::Status Call(Method method, const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return method(&context, request, response);
  }

#define STUB_CALL(stub, Rpc, Request, Response)                         \
  grpc::Status Rpc(const Request& request, Response* response) {        \
    return Call([this](grpc::ClientContext* c, const Request& r,        \
                       Response* out) { return stub->Rpc(c, r, out); }, \
                request, response);                                     \
  }
  STUB_CALL(locations_, OpenLocation, api::OpenLocationRequest, api::CommandResult)
  STUB_CALL(artists_, RegisterArtist, api::RegisterArtistRequest, api::CommandResult)
  STUB_CALL(clients_, RegisterClient, api::RegisterClientRequest, api::CommandResult)
  STUB_CALL(clients_, RecordConsultation, api::RecordConsultationRequest,
            api::RecordConsultationResponse)
  STUB_CALL(clients_, SignConsent, api::SignConsentRequest, api::CommandResult)
  STUB_CALL(clients_, ApplyPatchTest, api::ApplyPatchTestRequest, api::CommandResult)
  STUB_CALL(clients_, ReadPatchTest, api::ReadPatchTestRequest, api::CommandResult)
  STUB_CALL(clients_, WaivePatchTest, api::WaivePatchTestRequest, api::CommandResult)
  STUB_CALL(clients_, AgreePlan, api::AgreePlanRequest, api::CommandResult)
  STUB_CALL(sessions_, ScheduleSession, api::ScheduleSessionRequest, api::ScheduleSessionResponse)
  STUB_CALL(sessions_, CompleteSession, api::CompleteSessionRequest, api::CommandResult)
#undef STUB_CALL

  void OpenStudio() {
    for (auto [id, zone] : {std::pair{"london", "Europe/London"}, {"leeds", "Europe/London"}}) {
      api::OpenLocationRequest open;
      *open.mutable_context() = Ctx("owner");
      open.set_location_id(id);
      open.set_name(id);
      open.set_time_zone(zone);
      api::CommandResult result;
      ASSERT_TRUE(OpenLocation(open, &result).ok());
    }
    api::RegisterArtistRequest artist;
    *artist.mutable_context() = Ctx("owner");
    artist.set_artist_id("a1");
    artist.set_name("Alex");
    artist.add_location_ids("london");
    artist.add_location_ids("leeds");
    api::CommandResult result;
    ASSERT_TRUE(RegisterArtist(artist, &result).ok());
  }

  // Registers `client_id` and takes them through consultation, consent, a waived patch test and
  // a plan of the recommended sessions.
  void ReadyClient(const std::string& client_id) {
    api::CommandResult result;
    api::RegisterClientRequest reg;
    *reg.mutable_context() = Ctx();
    reg.set_client_id(client_id);
    reg.set_home_location_id("london");
    reg.mutable_personal()->set_full_name("Client " + client_id);
    ASSERT_TRUE(RegisterClient(reg, &result).ok());
    api::RecordConsultationRequest consult;
    *consult.mutable_context() = Ctx("a1");
    consult.set_client_id(client_id);
    consult.set_location_id("london");
    consult.set_artist_id("a1");
    *consult.mutable_assessment() = Assessment();
    api::RecordConsultationResponse consulted;
    ASSERT_TRUE(RecordConsultation(consult, &consulted).ok());
    api::SignConsentRequest consent;
    *consent.mutable_context() = Ctx();
    consent.set_client_id(client_id);
    consent.set_kind(ev::CONSENT_KIND_TREATMENT);
    consent.set_template_version("2026-01");
    ASSERT_TRUE(SignConsent(consent, &result).ok());
    api::WaivePatchTestRequest waive;
    *waive.mutable_context() = Ctx();
    waive.set_client_id(client_id);
    waive.set_reason("earlier SMP without reaction");
    ASSERT_TRUE(WaivePatchTest(waive, &result).ok());
    api::AgreePlanRequest plan;
    *plan.mutable_context() = Ctx("a1");
    plan.set_client_id(client_id);
    ASSERT_TRUE(AgreePlan(plan, &result).ok());
  }

  static ev::Assessment Assessment() {
    ev::Assessment a;
    a.set_hair_loss_type(ev::HAIR_LOSS_TYPE_MALE_PATTERN);
    a.set_norwood(5);
    a.add_areas(ev::TREATMENT_AREA_HAIRLINE);
    a.add_areas(ev::TREATMENT_AREA_CROWN);
    a.set_scar_tissue(ev::SCAR_TISSUE_FUT_STRIP);
    a.set_skin_type(ev::SKIN_TYPE_NORMAL);
    a.set_density_goal(ev::DENSITY_GOAL_MEDIUM);
    return a;
  }

  api::ScheduleSessionRequest Schedule(const std::string& client_id, const std::string& location,
                                       absl::Time start) {
    api::ScheduleSessionRequest request;
    *request.mutable_context() = Ctx("desk-1", location);
    request.set_client_id(client_id);
    request.set_location_id(location);
    request.set_artist_id("a1");
    *request.mutable_start_time() = domain::ToProto(start);
    return request;
  }

  std::vector<eventstore::RecordedEvent> ClientEvents(const std::string& client_id) {
    auto slice =
        store_->ReadStream("client-" + client_id, 1, eventstore::ReadDirection::kForwards, 1000);
    EXPECT_TRUE(slice.ok()) << slice.status();
    return slice.ok() ? slice->events : std::vector<eventstore::RecordedEvent>{};
  }

  static api::ErrorInfo Details(const grpc::Status& status) {
    api::RpcStatus rpc_status;
    api::ErrorInfo info;
    if (rpc_status.ParseFromString(status.error_details()) && rpc_status.details_size() > 0) {
      info.ParseFromString(rpc_status.details(0).value());
    }
    return info;
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<eventstore::RocksDbEventStore> store_;
  std::unique_ptr<StippleServer> server_;
  std::unique_ptr<api::LocationService::Stub> locations_;
  std::unique_ptr<api::ArtistService::Stub> artists_;
  std::unique_ptr<api::ClientService::Stub> clients_;
  std::unique_ptr<api::SessionService::Stub> sessions_;
  int request_counter_ = 0;
};

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
