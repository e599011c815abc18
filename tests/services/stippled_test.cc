// stippled as a process: it picks a free port when asked for port 0 and logs it, answers the
// standard health check and server reflection, and exits cleanly on SIGTERM.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tests/eventstore/store_fixture.h"
#include "tests/support/stippled_process.h"

namespace stipple::services {
namespace {

using eventstore::testing::TempDir;
using stipple::testing::StippledProcess;

TEST(StippledTest, ServesHealthAndReflectionAndStopsOnSigterm) {
  TempDir dir;
  StippledProcess stippled(dir.path() + "/data");
  std::optional<std::string> listening = stippled.WaitForLog("listening on ", absl::Seconds(60));
  ASSERT_TRUE(listening.has_value()) << stippled.log();
  const std::string address = *listening;
  EXPECT_TRUE(address.starts_with("127.0.0.1:")) << address;
  EXPECT_NE(address, "127.0.0.1:0");

  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext health_context;
  health_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = health->Check(&health_context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  grpc::ClientContext named_context;
  request.set_service("stipple.api.v1.ClientService");
  ASSERT_TRUE(health->Check(&named_context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  grpc::ClientContext reflection_context;
  reflection_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto stream = reflection->ServerReflectionInfo(&reflection_context);
  grpc::reflection::v1alpha::ServerReflectionRequest list;
  list.set_list_services("");
  ASSERT_TRUE(stream->Write(list));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse listed;
  ASSERT_TRUE(stream->Read(&listed));
  std::vector<std::string> services;
  for (const auto& service : listed.list_services_response().service()) {
    services.push_back(service.name());
  }
  for (const char* service : {"grpc.health.v1.Health", "stipple.api.v1.ClientService",
                              "stipple.api.v1.SessionService", "stipple.api.v1.LocationService",
                              "stipple.api.v1.ArtistService", "stipple.api.v1.QueryService",
                              "stipple.api.v1.FeedService", "stipple.api.v1.AdminService"}) {
    EXPECT_THAT(services, ::testing::Contains(service));
  }
  EXPECT_TRUE(stream->Finish().ok());

  int exit_status = stippled.Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(exit_status)) << exit_status;
  EXPECT_EQ(WEXITSTATUS(exit_status), 0);
  EXPECT_TRUE(stippled.WaitForLog("stippled stopped", absl::Seconds(10)).has_value())
      << stippled.log();
}

TEST(StippledTest, RefusesAMalformedListenAddress) {
  TempDir dir;
  pid_t pid = fork();
  if (pid == 0) {
    std::string data_flag = "--data_dir=" + dir.path();
    int null_fd = open("/dev/null", O_WRONLY);
    dup2(null_fd, STDERR_FILENO);
    execl(STIPPLED_BINARY, STIPPLED_BINARY, "--listen=no-port-here", data_flag.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
}

}  // namespace
}  // namespace stipple::services
