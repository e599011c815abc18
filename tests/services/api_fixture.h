#ifndef STIPPLE_TESTS_SERVICES_API_FIXTURE_H_
#define STIPPLE_TESTS_SERVICES_API_FIXTURE_H_

// An in-process stippled (event store, read models, gRPC server on a free port) with a fake clock
// and client stubs for every service, for API-level tests.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "grpcpp/create_channel.h"
#include "projections/read_models.h"
#include "services/domain/time_convert.h"
#include "services/server.h"
#include "stipple/api/v1/errors.pb.h"
#include "stipple/api/v1/queries.grpc.pb.h"
#include "stipple/api/v1/studio.grpc.pb.h"
#include "tests/eventstore/store_fixture.h"

namespace stipple::services::testing {

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

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    eventstore::RocksDbEventStoreOptions options;
    options.path = dir_.path() + "/db";
    auto store = eventstore::RocksDbEventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto models = projections::ReadModels::Start(*store_, dir_.path() + "/models");
    ASSERT_TRUE(models.ok()) << models.status();
    models_ = *std::move(models);
    auto server = StippleServer::Start("127.0.0.1:0", *store_, models_.get(),
                                       [this] { return clock_.Now(); });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    locations_ = api::LocationService::NewStub(channel);
    artists_ = api::ArtistService::NewStub(channel);
    clients_ = api::ClientService::NewStub(channel);
    sessions_ = api::SessionService::NewStub(channel);
    queries_ = api::QueryService::NewStub(channel);
    feed_ = api::FeedService::NewStub(channel);
    admin_ = api::AdminService::NewStub(channel);
  }
  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(1));
    server_.reset();
    models_.reset();
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
  STUB_CALL(sessions_, CancelSession, api::CancelSessionRequest, api::CommandResult)
  STUB_CALL(sessions_, MarkNoShow, api::MarkNoShowRequest, api::CommandResult)
  STUB_CALL(clients_, RevisePlan, api::RevisePlanRequest, api::CommandResult)
  STUB_CALL(clients_, AmendRecord, api::AmendRecordRequest, api::CommandResult)
  STUB_CALL(queries_, GetClientSummary, api::GetClientSummaryRequest,
            projections::v1::ClientSummary)
  STUB_CALL(queries_, GetClientSummaryAsOf, api::GetClientSummaryAsOfRequest,
            projections::v1::ClientSummary)
  STUB_CALL(queries_, GetClientHistory, api::GetClientHistoryRequest, api::ClientHistory)
  STUB_CALL(queries_, ListClients, api::ListClientsRequest, api::ListClientsResponse)
  STUB_CALL(queries_, GetArtistSchedule, api::GetArtistScheduleRequest, api::ArtistSchedule)
  STUB_CALL(queries_, GetReport, api::GetReportRequest, api::Report)
  STUB_CALL(admin_, GetProjectionStatus, api::GetProjectionStatusRequest,
            api::GetProjectionStatusResponse)
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
  std::unique_ptr<projections::ReadModels> models_;
  std::unique_ptr<StippleServer> server_;
  std::unique_ptr<api::LocationService::Stub> locations_;
  std::unique_ptr<api::ArtistService::Stub> artists_;
  std::unique_ptr<api::ClientService::Stub> clients_;
  std::unique_ptr<api::SessionService::Stub> sessions_;
  std::unique_ptr<api::QueryService::Stub> queries_;
  std::unique_ptr<api::FeedService::Stub> feed_;
  std::unique_ptr<api::AdminService::Stub> admin_;
  int request_counter_ = 0;
};

}  // namespace stipple::services::testing

#endif  // STIPPLE_TESTS_SERVICES_API_FIXTURE_H_
