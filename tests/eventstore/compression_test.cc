// The log's table files: LZ4 since a scan of the log measured it faster than Snappy (RESULTS.md,
// "The rebuild: the log's pages"); logs written before hold Snappy tables, which must still read
// and verify.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/table_properties.h"
#include "tests/eventstore/store_fixture.h"

namespace stipple::eventstore {
namespace {

using testing::Event;
using testing::Part;
using testing::StoreTest;

constexpr int kEvents = 300;

class CompressionTest : public StoreTest {
 protected:
  void AppendEvents() {
    for (int i = 1; i <= kEvents; ++i) {
      ASSERT_TRUE(store_
                      ->Append(Part(absl::StrCat("client-", i % 7), ExpectedVersion::Any(),
                                    {Event(absl::StrCat("e", i), "T",
                                           absl::StrCat("a compressible payload ", i % 5))}))
                      .ok());
    }
  }

  // The log family's table files' compressions; the store closed. Opening RocksDB writes what
  // the write-ahead log holds to a table file first, with `log_compression`.
  std::set<std::string> LogCompressions(rocksdb::CompressionType log_compression,
                                        bool rewrite_log) {
    rocksdb::ColumnFamilyOptions log_options;
    log_options.compression = log_compression;
    std::vector<rocksdb::ColumnFamilyDescriptor> families =
        testing::StoreColumnFamilies(log_options);
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    std::set<std::string> compressions;
    EXPECT_TRUE(rocksdb::DB::Open({}, db_path(), families, &handles, &db).ok());
    if (db == nullptr) return compressions;
    if (rewrite_log) {
      rocksdb::CompactRangeOptions compact;
      compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
      EXPECT_TRUE(db->CompactRange(compact, handles[1], nullptr, nullptr).ok());
    }
    rocksdb::TablePropertiesCollection tables;
    EXPECT_TRUE(db->GetPropertiesOfAllTables(handles[1], &tables).ok());
    for (const auto& [file, properties] : tables) compressions.insert(properties->compression_name);
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    delete db;
    return compressions;
  }

  void ExpectWholeLogReadsAndVerifies() {
    absl::StatusOr<LogSlice> slice = store_->ReadAll(1, 2 * kEvents, {});
    ASSERT_TRUE(slice.ok()) << slice.status();
    ASSERT_EQ(slice->events.size(), static_cast<size_t>(kEvents));
    for (int i = 1; i <= kEvents; ++i) {
      const RecordedEvent& event = slice->events[i - 1];
      EXPECT_EQ(event.event_id, absl::StrCat("e", i));
      EXPECT_EQ(event.payload, absl::StrCat("a compressible payload ", i % 5));
    }
    absl::StatusOr<VerifyReport> report = store_->Verify(1, store_->HeadPosition());
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok) << report->reason;
    EXPECT_EQ(report->events_checked, static_cast<uint64_t>(kEvents));
  }
};

TEST_F(CompressionTest, LogWrittenWithSnappyStillReadsAndVerifies) {
  AppendEvents();
  store_.reset();
  ASSERT_EQ(LogCompressions(rocksdb::kSnappyCompression, /*rewrite_log=*/true),
            std::set<std::string>{"Snappy"});
  Reopen();
  ExpectWholeLogReadsAndVerifies();
  store_.reset();
  EXPECT_EQ(LogCompressions(rocksdb::kNoCompression, /*rewrite_log=*/false),
            std::set<std::string>{"Snappy"})
      << "the reads above read Snappy tables";
}

TEST_F(CompressionTest, StoreWritesTheLogWithLz4) {
  AppendEvents();
  // Reopening the store writes its write-ahead log's events to a table file, with its options.
  Reopen();
  store_.reset();
  // Nothing left in the write-ahead log: no table written with these options.
  EXPECT_EQ(LogCompressions(rocksdb::kNoCompression, /*rewrite_log=*/false),
            std::set<std::string>{"LZ4"});
}

}  // namespace
}  // namespace stipple::eventstore
