#include "eventstore/record_codec.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "eventstore/keys.h"

namespace stipple::eventstore {
namespace {

void PutString(const std::string& value, std::string* out) {
  *out += EncodeU32(static_cast<uint32_t>(value.size()));
  *out += value;
}

// Reads fields in order from a canonical record, remembering the first thing that went wrong.
class RecordReader {
 public:
  explicit RecordReader(std::string_view bytes) : bytes_(bytes) {}

  bool ok() const { return ok_; }
  bool AtEnd() const { return offset_ == bytes_.size(); }

  uint8_t U8() {
    if (!Need(1)) return 0;
    return static_cast<uint8_t>(bytes_[offset_++]);
  }
  uint32_t U32() {
    if (!Need(4)) return 0;
    uint32_t value = DecodeU32(bytes_.data() + offset_);
    offset_ += 4;
    return value;
  }
  uint64_t U64() {
    if (!Need(8)) return 0;
    uint64_t value = DecodeU64(bytes_.data() + offset_);
    offset_ += 8;
    return value;
  }
  std::string String() {
    uint32_t size = U32();
    if (!Need(size)) return std::string();
    std::string value(bytes_.substr(offset_, size));
    offset_ += size;
    return value;
  }

 private:
  bool Need(size_t count) {
    if (!ok_ || bytes_.size() - offset_ < count) ok_ = false;
    return ok_;
  }
  const std::string_view bytes_;
  size_t offset_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string EncodeCanonical(const RecordedEvent& event) {
  std::string out;
  out.reserve(64 + event.payload.size() + event.event_id.size() + event.stream.size() +
              event.type.size());
  out.push_back(static_cast<char>(kRecordFormat));
  out += EncodeU64(event.position);
  out += EncodeU64(event.stream_version);
  out += EncodeU64(static_cast<uint64_t>(absl::ToUnixMicros(event.recorded_at)));
  out += EncodeU32(event.metadata.schema_version);
  PutString(event.event_id, &out);
  PutString(event.stream, &out);
  PutString(event.type, &out);
  PutString(event.metadata.actor, &out);
  PutString(event.metadata.location, &out);
  PutString(event.metadata.correlation_id, &out);
  PutString(event.metadata.causation_id, &out);
  PutString(event.payload, &out);
  return out;
}

std::string EncodeStoredRecord(const RecordedEvent& event) {
  std::string out = EncodeCanonical(event);
  out.append(reinterpret_cast<const char*>(event.hash.data()), event.hash.size());
  return out;
}

absl::StatusOr<std::string_view> CanonicalPart(std::string_view value) {
  if (value.size() < sizeof(EventHash)) {
    return absl::DataLossError(
        absl::StrCat("event record of ", value.size(), " bytes is shorter than its hash"));
  }
  return value.substr(0, value.size() - sizeof(EventHash));
}

absl::StatusOr<RecordedEvent> DecodeStoredRecord(std::string_view value) {
  absl::StatusOr<std::string_view> canonical = CanonicalPart(value);
  if (!canonical.ok()) return canonical.status();
  RecordReader reader(*canonical);
  RecordedEvent event;
  uint8_t format = reader.U8();
  if (reader.ok() && format != kRecordFormat) {
    return absl::DataLossError(absl::StrCat("unknown event record format ", format));
  }
  event.position = reader.U64();
  event.stream_version = reader.U64();
  event.recorded_at = absl::FromUnixMicros(static_cast<int64_t>(reader.U64()));
  event.metadata.schema_version = reader.U32();
  event.event_id = reader.String();
  event.stream = reader.String();
  event.type = reader.String();
  event.metadata.actor = reader.String();
  event.metadata.location = reader.String();
  event.metadata.correlation_id = reader.String();
  event.metadata.causation_id = reader.String();
  event.payload = reader.String();
  if (!reader.ok()) return absl::DataLossError("event record is truncated");
  if (!reader.AtEnd()) return absl::DataLossError("event record has trailing bytes");
  std::copy(value.end() - sizeof(EventHash), value.end(), event.hash.begin());
  return event;
}

}  // namespace stipple::eventstore
