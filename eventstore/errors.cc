#include "eventstore/errors.h"

#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "eventstore/keys.h"

namespace stipple::eventstore {
namespace {
constexpr char kWrongExpectedVersionUrl[] = "type.stipple.dev/eventstore.WrongExpectedVersion";
}  // namespace

absl::Status WrongExpectedVersionError(const std::string& stream, const ExpectedVersion& expected,
                                       StreamVersion actual) {
  absl::Status status =
      absl::AbortedError(absl::StrCat("wrong expected version for stream '", stream, "': expected ",
                                      expected.ToString(), ", actual version ", actual));
  // Payload: the actual version as 8 big-endian bytes, then the stream name.
  status.SetPayload(kWrongExpectedVersionUrl, absl::Cord(absl::StrCat(EncodeU64(actual), stream)));
  return status;
}

std::optional<WrongExpectedVersion> WrongExpectedVersionFromStatus(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kAborted) return std::nullopt;
  absl::optional<absl::Cord> payload = status.GetPayload(kWrongExpectedVersionUrl);
  if (!payload.has_value()) return std::nullopt;
  std::string bytes(*payload);
  if (bytes.size() < 8) return std::nullopt;
  return WrongExpectedVersion{bytes.substr(8), DecodeU64(bytes.data())};
}

}  // namespace stipple::eventstore
