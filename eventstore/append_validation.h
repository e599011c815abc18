#ifndef STIPPLE_EVENTSTORE_APPEND_VALIDATION_H_
#define STIPPLE_EVENTSTORE_APPEND_VALIDATION_H_

// Shape checks every backend applies before an append touches storage.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "eventstore/event.h"

namespace stipple::eventstore {

inline constexpr size_t kMaxStreamNameBytes = 256;
inline constexpr size_t kMaxEventIdBytes = 128;
inline constexpr size_t kMaxEventTypeBytes = 256;
inline constexpr size_t kMaxMetadataFieldBytes = 1024;
inline constexpr size_t kMaxPayloadBytes = 1 << 20;
inline constexpr size_t kMaxEventsPerAppend = 1000;
inline constexpr size_t kMaxAppendBytes = 8 << 20;

// INVALID_ARGUMENT naming the part, event and field at fault, or OK.
absl::Status ValidateAppend(const std::vector<StreamAppend>& parts);

// INVALID_ARGUMENT unless `stream` is a usable stream name.
absl::Status ValidateStreamName(const std::string& stream);

// The bytes an event adds to a write, for batching limits.
size_t ApproximateSize(const ProposedEvent& event);

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_APPEND_VALIDATION_H_
