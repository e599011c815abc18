#include "eventstore/append_validation.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "eventstore/keys.h"

namespace stipple::eventstore {
namespace {

absl::Status CheckField(const std::string& where, const char* field, const std::string& value,
                        size_t max_bytes, bool required) {
  if (required && value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, field, ": must not be empty"));
  }
  if (value.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, field, ": ", value.size(), " bytes exceeds the limit of ", max_bytes));
  }
  return absl::OkStatus();
}

}  // namespace

size_t ApproximateSize(const ProposedEvent& event) {
  const EventMetadata& m = event.metadata;
  return 64 + event.event_id.size() + event.type.size() + event.payload.size() + m.actor.size() +
         m.location.size() + m.correlation_id.size() + m.causation_id.size();
}

absl::Status ValidateStreamName(const std::string& stream) {
  if (absl::Status s = CheckField("", "stream", stream, kMaxStreamNameBytes, true); !s.ok()) {
    return s;
  }
  if (stream.find(kStreamKeySeparator) != std::string::npos) {
    return absl::InvalidArgumentError("stream: must not contain a NUL byte");
  }
  return absl::OkStatus();
}

absl::Status ValidateAppend(const std::vector<StreamAppend>& parts) {
  if (parts.empty()) return absl::InvalidArgumentError("append: no streams given");
  absl::flat_hash_set<std::string> streams;
  absl::flat_hash_set<std::string> event_ids;
  size_t event_count = 0;
  size_t total_bytes = 0;
  for (size_t p = 0; p < parts.size(); ++p) {
    const StreamAppend& part = parts[p];
    std::string where = absl::StrCat("streams[", p, "].");
    if (absl::Status s = ValidateStreamName(part.stream); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, s.message()));
    }
    if (!streams.insert(part.stream).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "stream: '", part.stream, "' appears more than once"));
    }
    if (part.events.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "events: must not be empty"));
    }
    for (size_t e = 0; e < part.events.size(); ++e) {
      const ProposedEvent& event = part.events[e];
      std::string at = absl::StrCat(where, "events[", e, "].");
      const EventMetadata& m = event.metadata;
      for (absl::Status s : {
               CheckField(at, "event_id", event.event_id, kMaxEventIdBytes, true),
               CheckField(at, "type", event.type, kMaxEventTypeBytes, true),
               CheckField(at, "payload", event.payload, kMaxPayloadBytes, false),
               CheckField(at, "metadata.actor", m.actor, kMaxMetadataFieldBytes, false),
               CheckField(at, "metadata.location", m.location, kMaxMetadataFieldBytes, false),
               CheckField(at, "metadata.correlation_id", m.correlation_id, kMaxMetadataFieldBytes,
                          false),
               CheckField(at, "metadata.causation_id", m.causation_id, kMaxMetadataFieldBytes,
                          false),
           }) {
        if (!s.ok()) return s;
      }
      if (!event_ids.insert(event.event_id).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(at, "event_id: '", event.event_id, "' appears more than once"));
      }
      ++event_count;
      total_bytes += ApproximateSize(event);
    }
  }
  if (event_count > kMaxEventsPerAppend) {
    return absl::InvalidArgumentError(absl::StrCat(
        "append: ", event_count, " events exceeds the limit of ", kMaxEventsPerAppend));
  }
  if (total_bytes > kMaxAppendBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("append: ", total_bytes, " bytes exceeds the limit of ", kMaxAppendBytes));
  }
  return absl::OkStatus();
}

}  // namespace stipple::eventstore
