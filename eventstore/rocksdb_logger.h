#ifndef STIPPLE_EVENTSTORE_ROCKSDB_LOGGER_H_
#define STIPPLE_EVENTSTORE_ROCKSDB_LOGGER_H_

// RocksDB's own log (warnings and errors) on standard error instead of a LOG file beside the
// data: the file would fill the same disk, and once it has failed on a full disk RocksDB's
// assertion-enabled builds (Debian's among them) abort on its next line.

#include <memory>

#include "rocksdb/env.h"

namespace stipple::eventstore {

std::shared_ptr<rocksdb::Logger> StderrRocksDbLogger();

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_ROCKSDB_LOGGER_H_
