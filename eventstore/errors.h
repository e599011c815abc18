#ifndef STIPPLE_EVENTSTORE_ERRORS_H_
#define STIPPLE_EVENTSTORE_ERRORS_H_

// Typed errors that callers act on, carried as absl::Status payloads.

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "eventstore/event.h"

namespace stipple::eventstore {

struct WrongExpectedVersion {
  std::string stream;
  StreamVersion actual_version = 0;  // 0: the stream does not exist.
};

// ABORTED, naming the stream, what was expected and what is there; the actual version rides in a
// payload so callers need not parse the message.
absl::Status WrongExpectedVersionError(const std::string& stream, const ExpectedVersion& expected,
                                       StreamVersion actual);

// The conflict carried by a status from WrongExpectedVersionError, or nullopt for any other status.
std::optional<WrongExpectedVersion> WrongExpectedVersionFromStatus(const absl::Status& status);

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_ERRORS_H_
