#ifndef STIPPLE_SERVICES_AGGREGATE_CACHE_H_
#define STIPPLE_SERVICES_AGGREGATE_CACHE_H_

// Folded aggregate state by stream, with the stream version it was folded to, shared by every
// command. A command then reads only the events after the cached version instead of a whole
// stream, which grows with every booking an artist takes; after its append, it caches the state
// with its own events folded in, so the next command usually finds none to read. A stale entry
// is harmless: the command reads what came after it, and the append's expected version catches a
// writer that slipped in between.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <typeindex>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "eventstore/event.h"

namespace stipple::services {

class AggregateCache {
 public:
  // Holds at most `max_streams` states; beyond that the cache starts over (states are refolded
  // from the log on their next use).
  explicit AggregateCache(size_t max_streams) : max_streams_(max_streams) {}

  template <typename State>
  struct Folded {
    eventstore::StreamVersion version = 0;
    std::shared_ptr<const State> state;
  };

  template <typename State>
  std::optional<Folded<State>> Find(const std::string& stream) const {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(stream);
    if (it == entries_.end() || it->second.type != std::type_index(typeid(State))) {
      return std::nullopt;
    }
    return Folded<State>{it->second.version,
                         std::static_pointer_cast<const State>(it->second.state)};
  }

  // Keeps `state` unless the cache holds a later version of the stream.
  template <typename State>
  void Store(const std::string& stream, eventstore::StreamVersion version,
             std::shared_ptr<const State> state) {
    Entries dropped;  // Freed after the lock is released: commands wait on it.
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(stream);
    if (it != entries_.end() && it->second.version >= version) return;
    if (it == entries_.end() && entries_.size() >= max_streams_) dropped.swap(entries_);
    entries_.insert_or_assign(stream,
                              Entry{version, std::type_index(typeid(State)), std::move(state)});
  }

 private:
  struct Entry {
    eventstore::StreamVersion version;
    std::type_index type;
    std::shared_ptr<const void> state;
  };

  using Entries = absl::flat_hash_map<std::string, Entry>;

  const size_t max_streams_;
  mutable absl::Mutex mu_;
  Entries entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_AGGREGATE_CACHE_H_
