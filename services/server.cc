#include "services/server.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace stipple::services {

void ApplyServerOptions(grpc::ServerBuilder& builder) {
  // Commands are small (request_shape.h bounds their fields); larger messages are refused with
  // RESOURCE_EXHAUSTED before they are parsed.
  builder.SetMaxReceiveMessageSize(kMaxRequestBytes);
  // A command's handler thread waits for its group commit. gRPC keeps at most MAX_POLLERS idle
  // threads (2 by default) and ends the others, so under load it started and ended a thread for
  // nearly every call; keeping up to 64 lifted commands/s by ~35 % at 16 clients (command_bench).
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              kMaxIdleHandlerThreads);
}

absl::StatusOr<std::unique_ptr<StippleServer>> StippleServer::Start(
    const std::string& listen_address, eventstore::EventStore& store,
    projections::ReadModels* models, std::function<absl::Time()> clock) {
  size_t colon = listen_address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(absl::string_view(listen_address).substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: '", listen_address, "' is not HOST:PORT with a port 0-65535"));
  }

  // Must be called explicitly: the linker drops grpc++_reflection when nothing references it.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<StippleServer> stipple(new StippleServer(store, std::move(clock)));
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(listen_address, grpc::InsecureServerCredentials(), &bound_port);
  ApplyServerOptions(builder);
  builder.RegisterService(&stipple->health_);
  builder.RegisterService(&stipple->locations_);
  builder.RegisterService(&stipple->artists_);
  builder.RegisterService(&stipple->clients_);
  builder.RegisterService(&stipple->sessions_);
  builder.RegisterService(&stipple->feed_);
  std::vector<const char*> services = {
      "stipple.api.v1.LocationService", "stipple.api.v1.ArtistService",
      "stipple.api.v1.ClientService", "stipple.api.v1.SessionService",
      "stipple.api.v1.FeedService"};
  if (models != nullptr) {
    stipple->queries_ =
        std::make_unique<QueryService>(*models, stipple->clock_, stipple->shutting_down_);
    stipple->admin_ = std::make_unique<AdminService>(store, *models);
    builder.RegisterService(stipple->queries_.get());
    builder.RegisterService(stipple->admin_.get());
    services.push_back("stipple.api.v1.QueryService");
    services.push_back("stipple.api.v1.AdminService");
  }
  for (const char* service : services) stipple->health_.SetServingStatus(service, true);
  stipple->server_ = builder.BuildAndStart();
  if (stipple->server_ == nullptr || bound_port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen_address));
  }
  stipple->address_ = absl::StrCat(listen_address.substr(0, colon), ":", bound_port);
  return stipple;
}

void StippleServer::Shutdown(absl::Duration grace) {
  shutting_down_ = true;
  health_.Shutdown();  // Probes see NOT_SERVING while calls drain.
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
}

StippleServer::~StippleServer() {
  shutting_down_ = true;
  health_.Shutdown();
}

void StippleServer::Wait() { server_->Wait(); }

}  // namespace stipple::services
