#ifndef STIPPLE_EVENTSTORE_ROCKSDB_STATUS_H_
#define STIPPLE_EVENTSTORE_ROCKSDB_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace stipple::eventstore {

// Maps a non-OK RocksDB status to the absl code a caller acts on: corruption → DATA_LOSS; out of
// space → RESOURCE_EXHAUSTED; I/O, busy, time-out → UNAVAILABLE; anything else → INTERNAL.
// `context` says what the store was doing.
absl::Status FromRocksDb(const rocksdb::Status& status, const std::string& context);

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_ROCKSDB_STATUS_H_
