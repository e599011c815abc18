#ifndef STIPPLE_SERVICES_RPC_SUPPORT_H_
#define STIPPLE_SERVICES_RPC_SUPPORT_H_

// What every RPC of the command API shares: its context in, its result out.

#include "absl/status/statusor.h"
#include "grpcpp/support/status.h"
#include "services/command_handler.h"
#include "stipple/api/v1/studio.pb.h"

namespace stipple::services {

CommandContext FromProto(const api::v1::CommandContext& context);

// The request's context plus a digest of the whole request (see CommandContext::request_digest).
CommandContext ContextOf(const google::protobuf::Message& request,
                         const api::v1::CommandContext& context);
template <typename Request>
CommandContext ContextOf(const Request& request) {
  return ContextOf(request, request.context());
}

// Fills `result` and returns OK, or returns the mapped error.
grpc::Status Reply(const absl::StatusOr<CommandOutcome>& outcome, api::v1::CommandResult* result);

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_RPC_SUPPORT_H_
