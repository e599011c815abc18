// A failed WAL write or sync stops appends for good, is never acknowledged, and leaves reads
// working.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/eventstore/store_fixture.h"

namespace stipple::eventstore {
namespace {

using testing::Event;
using testing::Part;
using testing::TempDir;

// Fails appends and syncs of write-ahead-log files while `failing` is set, like a disk gone bad,
// or while `full` is set, like a disk out of space.
class FailingWalFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FailingWalFileSystem(std::shared_ptr<rocksdb::FileSystem> target)
      : FileSystemWrapper(std::move(target)) {}
  const char* Name() const override { return "FailingWalFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, debug);
    if (s.ok() && absl::EndsWith(name, ".log")) {
      *result = std::make_unique<WalFile>(std::move(*result), failing, full);
    }
    return s;
  }

  std::atomic<bool> failing{false};
  std::atomic<bool> full{false};

 private:
  class WalFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    WalFile(std::unique_ptr<rocksdb::FSWritableFile> file, const std::atomic<bool>& failing,
            const std::atomic<bool>& full)
        : FSWritableFileOwnerWrapper(std::move(file)), failing_(failing), full_(full) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (failing_) return rocksdb::IOStatus::IOError("injected write failure");
      if (full_) return rocksdb::IOStatus::NoSpace("injected full disk");
      return FSWritableFileOwnerWrapper::Append(data, options, debug);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
      if (failing_) return rocksdb::IOStatus::IOError("injected sync failure");
      return FSWritableFileOwnerWrapper::Sync(options, debug);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* debug) override {
      if (failing_) return rocksdb::IOStatus::IOError("injected sync failure");
      return FSWritableFileOwnerWrapper::Fsync(options, debug);
    }

   private:
    const std::atomic<bool>& failing_;
    const std::atomic<bool>& full_;
  };
};

// A store whose write-ahead log fails on demand (file_system_).
class WriteFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.path = dir_.path();
    options_.env = env_.get();
    auto opened = RocksDbEventStore::Open(options_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }

  TempDir dir_;
  std::shared_ptr<FailingWalFileSystem> file_system_ =
      std::make_shared<FailingWalFileSystem>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env_ = rocksdb::NewCompositeEnv(file_system_);
  RocksDbEventStoreOptions options_;
  std::unique_ptr<RocksDbEventStore> store_;
};

TEST_F(WriteFailureTest, FailedSyncStopsAppendsButNotReads) {
  ASSERT_TRUE(store_->Append(Part("client-1", ExpectedVersion::Any(), {Event("kept")})).ok());
  file_system_->failing = true;
  auto failed = store_->Append(Part("client-1", ExpectedVersion::Any(), {Event("lost")}));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(failed.status().message()), ::testing::HasSubstr("injected"));

  // Even with the disk healthy again, the store does not pretend it knows what reached it.
  file_system_->failing = false;
  auto after = store_->Append(Part("client-2", ExpectedVersion::Any(), {Event("later")}));
  EXPECT_EQ(after.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(store_->WriteHealth().ok());

  auto read = store_->ReadStream("client-1", 1, ReadDirection::kForwards, 10);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_GE(read->events.size(), 1u);
  EXPECT_EQ(read->events[0].event_id, "kept");
  EXPECT_EQ(store_->HeadPosition(), 1u);

  // After a restart the acknowledged event is there and the chain verifies.
  store_.reset();
  options_.env = nullptr;
  auto reopened = RocksDbEventStore::Open(options_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto report = (*reopened)->Verify(1, (*reopened)->HeadPosition());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->reason;
  auto kept = (*reopened)->ReadStream("client-1", 1, ReadDirection::kForwards, 10);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->events[0].event_id, "kept");
  EXPECT_TRUE((*reopened)->Append(Part("client-2", ExpectedVersion::Any(), {Event("later")})).ok());
}

// The store remembers the stream versions it wrote; an append refused for a full disk must leave
// no trace there, or the stream's next append would be checked against a version never written.
TEST_F(WriteFailureTest, AnAppendRefusedForAFullDiskLeavesStreamVersionsAsTheyWere) {
  ASSERT_TRUE(store_->Append(Part("client-1", ExpectedVersion::NoStream(), {Event("kept")})).ok());
  file_system_->full = true;
  auto refused = store_->Append(Part("client-1", ExpectedVersion::Exactly(1), {Event("refused")}));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();

  // Space is back: writes resume without a restart (RocksDB may still be busy recovering for a
  // moment, so retry as a client would), from version 1.
  file_system_->full = false;
  absl::StatusOr<StreamAppendResult> resumed;
  for (int attempt = 0; attempt < 100; ++attempt) {
    resumed = store_->Append(Part("client-1", ExpectedVersion::Exactly(1), {Event("after")}));
    if (resumed.status().code() != absl::StatusCode::kResourceExhausted) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->new_version, 2u);
  EXPECT_EQ(store_->HeadPosition(), 2u);
  auto stale = store_->Append(Part("client-1", ExpectedVersion::Exactly(1), {Event("stale")}));
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted) << stale.status();
}

}  // namespace
}  // namespace stipple::eventstore
