#ifndef STIPPLE_SERVICES_DOMAIN_ERRORS_H_
#define STIPPLE_SERVICES_DOMAIN_ERRORS_H_

// Domain errors: a broken rule is FAILED_PRECONDITION with a machine-readable reason; a malformed
// value is INVALID_ARGUMENT naming the field. Both ride as absl::Status payloads so the gRPC edge
// can put them into error details without parsing messages.

#include <string>

#include "absl/status/status.h"

namespace stipple::domain {

// FAILED_PRECONDITION carrying `reason` (UPPER_SNAKE_CASE, stable: clients switch on it).
absl::Status RuleBroken(const std::string& reason, const std::string& message);

// INVALID_ARGUMENT "<field>: <problem>", carrying `field`.
absl::Status InvalidField(const std::string& field, const std::string& problem);

// NOT_FOUND for an unknown aggregate, e.g. NotFound("client", "c-1").
absl::Status NotFound(const std::string& kind, const std::string& id);

// ALREADY_EXISTS for a duplicate creation.
absl::Status AlreadyExists(const std::string& kind, const std::string& id);

// ALREADY_EXISTS with reason REQUEST_ID_REUSED, naming "context.request_id": a request id that an
// earlier, different request already used.
absl::Status RequestIdReused(const std::string& request_id);

// The reason or field carried by a status from the functions above; empty when there is none.
std::string ReasonOf(const absl::Status& status);
std::string FieldOf(const absl::Status& status);

}  // namespace stipple::domain

#endif  // STIPPLE_SERVICES_DOMAIN_ERRORS_H_
