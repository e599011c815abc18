#include "services/health_service.h"

#include <optional>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"

namespace stipple::services {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

void HealthService::SetServingStatus(const std::string& service, bool serving) {
  absl::MutexLock lock(&mu_);
  if (shut_down_) return;
  statuses_[service] = serving ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
  ++changes_;
}

void HealthService::Shutdown() {
  absl::MutexLock lock(&mu_);
  for (auto& [service, status] : statuses_) status = HealthCheckResponse::NOT_SERVING;
  shut_down_ = true;
  ++changes_;
}

HealthService::ServingStatus HealthService::StatusOf(const std::string& service) const {
  auto it = statuses_.find(service);
  return it == statuses_.end() ? HealthCheckResponse::SERVICE_UNKNOWN : it->second;
}

grpc::Status HealthService::Check(grpc::ServerContext*, const HealthCheckRequest* request,
                                  HealthCheckResponse* response) {
  absl::ReaderMutexLock lock(&mu_);
  const ServingStatus status = StatusOf(request->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("service: '", request->service(), "' is not served here"));
  }
  response->set_status(status);
  return grpc::Status::OK;
}

grpc::Status HealthService::Watch(grpc::ServerContext* context, const HealthCheckRequest* request,
                                  grpc::ServerWriter<HealthCheckResponse>* writer) {
  {
    absl::MutexLock lock(&mu_);
    if (watches_ >= max_watches_) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          absl::StrCat("already ", watches_, " health watches; retry later"));
    }
    ++watches_;
  }
  absl::Cleanup ended = [this] {
    absl::MutexLock lock(&mu_);
    --watches_;
  };
  std::optional<ServingStatus> sent;
  uint64_t seen = 0;
  bool shut_down = false;
  while (!context->IsCancelled()) {
    ServingStatus status;
    {
      absl::ReaderMutexLock lock(&mu_);
      const auto changed = [this, &seen] {
        mu_.AssertReaderHeld();
        return changes_ != seen;
      };
      // Short waits so a caller that went away is noticed promptly; none before the first send.
      mu_.AwaitWithTimeout(absl::Condition(&changed),
                           sent.has_value() ? watch_poll_ : absl::ZeroDuration());
      seen = changes_;
      status = StatusOf(request->service());
      shut_down = shut_down_;
    }
    if (status != sent) {
      HealthCheckResponse response;
      response.set_status(status);
      if (!writer->Write(response)) break;  // The caller went away.
      sent = status;
    }
    if (shut_down) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");
    }
  }
  return grpc::Status(grpc::StatusCode::CANCELLED, "the watch was cancelled");
}

}  // namespace stipple::services
