#include "services/domain/errors.h"

#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"

namespace stipple::domain {
namespace {
constexpr char kReasonUrl[] = "type.stipple.dev/domain.Reason";
constexpr char kFieldUrl[] = "type.stipple.dev/domain.Field";

std::string PayloadOf(const absl::Status& status, const char* url) {
  absl::optional<absl::Cord> payload = status.GetPayload(url);
  return payload.has_value() ? std::string(*payload) : std::string();
}
}  // namespace

absl::Status RuleBroken(const std::string& reason, const std::string& message) {
  absl::Status status = absl::FailedPreconditionError(absl::StrCat(reason, ": ", message));
  status.SetPayload(kReasonUrl, absl::Cord(reason));
  return status;
}

absl::Status InvalidField(const std::string& field, const std::string& problem) {
  absl::Status status = absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
  status.SetPayload(kFieldUrl, absl::Cord(field));
  return status;
}

absl::Status NotFound(const std::string& kind, const std::string& id) {
  absl::Status status = absl::NotFoundError(absl::StrCat(kind, " '", id, "' does not exist"));
  status.SetPayload(kReasonUrl, absl::Cord(absl::StrCat("UNKNOWN_", kind)));
  return status;
}

absl::Status AlreadyExists(const std::string& kind, const std::string& id) {
  absl::Status status = absl::AlreadyExistsError(absl::StrCat(kind, " '", id, "' already exists"));
  status.SetPayload(kReasonUrl, absl::Cord(absl::StrCat("DUPLICATE_", kind)));
  return status;
}

absl::Status RequestIdReused(const std::string& request_id) {
  absl::Status status = absl::AlreadyExistsError(
      absl::StrCat("context.request_id: '", request_id,
                   "' was used by a different request; a new change needs a new request id"));
  status.SetPayload(kReasonUrl, absl::Cord("REQUEST_ID_REUSED"));
  status.SetPayload(kFieldUrl, absl::Cord("context.request_id"));
  return status;
}

std::string ReasonOf(const absl::Status& status) { return PayloadOf(status, kReasonUrl); }
std::string FieldOf(const absl::Status& status) { return PayloadOf(status, kFieldUrl); }

}  // namespace stipple::domain
