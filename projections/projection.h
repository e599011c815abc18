#ifndef STIPPLE_PROJECTIONS_PROJECTION_H_
#define STIPPLE_PROJECTIONS_PROJECTION_H_

// A projection folds events into its read model. It keeps no state of its own: everything it
// knows is in the model, read and written through a ModelWriter, so the runner can apply a batch of
// events and write its changes with the new checkpoint in one atomic RocksDB write.

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "eventstore/event.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message_lite.h"
#include "projections/model_cache.h"
#include "projections/read_model_db.h"

namespace stipple::projections {

// Keys from 0xFF on are the runner's (checkpoint); projections use printable prefixes.
inline constexpr char kCheckpointKey[] =
    "\xff"
    "checkpoint";

// One byte string per message content: map entries in key order, so equal models store equal
// bytes (a rebuild can be compared with the live model, a report with the last one sent).
inline std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

// Reads see the model as it will be after this batch; writes land with the batch. Both go
// through the runner's cache of the generation.
class ModelWriter {
 public:
  ModelWriter(const Generation& generation, ModelCache& cache)
      : generation_(generation), cache_(cache) {}

  absl::StatusOr<std::optional<std::string>> Get(const std::string& key);
  void Put(const std::string& key, std::string value) {
    cache_.Change(key, std::move(value), /*keep=*/true);
  }
  // For an entry the projection never reads back (a history line): not kept in memory once
  // written.
  void PutWriteOnly(const std::string& key, std::string value) {
    cache_.Change(key, std::move(value), /*keep=*/false);
  }
  void Delete(const std::string& key) { cache_.Change(key, std::nullopt, /*keep=*/true); }

  // Proto helpers. Get: false when absent; DATA_LOSS when the stored bytes do not parse.
  template <typename Message>
  absl::StatusOr<bool> GetProto(const std::string& key, Message* message) {
    absl::StatusOr<std::optional<std::string>> value = Get(key);
    if (!value.ok()) return value.status();
    if (!value->has_value()) return false;
    if (!message->ParseFromString(**value)) {
      return absl::DataLossError("read model entry " + key + " does not parse");
    }
    return true;
  }
  template <typename Message>
  void PutProto(const std::string& key, const Message& message) {
    Put(key, DeterministicBytes(message));
  }

  // A message kept decoded for the rest of the batch and written once, when the batch is
  // flushed: for entries many events of a batch update (report counters). A key read this way
  // must not also be read or written with Get/Put in the same batch.
  template <typename Message>
  absl::StatusOr<Message*> Mutable(const std::string& key) {
    auto it = decoded_.find(key);
    if (it == decoded_.end()) {
      auto message = std::make_unique<Message>();
      absl::StatusOr<bool> found = GetProto(key, message.get());
      if (!found.ok()) return found.status();
      it = decoded_.emplace(key, std::move(message)).first;
    }
    return static_cast<Message*>(it->second.get());
  }

  // Writes every message taken with Mutable into the batch. The runner calls it after the batch's
  // last event.
  void Flush() {
    for (const auto& [key, message] : decoded_) Put(key, DeterministicBytes(*message));
    decoded_.clear();
  }

 private:
  const Generation& generation_;
  ModelCache& cache_;
  absl::flat_hash_map<std::string, std::unique_ptr<google::protobuf::MessageLite>> decoded_;
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
