// The standard health protocol as stippled serves it: Check and Watch, per service and for the
// server as a whole, and what a shutdown tells probes.

#include "services/health_service.h"

#include <gtest/gtest.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace stipple::services {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

class HealthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&health_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = Health::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
  }

  // The status Check answers for `service`, or the call's error.
  grpc::Status Check(const std::string& service, HealthCheckResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    HealthCheckRequest request;
    request.set_service(service);
    return stub_->Check(&context, request, response);
  }
  HealthCheckResponse::ServingStatus CheckedStatus(const std::string& service) {
    HealthCheckResponse response;
    const grpc::Status status = Check(service, &response);
    EXPECT_TRUE(status.ok()) << service << ": " << status.error_message();
    return response.status();
  }

  HealthService health_{absl::Milliseconds(20)};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Health::Stub> stub_;
};

TEST_F(HealthServiceTest, ChecksTheServerAndEachServiceSet) {
  EXPECT_EQ(CheckedStatus(""), HealthCheckResponse::SERVING);
  health_.SetServingStatus("stipple.api.v1.ClientService", true);
  health_.SetServingStatus("stipple.api.v1.QueryService", false);
  EXPECT_EQ(CheckedStatus("stipple.api.v1.ClientService"), HealthCheckResponse::SERVING);
  EXPECT_EQ(CheckedStatus("stipple.api.v1.QueryService"), HealthCheckResponse::NOT_SERVING);
  health_.SetServingStatus("stipple.api.v1.QueryService", true);
  EXPECT_EQ(CheckedStatus("stipple.api.v1.QueryService"), HealthCheckResponse::SERVING);

  HealthCheckResponse response;
  const grpc::Status unknown = Check("stipple.api.v1.NoSuchService", &response);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(unknown.error_message().find("stipple.api.v1.NoSuchService"), std::string::npos)
      << unknown.error_message();
}

TEST_F(HealthServiceTest, AfterShutdownEveryServiceIsNotServingForGood) {
  health_.SetServingStatus("stipple.api.v1.ClientService", true);
  health_.Shutdown();
  EXPECT_EQ(CheckedStatus(""), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(CheckedStatus("stipple.api.v1.ClientService"), HealthCheckResponse::NOT_SERVING);
  health_.SetServingStatus("stipple.api.v1.ClientService", true);  // Too late: ignored.
  EXPECT_EQ(CheckedStatus("stipple.api.v1.ClientService"), HealthCheckResponse::NOT_SERVING);
}

TEST_F(HealthServiceTest, WatchSendsTheStatusThenEachChangeUntilShutdown) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  HealthCheckRequest request;
  request.set_service("stipple.api.v1.SessionService");
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> watch = stub_->Watch(&context, request);
  HealthCheckResponse response;
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVICE_UNKNOWN);

  health_.SetServingStatus("stipple.api.v1.SessionService", true);
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  // A change to another service sends nothing; the next message is this service's.
  health_.SetServingStatus("stipple.api.v1.ClientService", false);
  health_.SetServingStatus("stipple.api.v1.SessionService", false);
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
  health_.SetServingStatus("stipple.api.v1.SessionService", true);
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);

  health_.Shutdown();
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
  EXPECT_FALSE(watch->Read(&response));
  EXPECT_EQ(watch->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(HealthServiceTest, WatchesBeyondTheLimitAreRefused) {
  HealthService limited(absl::Milliseconds(20), /*max_watches=*/1);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&limited);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto stub = Health::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));

  grpc::ClientContext first_context;
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> first =
      stub->Watch(&first_context, HealthCheckRequest());
  HealthCheckResponse response;
  ASSERT_TRUE(first->Read(&response));  // The first watch is running.
  grpc::ClientContext second_context;
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> second =
      stub->Watch(&second_context, HealthCheckRequest());
  EXPECT_FALSE(second->Read(&response));
  EXPECT_EQ(second->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Check is not limited.
  grpc::ClientContext check_context;
  EXPECT_TRUE(stub->Check(&check_context, HealthCheckRequest(), &response).ok());

  limited.Shutdown();
  while (first->Read(&response)) {
  }
  EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(first->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  server->Shutdown();
}

TEST_F(HealthServiceTest, AWatchTheCallerCancelsEnds) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> watch =
      stub_->Watch(&context, HealthCheckRequest());
  HealthCheckResponse response;
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  context.TryCancel();
  EXPECT_FALSE(watch->Read(&response));
  EXPECT_EQ(watch->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The handler ended too: a shutdown that gives calls all the time they need returns.
  server_->Shutdown();
  server_.reset();
}

}  // namespace
}  // namespace stipple::services
