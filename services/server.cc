#include "services/server.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace stipple::services {

absl::StatusOr<std::unique_ptr<StippleServer>> StippleServer::Start(
    const std::string& listen_address, eventstore::EventStore& /*store*/) {
  size_t colon = listen_address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(absl::string_view(listen_address).substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: '", listen_address, "' is not HOST:PORT with a port 0-65535"));
  }

  grpc::EnableDefaultHealthCheckService(true);
  // Must be called explicitly: the linker drops grpc++_reflection when nothing references it.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(listen_address, grpc::InsecureServerCredentials(), &bound_port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen_address));
  }
  std::string address = absl::StrCat(listen_address.substr(0, colon), ":", bound_port);
  return std::unique_ptr<StippleServer>(new StippleServer(std::move(server), std::move(address)));
}

void StippleServer::Shutdown(absl::Duration grace) {
  if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
    health->Shutdown();  // Probes see NOT_SERVING while calls drain.
  }
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
}

void StippleServer::Wait() { server_->Wait(); }

}  // namespace stipple::services
