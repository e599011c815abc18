#include "services/rpc_support.h"

#include "services/grpc_status.h"

namespace stipple::services {

CommandContext FromProto(const api::v1::CommandContext& context) {
  return CommandContext{context.request_id(), context.actor(), context.location_id(),
                        context.correlation_id()};
}

grpc::Status Reply(const absl::StatusOr<CommandOutcome>& outcome, api::v1::CommandResult* result) {
  if (!outcome.ok()) return ToGrpcStatus(outcome.status());
  result->set_stream(outcome->stream);
  result->set_stream_version(outcome->stream_version);
  result->set_global_position(outcome->position);
  return grpc::Status::OK;
}

}  // namespace stipple::services
