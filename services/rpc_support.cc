#include "services/rpc_support.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "projections/projection.h"
#include "services/grpc_status.h"
#include "services/request_shape.h"

namespace stipple::services {

CommandContext FromProto(const api::v1::CommandContext& context) {
  CommandContext out;
  out.request_id = context.request_id();
  out.actor = context.actor();
  out.location_id = context.location_id();
  out.correlation_id = context.correlation_id();
  return out;
}

CommandContext ContextOf(const google::protobuf::Message& request,
                         const api::v1::CommandContext& context) {
  CommandContext out = FromProto(context);
  out.request_shape = CheckRequestShape(request);
  // Deterministic bytes, so the same request always gives the same digest; prefixed with the
  // request's type, since two kinds of request can have identical bytes.
  const std::string bytes =
      request.GetDescriptor()->full_name() + '\0' + projections::DeterministicBytes(request);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  // 96 bits tell requests apart; the full hash would only lengthen every causation id.
  out.request_digest =
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 12));
  return out;
}

grpc::Status Reply(const absl::StatusOr<CommandOutcome>& outcome, api::v1::CommandResult* result) {
  if (!outcome.ok()) return ToGrpcStatus(outcome.status());
  result->set_stream(outcome->stream);
  result->set_stream_version(outcome->stream_version);
  result->set_global_position(outcome->position);
  return grpc::Status::OK;
}

}  // namespace stipple::services
