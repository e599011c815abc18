#include "services/grpc_status.h"

#include "services/domain/errors.h"
#include "stipple/api/v1/errors.pb.h"

namespace stipple::services {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  const std::string reason = domain::ReasonOf(status);
  const std::string field = domain::FieldOf(status);
  if (reason.empty() && field.empty()) return grpc::Status(code, message);

  api::v1::ErrorInfo info;
  info.set_reason(reason.empty() ? "INVALID_FIELD" : reason);
  info.set_domain("stipple.dev");
  if (!field.empty()) (*info.mutable_metadata())["field"] = field;
  api::v1::RpcStatus details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  details.add_details()->PackFrom(info, "type.googleapis.com");
  // PackFrom names the type stipple.api.v1.ErrorInfo; clients holding Google's protos expect
  // google.rpc.ErrorInfo, which has the same wire format.
  details.mutable_details(0)->set_type_url("type.googleapis.com/google.rpc.ErrorInfo");
  return grpc::Status(code, message, details.SerializeAsString());
}

}  // namespace stipple::services
