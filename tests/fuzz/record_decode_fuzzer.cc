// Fuzzes decoding of stored event records (what the store reads back from RocksDB, and what
// Verify checks). Properties: no crash or sanitizer report; a value that decodes is canonical,
// i.e. encoding the decoded event gives back exactly the same bytes.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "eventstore/record_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string value(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<stipple::eventstore::RecordedEvent> event =
      stipple::eventstore::DecodeStoredRecord(value);
  if (!event.ok()) {
    if (event.status().code() != absl::StatusCode::kDataLoss) std::abort();
    return 0;
  }
  if (stipple::eventstore::EncodeStoredRecord(*event) != value) std::abort();
  absl::StatusOr<std::string_view> canonical = stipple::eventstore::CanonicalPart(value);
  if (!canonical.ok() || *canonical != stipple::eventstore::EncodeCanonical(*event)) std::abort();
  return 0;
}
