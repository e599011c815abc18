#ifndef STIPPLE_SERVICES_SERVER_H_
#define STIPPLE_SERVICES_SERVER_H_

// The gRPC server: listens, serves health and reflection (and, as they arrive, the studio
// services), and drains in-flight calls on shutdown.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "eventstore/event_store.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "projections/read_models.h"
#include "services/admin_service.h"
#include "services/artist_service.h"
#include "services/client_service.h"
#include "services/command_handler.h"
#include "services/feed_service.h"
#include "services/health_service.h"
#include "services/location_service.h"
#include "services/query_service.h"
#include "services/session_service.h"

namespace stipple::services {

inline constexpr int kMaxRequestBytes = 1 << 20;
// gRPC handler threads kept waiting for calls between them (see server.cc).
inline constexpr int kMaxIdleHandlerThreads = 64;

// The options every Stipple gRPC server takes (message size, handler threads; see server.cc).
void ApplyServerOptions(grpc::ServerBuilder& builder);

class StippleServer {
 public:
  // Binds `listen_address` ("host:port"; port 0 picks a free one) and starts serving the studio
  // API on `store`, with `clock` as the domain's "now". UNAVAILABLE when the address cannot be
  // bound; INVALID_ARGUMENT when it is malformed. `store` must outlive the server.
  // `models` (optional) adds the query and admin services; it must outlive the server too.
  static absl::StatusOr<std::unique_ptr<StippleServer>> Start(
      const std::string& listen_address, eventstore::EventStore& store,
      projections::ReadModels* models = nullptr,
      std::function<absl::Time()> clock = [] { return absl::Now(); });

  // Ends health watches and feed subscriptions, which would otherwise hold up the server's
  // destruction when Shutdown was not called.
  ~StippleServer();

  // "host:port" with the port actually bound.
  const std::string& address() const { return address_; }

  // Stops accepting calls, lets in-flight ones finish until `grace` has passed, then cancels them.
  void Shutdown(absl::Duration grace);

  // Blocks until Shutdown has completed.
  void Wait();

 private:
  StippleServer(eventstore::EventStore& store, std::function<absl::Time()> clock)
      : clock_(std::move(clock)),
        handler_(store, clock_),
        locations_(handler_),
        artists_(handler_),
        clients_(handler_),
        sessions_(handler_),
        feed_(store, shutting_down_) {}

  std::function<absl::Time()> clock_;
  std::atomic<bool> shutting_down_{false};  // Ends streaming calls promptly.
  CommandHandler handler_;
  LocationService locations_;
  ArtistService artists_;
  ClientService clients_;
  SessionService sessions_;
  FeedService feed_;
  HealthService health_;
  std::unique_ptr<QueryService> queries_;
  std::unique_ptr<AdminService> admin_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_SERVER_H_
