#ifndef STIPPLE_SERVICES_REQUEST_SHAPE_H_
#define STIPPLE_SERVICES_REQUEST_SHAPE_H_

// Limits every command request obeys whatever its kind, checked by reflection over the whole
// message: string lengths (identifiers, short text, free-text notes), list sizes, control
// characters in identifiers, and enum values this build knows. A violation is INVALID_ARGUMENT
// naming the field path (e.g. "record.pigment.lot", "location_ids[2]").

#include <cstddef>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace stipple::services {

// Fields named *_id / *_ids; room for an event id ("<request id of up to 100 bytes>/<k>").
inline constexpr size_t kMaxIdentifierBytes = 128;
// notes, *_notes, reason, corrected_value (which may correct a note).
inline constexpr size_t kMaxFreeTextBytes = 4000;
inline constexpr size_t kMaxShortTextBytes = 300;  // Every other string.
inline constexpr int kMaxRepeated = 64;

absl::Status CheckRequestShape(const google::protobuf::Message& request);

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_REQUEST_SHAPE_H_
