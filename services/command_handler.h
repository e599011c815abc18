#ifndef STIPPLE_SERVICES_COMMAND_HANDLER_H_
#define STIPPLE_SERVICES_COMMAND_HANDLER_H_

// The one path that writes the log: load the streams a command reads, let the domain decide,
// append what it decided with the versions that were loaded. A version conflict means someone
// else wrote in between: reload and decide again, a bounded number of times.
//
// Idempotency: the events of a command get ids "<request_id>/<k>". A retried request finds its
// first event and returns the original result without deciding again.

#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "eventstore/event_store.h"
#include "services/aggregate_cache.h"
#include "services/domain/history.h"

namespace stipple::services {

// Who issues a command, from where, and why; recorded on each event it produces.
struct CommandContext {
  std::string request_id;
  std::string actor;
  std::string location_id;
  std::string correlation_id;  // Defaults to request_id.
  // A digest of the whole request. Recorded with the events (causation "<request_id>@<digest>"),
  // so reusing a request id for a different request is refused rather than answered with the
  // first request's result. Empty: not checked.
  std::string request_digest;
  // What ContextOf found wrong with the request's shape (see request_shape.h); Handle refuses
  // the command with it before reading or writing anything.
  absl::Status request_shape;
};

struct EncodedEvent {
  std::string type;
  std::string payload;
};

// Events the decision writes to one stream.
struct StreamWrite {
  std::string stream;
  std::vector<EncodedEvent> events;
};

// The result reported to the caller: the first written stream's new version and the position of
// the last event written.
struct CommandOutcome {
  std::string stream;
  eventstore::StreamVersion stream_version = 0;
  eventstore::GlobalPosition position = 0;
  // The payloads the command wrote to `stream`, so a retried request can answer as the first did.
  std::vector<std::string> payloads;
};

// Reads streams for one decision, remembering the version of each. Appends then expect exactly
// those versions, so a decision never lands on state it did not see.
class StreamReader {
 public:
  // `cache` (optional) holds folded states across commands. `now`: the server's time as the
  // decision starts, which ReadFolded's `forget` judges states by.
  StreamReader(eventstore::EventStore& store, AggregateCache* cache, absl::Time now)
      : store_(store), cache_(cache), now_(now) {}

  // The stream's events, oldest first (empty for a stream that does not exist). The pointer stays
  // valid for the reader's lifetime.
  absl::StatusOr<const domain::History*> Read(const std::string& stream);

  // The stream folded with `evolve` (payloads parsed as Wrapper): the cached state and the events
  // after it. DATA_LOSS when a payload does not parse. `forget` (optional), given the reader's
  // `now`, drops from a newly folded state what later decisions do not need, before the decision
  // and the cache get it: a long stream's state then does not grow with its history (each
  // command that appends to it copies it).
  template <typename State, typename Wrapper>
  absl::StatusOr<std::shared_ptr<const State>> ReadFolded(
      const std::string& stream, void (*evolve)(State&, const Wrapper&, const std::string&),
      void (*forget)(State&, absl::Time now) = nullptr);

  // The version each read stream was at (0: did not exist).
  const absl::flat_hash_map<std::string, eventstore::StreamVersion>& versions() const {
    return versions_;
  }

 private:
  friend class CommandHandler;

  // The decision's `events` were appended to `stream`, which it read at versions()'s version,
  // making it `new_version`: a stream it folded is cached with them folded in, so the next
  // command on it finds the cache current and reads no events. Only the handler calls this,
  // after its append: deciders must not put in the cache what the log does not hold.
  void Appended(const std::string& stream, const std::vector<eventstore::ProposedEvent>& events,
                eventstore::StreamVersion new_version);

  // Appends the stream's events after version `after` to `history`; returns the last version
  // read (`after` when there are none).
  absl::StatusOr<eventstore::StreamVersion> ReadAfter(const std::string& stream,
                                                      eventstore::StreamVersion after,
                                                      domain::History& history);

