#ifndef STIPPLE_SERVICES_SERVER_H_
#define STIPPLE_SERVICES_SERVER_H_

// The gRPC server: listens, serves health and reflection (and, as they arrive, the studio
// services), and drains in-flight calls on shutdown.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "eventstore/event_store.h"
#include "grpcpp/server.h"

namespace stipple::services {

class StippleServer {
 public:
  // Binds `listen_address` ("host:port"; port 0 picks a free one) and starts serving.
  // UNAVAILABLE when the address cannot be bound; INVALID_ARGUMENT when it is malformed.
  static absl::StatusOr<std::unique_ptr<StippleServer>> Start(const std::string& listen_address,
                                                              eventstore::EventStore& store);

  // "host:port" with the port actually bound.
  const std::string& address() const { return address_; }

  // Stops accepting calls, lets in-flight ones finish until `grace` has passed, then cancels them.
  void Shutdown(absl::Duration grace);

  // Blocks until Shutdown has completed.
  void Wait();

 private:
  StippleServer(std::unique_ptr<grpc::Server> server, std::string address)
      : server_(std::move(server)), address_(std::move(address)) {}

  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_SERVER_H_
