#ifndef STIPPLE_PROJECTIONS_PROJECTION_H_
#define STIPPLE_PROJECTIONS_PROJECTION_H_

// A projection folds events into its read model. It keeps no state of its own: everything it
// knows is in the model, read and written through a ModelWriter, so the runner can apply a batch of
// events and write its changes with the new checkpoint in one atomic RocksDB write. (A memo that
// only speeds look-ups up is held by the ModelWriter's cache: see ModelWriter::memo.)

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "eventstore/event.h"
#include "google/protobuf/message_lite.h"
#include "projections/deterministic_bytes.h"
#include "projections/model_cache.h"
#include "projections/read_model_db.h"

namespace stipple::projections {

// Keys from 0xFF on are the runner's (checkpoint); projections use printable prefixes.
inline constexpr char kCheckpointKey[] =
    "\xff"
    "checkpoint";

// Reads see the model as it will be after this batch; writes land with the batch. Both go
// through the runner's cache of the generation.
class ModelWriter {
 public:
  ModelWriter(const Generation& generation, ModelCache& cache)
      : generation_(generation), cache_(cache) {}

  absl::StatusOr<std::optional<std::string>> Get(const std::string& key);
  void Put(const std::string& key, std::string value) { cache_.Change(key, std::move(value)); }
  // For an entry the projection never reads back nor writes again (a history line): never looked
  // up, and not kept in memory once written. Both are copied.
  void PutWriteOnly(std::string_view key, std::string_view value) {
    cache_.AddWriteOnly(key, value);
  }
  void Delete(const std::string& key) { cache_.Change(key, std::nullopt); }

  // Proto helpers. Get: false when absent; DATA_LOSS when the stored bytes do not parse.
  template <typename Message>
  absl::StatusOr<bool> GetProto(const std::string& key, Message* message) {
    absl::StatusOr<const std::optional<std::string>*> stored = Lookup(key);
    if (!stored.ok()) return stored.status();
    const std::optional<std::string>& value = **stored;
    if (!value.has_value()) return false;
    if (!message->ParseFromString(*value)) {
      return absl::DataLossError("read model entry " + key + " does not parse");
    }
    return true;
  }
  template <typename Message>
  void PutProto(const std::string& key, const Message& message) {
    Put(key, DeterministicBytes(message));
  }

  // The entry at `key` to change in place, held decoded in the cache (see ModelCache::Decoded),
  // for entries many events update (a client's summary, report counters): decoded and encoded
  // once per write, not once per event. An absent entry is created empty. A key is always read
  // as the same `Message` type. The pointer is valid until the entry's decoded form ends: when the
  // changes are listed for a write, when the cache is cleared after a failure, or once the key is
  // also read or written with Get/Put/Delete (a memo made before is then empty again; see memo()).
  // `implied`, when given, lists the keys the entry implies (its index keys: see
  // ModelCache::ImpliedKeys), which the model then keeps in step with it; such an entry is never
  // Put or Deleted.
  template <typename Message>
  absl::StatusOr<Message*> Mutable(const std::string& key,
                                   ModelCache::ImpliedKeys implied = nullptr) {
    return MutableEntry<Message>(key, /*create=*/true, implied);
  }
  // The same, but null for an absent entry (and nothing changes).
  template <typename Message>
  absl::StatusOr<Message*> MutableIfPresent(const std::string& key,
                                            ModelCache::ImpliedKeys implied = nullptr) {
    return MutableEntry<Message>(key, /*create=*/false, implied);
  }

  // A projection's memo: what it keeps across the events of a fold to find entries faster —
  // pointers to entries held decoded (Mutable), keys built for them — and never needs: folding with
  // an empty memo must give the same model. It starts empty, and empty again once an entry held
  // decoded may have been encoded or dropped (a write, Get/Put/Delete of its key, a failure), so
  // the pointers it holds stay valid. A reference to it is valid until the next call. One type of
  // memo per projection. Not shared between generations, unlike the projection (a rebuild folds
  // beside the live follower).
  template <typename Memo>
  Memo& memo() {
    return cache_.memo<Memo>();
  }

 private:
  // The entry of `key` as the cache holds it (read into it first if need be): valid until the
  // cache next changes. Get copies it; GetProto parses it in place.
  absl::StatusOr<const std::optional<std::string>*> Lookup(const std::string& key);

  template <typename Message>
  absl::StatusOr<Message*> MutableEntry(const std::string& key, bool create,
                                        ModelCache::ImpliedKeys implied) {
    if (google::protobuf::MessageLite* held = cache_.Decoded(key)) {
      return static_cast<Message*>(held);
    }
    auto message = std::make_unique<Message>();
    absl::StatusOr<bool> found = GetProto(key, message.get());
    if (!found.ok()) return found.status();
    if (!*found && !create) return nullptr;
    return static_cast<Message*>(
        cache_.HoldDecoded(key, std::move(message), implied, /*new_entry=*/!*found));
  }

  const Generation& generation_;
  ModelCache& cache_;
};

class Projection {
 public:
  virtual ~Projection() = default;
  // Stable: names the column families and appears in status reports.
  virtual std::string name() const = 0;
  // Adds what `event` changes to the model. Unknown event types change nothing.
  virtual absl::Status Apply(const eventstore::RecordedEvent& event, ModelWriter& model) = 0;
};

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_PROJECTION_H_