  eventstore::EventStore& store_;
  AggregateCache* const cache_;
  const absl::Time now_;
  absl::node_hash_map<std::string, domain::History> histories_;  // Stable addresses.
  absl::flat_hash_map<std::string, std::shared_ptr<const void>> folded_;
  absl::flat_hash_map<std::string, eventstore::StreamVersion> versions_;
  // By folded stream: folds appended events into the state the decision saw and caches it.
  using CacheAfterAppend =
      std::function<void(const domain::History& appended, eventstore::StreamVersion version)>;
  absl::flat_hash_map<std::string, CacheAfterAppend> cache_after_append_;
};

// Decides from the streams it reads; the first StreamWrite names the stream the caller asked
// about.
using Decider = std::function<absl::StatusOr<std::vector<StreamWrite>>(StreamReader&)>;

class CommandHandler {
 public:
  static constexpr int kMaxAttempts = 5;
  // Folded states of the streams commands touched lately (a client's state is a few hundred
  // bytes; an artist's holds their bookings ahead).
  static constexpr size_t kCachedStreams = 100000;

  // `cached_streams`: how many streams' folded states are kept between commands.
  CommandHandler(eventstore::EventStore& store, std::function<absl::Time()> clock,
                 size_t cached_streams = kCachedStreams)
      : store_(store), clock_(std::move(clock)), states_(cached_streams) {}

  // Runs the command. Errors: INVALID_ARGUMENT for a bad context or what the decider says;
  // FAILED_PRECONDITION / NOT_FOUND / ALREADY_EXISTS from the decider; ABORTED when concurrent
  // writers kept changing the streams through kMaxAttempts; UNAVAILABLE / DATA_LOSS from the store.
  absl::StatusOr<CommandOutcome> Handle(const CommandContext& context, const Decider& decide);

  absl::Time Now() const { return clock_(); }

 private:
  absl::StatusOr<std::optional<CommandOutcome>> FindEarlierResult(const CommandContext& context,
                                                                  const std::string& causation);

  eventstore::EventStore& store_;
  std::function<absl::Time()> clock_;
  AggregateCache states_;
};

// A stream write of domain events (LocationEvent, ArtistEvent or ClientEvent).
template <typename Event>
StreamWrite Write(std::string stream, const std::vector<Event>& events);

}  // namespace stipple::services

#include "services/domain/event_names.h"

namespace stipple::services {

template <typename State, typename Wrapper>
absl::StatusOr<std::shared_ptr<const State>> StreamReader::ReadFolded(
    const std::string& stream, void (*evolve)(State&, const Wrapper&, const std::string&),
    void (*forget)(State&, absl::Time now)) {
  if (auto it = folded_.find(stream); it != folded_.end()) {
    return std::static_pointer_cast<const State>(it->second);
  }
  std::shared_ptr<const State> state;
  if (auto read = histories_.find(stream); read != histories_.end()) {
    // Read whole already in this decision: fold that, at the version recorded with it.
    auto folded = std::make_shared<State>();
    if (absl::Status s = domain::EvolveAll<Wrapper>(read->second, *folded, evolve); !s.ok()) {
      return s;
    }
    state = std::move(folded);
  } else {
    eventstore::StreamVersion version = 0;
    if (cache_ != nullptr) {
      if (auto cached = cache_->Find<State>(stream)) {
        version = cached->version;
        state = std::move(cached->state);
      }
    }
    if (state == nullptr) state = std::make_shared<const State>();
    domain::History newer;
    absl::StatusOr<eventstore::StreamVersion> last = ReadAfter(stream, version, newer);
    if (!last.ok()) return last.status();
    if (!newer.empty()) {
      auto next = std::make_shared<State>(*state);
      if (absl::Status s = domain::EvolveAll<Wrapper>(newer, *next, evolve); !s.ok()) return s;
      if (forget != nullptr) forget(*next, now_);
      state = std::move(next);
      if (cache_ != nullptr) cache_->Store(stream, *last, state);
    }
    versions_[stream] = *last;
  }
  folded_[stream] = state;
  if (cache_ != nullptr) {
    cache_after_append_[stream] = [cache = cache_, stream, state, evolve, forget, now = now_](
                                      const domain::History& appended,
                                      eventstore::StreamVersion version) {
      auto next = std::make_shared<State>(*state);
      // The events were just encoded from messages: they parse. Were one not to, the next
      // command would read and fold them from the log.
      if (domain::EvolveAll<Wrapper>(appended, *next, evolve).ok()) {
        if (forget != nullptr) forget(*next, now);
        cache->Store<State>(stream, version, std::move(next));
      }
    };
  }
  return state;
}

template <typename Event>
StreamWrite Write(std::string stream, const std::vector<Event>& events) {
  StreamWrite write{std::move(stream), {}};
  for (const Event& event : events) {
    write.events.push_back({domain::TypeName(event), event.SerializeAsString()});
  }
  return write;
}
}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_COMMAND_HANDLER_H_
