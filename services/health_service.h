#ifndef STIPPLE_SERVICES_HEALTH_SERVICE_H_
#define STIPPLE_SERVICES_HEALTH_SERVICE_H_

// The standard health protocol (grpc.health.v1.Health) on the synchronous API.
//
// gRPC's built-in health service is a callback service: registering it starts gRPC's callback
// threads ("nexting_thread"), which poll the same sockets as the synchronous handler threads and
// hand calls over to them. Without them, commands/s rose by about 8 % (command_bench).

#include <cstdint>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace stipple::services {

class HealthService final : public grpc::health::v1::Health::Service {
 public:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

  // `watch_poll`: how often a watch notices that its caller went away. A watch holds a handler
  // thread for as long as it lasts, so at most `max_watches` run at once.
  explicit HealthService(absl::Duration watch_poll = absl::Milliseconds(250), int max_watches = 16)
      : watch_poll_(watch_poll), max_watches_(max_watches) {
    statuses_[""] = grpc::health::v1::HealthCheckResponse::SERVING;  // The server as a whole.
  }

  // Ignored after Shutdown.
  void SetServingStatus(const std::string& service, bool serving) ABSL_LOCKS_EXCLUDED(mu_);
  // Every service, the server's too, is NOT_SERVING from now on; watches send that and end.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

  // NOT_FOUND for a service never set.
  grpc::Status Check(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;
  // Sends the status (SERVICE_UNKNOWN for a service never set) and then each change, until the
  // caller cancels or the server shuts down (UNAVAILABLE). RESOURCE_EXHAUSTED when max_watches
  // are running: the protocol has callers retry with backoff.
  grpc::Status Watch(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>* writer) override;

 private:
  ServingStatus StatusOf(const std::string& service) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const absl::Duration watch_poll_;
  const int max_watches_;
  mutable absl::Mutex mu_;
  int watches_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, ServingStatus> statuses_ ABSL_GUARDED_BY(mu_);
  uint64_t changes_ ABSL_GUARDED_BY(mu_) = 0;  // Wakes watches.
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_HEALTH_SERVICE_H_
