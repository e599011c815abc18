#ifndef STIPPLE_EVENTSTORE_EVENT_STORE_H_
#define STIPPLE_EVENTSTORE_EVENT_STORE_H_

// The event store's interface. RocksDB is the embedded default (rocksdb_event_store.h); a backend
// on a distributed engine implements the same calls.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "eventstore/event.h"

namespace stipple::eventstore {

// What a subscription hands its consumer next.
struct SubscriptionMessage {
  enum class Kind {
    kEvent,       // `event` is the next matching event.
    kCaughtUp,    // Every event up to the log's head has been delivered; live events follow.
    kFellBehind,  // The consumer was too slow for the live feed; it catches up from the log.
  };
  Kind kind = Kind::kEvent;
  // Set for kEvent. Read from the log, it shares its page's ownership (the page's events are one
  // allocation): holding it keeps the whole page (hundreds of events). A consumer that keeps
  // events for long copies them.
  std::shared_ptr<const RecordedEvent> event;
  // The highest position this subscription has examined so far (delivered or filtered out):
  // resume a later subscription after it.
  GlobalPosition checkpoint = 0;
};

// A catch-up subscription: first the log after a position, then live events, through one pull
// call. Not thread-safe except for Cancel(), which may be called from any thread.
class Subscription {
 public:
  virtual ~Subscription() = default;

  // Blocks until the next message or `timeout`. Errors:
  //   DEADLINE_EXCEEDED  nothing arrived within `timeout`; call again.
  //   CANCELLED          Cancel() was called or the store closed; every later call says so too.
  //   other              a read of the log failed (e.g. DATA_LOSS for a corrupt record).
  virtual absl::StatusOr<SubscriptionMessage> Next(absl::Duration timeout) = 0;

  // Wakes a blocked Next() and ends the subscription.
  virtual void Cancel() = 0;
};

struct SubscribeOptions {
  // Live events buffered for a consumer that has not pulled them yet. When the buffer is full the
  // subscription is told it fell behind and re-reads the log instead: writers never wait for it
  // and its memory stays bounded.
  size_t live_buffer_events = 4096;
  // Events read from the log per catch-up read.
  size_t catch_up_page_events = 256;
};

class EventStore {
 public:
  virtual ~EventStore() = default;

  // Appends `events` to `stream` if its version satisfies `expected_version`. Atomic: all events
  // are written or none. Returns once the write is durable (synced to disk). Errors:
  //   INVALID_ARGUMENT    malformed request (empty stream or id, oversized, duplicate ids, ...);
  //                       nothing written.
  //   ABORTED             wrong expected version; the status carries the stream's actual version
  //                       (WrongExpectedVersionFromStatus); nothing written.
  //   ALREADY_EXISTS      an event id is already in the log with different content, or only some
  //                       of the request's ids are; nothing written.
  //   UNAVAILABLE         the store has stopped accepting writes after a failed write or sync (the
  //                       message says why); reads still work. Nothing was acknowledged that may
  //                       not be durable.
  // Re-sending an append whose event ids were all written by one earlier append returns that
  // append's original result and writes nothing, also after a restart.
  virtual absl::StatusOr<StreamAppendResult> Append(const StreamAppend& append) = 0;

  // Appends to several streams in one atomic, durable write: every part succeeds or none does.
  // The same stream may not appear twice. Errors as for Append; a wrong expected version in any
  // part aborts the whole call and the status names that part's stream.
  virtual absl::StatusOr<AppendResult> AppendMulti(const std::vector<StreamAppend>& parts) = 0;

  // Reads up to `limit` events of `stream` starting at `from_version` (inclusive), in
  // `direction`. Backwards from kEndOfStream starts at the stream's last event. A missing stream
  // gives an empty slice with stream_version 0. Errors: INVALID_ARGUMENT (bad stream name or
  // zero limit); DATA_LOSS (a stored record does not decode).
  static constexpr StreamVersion kEndOfStream = ~StreamVersion{0};
  virtual absl::StatusOr<StreamSlice> ReadStream(const std::string& stream,
                                                 StreamVersion from_version,
                                                 ReadDirection direction, size_t limit) const = 0;

  // Reads up to `limit` events of the whole log matching `filter`, starting at `from_position`
  // (inclusive), in position order. Examines at most `limit * 64` events per call so a selective
  // filter cannot make one call unbounded; continue from LogSlice::next_position. Errors:
  // INVALID_ARGUMENT (zero limit); DATA_LOSS (a stored record does not decode).
  virtual absl::StatusOr<LogSlice> ReadAll(GlobalPosition from_position, size_t limit,
                                           const EventFilter& filter) const = 0;

  // The event with `event_id`, or nullopt when the log has none. Errors: DATA_LOSS (the record
  // does not decode); UNAVAILABLE (the underlying read failed).
  virtual absl::StatusOr<std::optional<RecordedEvent>> FindEvent(
      const std::string& event_id) const = 0;

  // The position of the last durable event (0 for an empty log).
  virtual GlobalPosition HeadPosition() const = 0;

  // Delivers every event matching `filter` with a position above `after_position`, first from the
  // log, then live. The store must outlive the subscription.
  virtual std::unique_ptr<Subscription> Subscribe(GlobalPosition after_position, EventFilter filter,
                                                  SubscribeOptions options = {}) = 0;

  // Recomputes the hash chain for positions [from, to] (to is clamped to the head) and reports the
  // first position whose stored hash, record or sequence does not match. Errors: INVALID_ARGUMENT
  // when from is 0 or from > to; an I/O error from the underlying store.
  virtual absl::StatusOr<VerifyReport> Verify(GlobalPosition from, GlobalPosition to) const = 0;
};

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_EVENT_STORE_H_
