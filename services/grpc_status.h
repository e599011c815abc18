#ifndef STIPPLE_SERVICES_GRPC_STATUS_H_
#define STIPPLE_SERVICES_GRPC_STATUS_H_

// absl::Status → grpc::Status, in one place. The code carries over unchanged; a domain reason or
// field goes into the standard details (stipple.api.v1.RpcStatus holding an ErrorInfo).

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace stipple::services {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_GRPC_STATUS_H_
