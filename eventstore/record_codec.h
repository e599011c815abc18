#ifndef STIPPLE_EVENTSTORE_RECORD_CODEC_H_
#define STIPPLE_EVENTSTORE_RECORD_CODEC_H_

// Encodes an event record in the fixed layout of FORMAT.md. The layout is canonical (one event has
// exactly one encoding), so the hash chain can be recomputed from the stored bytes.

#include <string>
#include <string_view>

#include "absl/base/attributes.h"
#include "absl/status/statusor.h"
#include "eventstore/event.h"

namespace stipple::eventstore {

inline constexpr uint8_t kRecordFormat = 1;

// The canonical bytes of `event`: every field except `hash`.
std::string EncodeCanonical(const RecordedEvent& event);

// The stored value: canonical bytes followed by the 32-byte chain hash.
std::string EncodeStoredRecord(const RecordedEvent& event);

// Splits a stored value into its canonical bytes and hash and decodes it. DATA_LOSS when the value
// is truncated, has trailing bytes or an unknown record format. Reads `value` in place: only the
// fields are copied.
absl::StatusOr<RecordedEvent> DecodeStoredRecord(std::string_view value);

// The canonical part of a stored value (without decoding it), a view into `value`. DATA_LOSS if
// shorter than a hash.
absl::StatusOr<std::string_view> CanonicalPart(
    std::string_view value ABSL_ATTRIBUTE_LIFETIME_BOUND);

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_RECORD_CODEC_H_
