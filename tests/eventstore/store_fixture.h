#ifndef STIPPLE_TESTS_EVENTSTORE_STORE_FIXTURE_H_
#define STIPPLE_TESTS_EVENTSTORE_STORE_FIXTURE_H_

// Shared helpers for event store tests: a temporary directory and proposed events.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "eventstore/keys.h"
#include "eventstore/rocksdb_event_store.h"
#include "rocksdb/db.h"

namespace stipple::eventstore::testing {

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "stipple-test-XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    if (made == nullptr) std::abort();
    path_ = made;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The store's column families, for opening its database with RocksDB directly (the store closed):
// the meta family first, the log's second (with `log_options`).
inline std::vector<rocksdb::ColumnFamilyDescriptor> StoreColumnFamilies(
    rocksdb::ColumnFamilyOptions log_options = {}) {
  return {{kMetaColumnFamily, {}},
          {kEventsColumnFamily, log_options},
          {kStreamsColumnFamily, {}},
          {kStreamIndexColumnFamily, {}},
          {kEventIdsColumnFamily, {}}};
}

inline ProposedEvent Event(std::string id, std::string type = "Thing.Happened",
                           std::string payload = "payload") {
  ProposedEvent event;
  event.event_id = std::move(id);
  event.type = std::move(type);
  event.payload = std::move(payload);
  event.metadata.actor = "artist-1";
  event.metadata.location = "location-1";
  event.metadata.correlation_id = "corr-1";
  event.metadata.causation_id = "cause-1";
  return event;
}

inline StreamAppend Part(std::string stream, ExpectedVersion expected,
                         std::vector<ProposedEvent> events) {
  return StreamAppend{std::move(stream), expected, std::move(events)};
}

// A test fixture owning a store in a temporary directory, which it can close and reopen.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    options_.path = dir_.path() + "/db";
    auto opened = RocksDbEventStore::Open(options_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }

  std::string db_path() const { return dir_.path() + "/db"; }
  // The store through its interface, as the rest of Stipple sees it.
  EventStore& events() { return *store_; }

  TempDir dir_;
  RocksDbEventStoreOptions options_;  // Used by the next Reopen().
  std::unique_ptr<RocksDbEventStore> store_;
};

}  // namespace stipple::eventstore::testing

#endif  // STIPPLE_TESTS_EVENTSTORE_STORE_FIXTURE_H_
