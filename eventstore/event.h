#ifndef STIPPLE_EVENTSTORE_EVENT_H_
#define STIPPLE_EVENTSTORE_EVENT_H_

// The event store's vocabulary: streams, versions, positions and opaque payload bytes.
// Nothing here knows what an event means.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace stipple::eventstore {

// Stream versions count events: a stream's first event has version 1, and a stream that does not
// exist yet is at version 0. Global positions also start at 1; position 0 means "before the log".
using StreamVersion = uint64_t;
using GlobalPosition = uint64_t;

// What the caller believes about a stream before appending to it.
class ExpectedVersion {
 public:
  enum class Kind { kAny, kNoStream, kStreamExists, kExact };

  static ExpectedVersion Any() { return ExpectedVersion(Kind::kAny, 0); }
  static ExpectedVersion NoStream() { return ExpectedVersion(Kind::kNoStream, 0); }
  static ExpectedVersion StreamExists() { return ExpectedVersion(Kind::kStreamExists, 0); }
  static ExpectedVersion Exactly(StreamVersion version) {
    return ExpectedVersion(Kind::kExact, version);
  }

  Kind kind() const { return kind_; }
  StreamVersion version() const { return version_; }  // Meaningful for kExact only.

  // True when a stream currently at `current` (0 = no stream) satisfies this expectation.
  bool IsSatisfiedBy(StreamVersion current) const;
  std::string ToString() const;

 private:
  ExpectedVersion(Kind kind, StreamVersion version) : kind_(kind), version_(version) {}
  Kind kind_;
  StreamVersion version_;
};

// Who, where and why: carried with every event so the log is an audit trail.
struct EventMetadata {
  std::string actor;
  std::string location;
  std::string correlation_id;
  std::string causation_id;
  uint32_t schema_version = 1;

  friend bool operator==(const EventMetadata&, const EventMetadata&) = default;
};

// An event as the caller proposes it. `event_id` is chosen by the caller and unique across the
// whole log: re-sending it makes the append idempotent.
struct ProposedEvent {
  std::string event_id;
  std::string type;
  std::string payload;
  EventMetadata metadata;
};

using EventHash = std::array<uint8_t, 32>;

// An event as stored: the proposal plus what the store assigned.
struct RecordedEvent {
  std::string event_id;
  std::string type;
  std::string stream;
  StreamVersion stream_version = 0;
  GlobalPosition position = 0;
  absl::Time recorded_at;  // The store's clock when the event was written.
  std::string payload;
  EventMetadata metadata;
  // SHA-256 over the previous event's hash and this event's canonical bytes (see FORMAT.md).
  EventHash hash{};
};

// One stream's share of an append.
struct StreamAppend {
  std::string stream;
  ExpectedVersion expected_version = ExpectedVersion::Any();
  std::vector<ProposedEvent> events;
};

struct StreamAppendResult {
  std::string stream;
  StreamVersion new_version = 0;          // The stream's version after this append.
  std::vector<GlobalPosition> positions;  // One per event, in order.
};

struct AppendResult {
  std::vector<StreamAppendResult> streams;  // One per StreamAppend, in request order.
  // The last position written (the highest of all positions above).
  GlobalPosition last_position() const;
};

enum class ReadDirection { kForwards, kBackwards };

struct StreamSlice {
  std::vector<RecordedEvent> events;
  StreamVersion stream_version = 0;  // The stream's current version (0: no such stream).
  bool end_of_stream = false;        // No more events in the read direction.
};

// Selects events of the whole log. Empty fields select everything.
struct EventFilter {
  std::string stream_prefix;
  std::vector<std::string> event_types;  // Any of these; empty = all types.

  bool Matches(const RecordedEvent& event) const;
};

struct LogSlice {
  std::vector<RecordedEvent> events;  // Matching events, in position order.
  // Where to continue reading: one past the last position examined (matching or not).
  GlobalPosition next_position = 0;
  bool end_of_log = false;  // The read reached the log's head.
};

// The result of re-computing the hash chain.
struct VerifyReport {
  bool ok = true;
  uint64_t events_checked = 0;
  GlobalPosition first_bad_position = 0;  // Set when !ok.
  std::string reason;                     // Why that position failed.
};

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_EVENT_H_
