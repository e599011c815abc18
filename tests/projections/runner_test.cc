// The projection runner: exactly-once application across restarts, rebuilds equal to incremental
// application, lag and waiting for a position.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <optional>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "eventstore/keys.h"
#include "projections/client_summary.h"
#include "projections/projection_runner.h"
#include "projections/read_models.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/eventstore/forwarding_store.h"
#include "tests/eventstore/store_fixture.h"
#include "tests/projections/read_model_dump.h"
#include "tests/projections/workload.h"

namespace stipple::projections {
namespace {

using eventstore::testing::Event;
using eventstore::testing::Part;
using eventstore::testing::StoreTest;
using stipple::testing::Dump;

// Counts how often each position was applied; fails once at `fail_at` to simulate a crash in the
// middle of a batch.
class CountingProjection : public Projection {
 public:
  explicit CountingProjection(eventstore::GlobalPosition fail_at = 0,
                              absl::StatusCode fail_code = absl::StatusCode::kInternal)
      : fail_at_(fail_at), fail_code_(fail_code) {}
  std::string name() const override { return "counting"; }
  absl::Status Apply(const eventstore::RecordedEvent& event, ModelWriter& model) override {
    if (event.position == fail_at_) return absl::Status(fail_code_, "simulated crash");
    const std::string key = "n/" + eventstore::EncodeU64(event.position);
    absl::StatusOr<std::optional<std::string>> count = model.Get(key);
    if (!count.ok()) return count.status();
    model.Put(key, std::to_string(count->has_value() ? std::stoi(**count) + 1 : 1));
    return absl::OkStatus();
  }

 private:
  eventstore::GlobalPosition fail_at_;
  absl::StatusCode fail_code_;
};

// Fails the first time it meets `fail_at`, whichever generation is being built.
class FailOnceProjection : public CountingProjection {
 public:
  explicit FailOnceProjection(eventstore::GlobalPosition fail_at,
                              absl::StatusCode fail_code = absl::StatusCode::kInternal)
      : fail_at_(fail_at), fail_code_(fail_code) {}
  absl::Status Apply(const eventstore::RecordedEvent& event, ModelWriter& model) override {
    if (event.position == fail_at_ && !failed_.exchange(true)) {
      return absl::Status(fail_code_, "simulated failure");
    }
    return CountingProjection::Apply(event, model);
  }

 private:
  eventstore::GlobalPosition fail_at_;
  absl::StatusCode fail_code_;
  std::atomic<bool> failed_{false};
};

// Records the highest position met; the `meeting`th time it meets `pause_at` (the first
// generation to meet it is the live one), waits there until resumed.
class PausingProjection : public CountingProjection {
 public:
  PausingProjection(eventstore::GlobalPosition pause_at, int meeting)
      : pause_at_(pause_at), meeting_(meeting) {}
  absl::Status Apply(const eventstore::RecordedEvent& event, ModelWriter& model) override {
    for (eventstore::GlobalPosition seen = highest_met_;
         seen < event.position && !highest_met_.compare_exchange_weak(seen, event.position);) {
    }
    if (event.position == pause_at_ && ++met_pause_at_ == meeting_) {
      paused_.Notify();
      resume_.WaitForNotification();
    }
    return CountingProjection::Apply(event, model);
  }
  eventstore::GlobalPosition highest_met() const { return highest_met_; }
  absl::Notification& paused() { return paused_; }
  void Resume() {  // From one thread at a time.
    if (!resume_.HasBeenNotified()) resume_.Notify();
  }

 private:
  eventstore::GlobalPosition pause_at_;
  int meeting_;
  std::atomic<int> met_pause_at_{0};
  std::atomic<eventstore::GlobalPosition> highest_met_{0};
  absl::Notification paused_;
  absl::Notification resume_;
};

// Passes everything through, except that the first subscription holds back its "caught up" until
// told to deliver it: that runner stays in its catch-up while following new events.
class CaughtUpLaterStore : public eventstore::testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  void DeliverCaughtUp() {  // From one thread at a time.
    if (!deliver_caught_up_.HasBeenNotified()) deliver_caught_up_.Notify();
  }

  std::unique_ptr<eventstore::Subscription> Subscribe(
      eventstore::GlobalPosition after_position, eventstore::EventFilter filter,
      eventstore::SubscribeOptions options) override {
    auto subscription = ForwardingStore::Subscribe(after_position, std::move(filter), options);
    if (subscriptions_++ > 0) return subscription;
    return std::make_unique<HeldBack>(std::move(subscription), deliver_caught_up_);
  }

 private:
  class HeldBack : public eventstore::Subscription {
   public:
    HeldBack(std::unique_ptr<eventstore::Subscription> inner, absl::Notification& deliver)
        : inner_(std::move(inner)), deliver_(deliver) {}
    absl::StatusOr<eventstore::SubscriptionMessage> Next(absl::Duration timeout) override {
      if (held_.has_value() && deliver_.HasBeenNotified()) {
        eventstore::SubscriptionMessage message = *std::move(held_);
        held_.reset();
        return message;
      }
      absl::StatusOr<eventstore::SubscriptionMessage> message = inner_->Next(timeout);
      if (message.ok() && message->kind == eventstore::SubscriptionMessage::Kind::kCaughtUp &&
          !deliver_.HasBeenNotified()) {
        held_ = *std::move(message);
        return absl::DeadlineExceededError("caught up, held back");
      }
      return message;
    }
    void Cancel() override { inner_->Cancel(); }

   private:
    std::unique_ptr<eventstore::Subscription> inner_;
    absl::Notification& deliver_;
    std::optional<eventstore::SubscriptionMessage> held_;
  };

  std::atomic<int> subscriptions_{0};
  absl::Notification deliver_caught_up_;
};

// While `no_room` is set, refuses to create table files other than the runner's files for
// ingestion, as a disk without room would: a compaction cannot write its output, while a bulk
// fold still ingests.
class NoRoomForCompactionFileSystem : public rocksdb::FileSystemWrapper {
 public:
  NoRoomForCompactionFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "NoRoomForCompactionFileSystem"; }
  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override {
    const std::string file = std::filesystem::path(name).filename().string();
    if (no_room && absl::EndsWith(file, ".sst") && !absl::StartsWith(file, "ingest-")) {
      return rocksdb::IOStatus::NoSpace("injected: no room for " + file);
    }
    return target()->NewWritableFile(name, options, result, debug);
  }
  std::atomic<bool> no_room{true};
};

class RunnerTest : public StoreTest {
 protected:
  void AppendEvents(int count) {
    for (int i = 0; i < count; ++i) {
      ASSERT_TRUE(store_
                      ->Append(Part(absl::StrCat("s-", i % 7), eventstore::ExpectedVersion::Any(),
                                    {Event(absl::StrCat("e-", next_id_++))}))
                      .ok());
    }
  }

  void ExpectEachPositionOnce(const Generation& generation) {
    std::map<std::string, std::string> model = Dump(generation);
    for (eventstore::GlobalPosition p = 1; p <= store_->HeadPosition(); ++p) {
      auto it = model.find("n/" + eventstore::EncodeU64(p));
      ASSERT_NE(it, model.end()) << "position " << p << " was skipped";
      ASSERT_EQ(it->second, "1") << "position " << p << " was applied " << it->second << " times";
    }
  }

  int next_id_ = 0;
};

// Batches of 50 written one by one (no bulk fold), or folded in memory until caught up.
RunnerOptions PerBatchWrites() { return {.max_batch_events = 50, .bulk_bytes = 0}; }
RunnerOptions BulkFold() { return {.max_batch_events = 50}; }

TEST_F(RunnerTest, CrashInTheMiddleOfCatchUpAppliesNothingTwiceAndSkipsNothing) {
  AppendEvents(600);
  auto db = ReadModelDb::Open(dir_.path() + "/models");
  ASSERT_TRUE(db.ok());
  {
    ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>(333),
                            PerBatchWrites());
    ASSERT_TRUE(runner.Start().ok());
    // The batch holding position 333 fails: the runner stops with the batches before it written.
    for (int i = 0; i < 200 && runner.health().ok(); ++i) absl::SleepFor(absl::Milliseconds(10));
    EXPECT_FALSE(runner.health().ok());
    EXPECT_LT(runner.checkpoint(), 333u);
    EXPECT_GT(runner.checkpoint(), 0u);
  }
  // Restart (reopening the database too), then catch up the rest and follow new events.
  db->reset();
  db = ReadModelDb::Open(dir_.path() + "/models");
  ASSERT_TRUE(db.ok());
  ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>(), PerBatchWrites());
  ASSERT_TRUE(runner.Start().ok());
  AppendEvents(50);
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  ExpectEachPositionOnce(*runner.serving());
}

TEST_F(RunnerTest, CatchingUpIntoAGenerationWithEntriesWritesWhenCaughtUpNotEveryBatch) {
  // A restart with a backlog: the cache starts empty but not complete (the generation has
  // entries). It holds the folded batches all the same, up to its memory, and writes them at
  // once, as one table file instead of one per batch.
  const RunnerOptions small_batches = {.max_batch_events = 10};
  AppendEvents(100);
  const eventstore::GlobalPosition first = store_->HeadPosition();
  auto db = ReadModelDb::Open(dir_.path() + "/models");
  ASSERT_TRUE(db.ok());
  {
    ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>(), small_batches);
    ASSERT_TRUE(runner.Start().ok());
    ASSERT_TRUE(runner.WaitFor(first, absl::Now() + absl::Seconds(60)).ok());
  }
  AppendEvents(600);
  auto owned = std::make_unique<PausingProjection>(first + 550, /*meeting=*/1);
  PausingProjection& projection = *owned;
  ProjectionRunner runner(*store_, **db, std::move(owned), small_batches);
  absl::Cleanup release = [&] { projection.Resume(); };
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(projection.paused().WaitForNotificationWithTimeout(absl::Seconds(60)));
  EXPECT_EQ(runner.checkpoint(), first);  // 55 batches folded, none written yet.
  projection.Resume();
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  ExpectEachPositionOnce(*runner.serving());
}

TEST_F(RunnerTest, ACatchUpThatWroteSeveralTableFilesIsCompactedOnceCaughtUp) {
  AppendEvents(300);
  // A bulk fold that outgrows its memory a few times: a table file per cache-full, each
  // spanning the key range, so they overlap.
  RunnerOptions spilling = {
      .max_batch_events = 13, .bulk_bytes = 12 << 10, .ingest_from_changes = 1};
  auto fold = [&](int compact_after_table_files, const std::string& path) {
    spilling.compact_after_table_files = compact_after_table_files;
    auto db = ReadModelDb::Open(path);
    if (!db.ok()) {
      ADD_FAILURE() << db.status();
      return std::string();
    }
    ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>(), spilling);
    EXPECT_TRUE(runner.Start().ok());
    EXPECT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
    for (int i = 0; i < 6000 && runner.compacting(); ++i) absl::SleepFor(absl::Milliseconds(10));
    EXPECT_FALSE(runner.compacting());
    EXPECT_TRUE(runner.compaction_failure().ok()) << runner.compaction_failure();
    ExpectEachPositionOnce(*runner.serving());
    return runner.serving()->FilesByLevel();
  };
  const std::string as_folded = fold(0, dir_.path() + "/as_folded");
  const std::string compacted = fold(2, dir_.path() + "/compacted");
  // Ingestion puts each file in the deepest level it does not overlap: one level per file.
  EXPECT_THAT(as_folded, ::testing::HasSubstr(" ")) << as_folded;
  // One file in the last level: a look-up checks one file, not one per level.
  EXPECT_EQ(compacted, "6:1");
}

// One history-like line per event, written once and never read back: 8 KiB each.
class LineProjection : public Projection {
 public:
  std::string name() const override { return "lines"; }
  absl::Status Apply(const eventstore::RecordedEvent& event, ModelWriter& model) override {
    model.PutWriteOnly("line/" + eventstore::EncodeU64(event.position),
                       std::string(8 << 10, static_cast<char>('a' + event.position % 26)));
    return absl::OkStatus();
  }
};

// The table files of a generation, from Generation::FilesByLevel ("level:files ...").
int TableFiles(const std::string& files_by_level) {
  int files = 0;
  for (absl::string_view level : absl::StrSplit(files_by_level, ' ', absl::SkipEmpty())) {
    int count = 0;
    EXPECT_TRUE(absl::SimpleAtoi(level.substr(level.find(':') + 1), &count)) << files_by_level;
    files += count;
  }
  return files;
}

TEST_F(RunnerTest, ACatchUpWritesWriteOnlyEntriesOnceTheyReachTheirOwnBudgetForItsFirstWrites) {
  AppendEvents(600);  // 4.7 MiB of lines.
  auto fold = [&](size_t write_only_bytes, int write_only_writes, const std::string& path) {
    const RunnerOptions options = {.max_batch_events = 13,
                                   .write_only_bytes = write_only_bytes,
                                   .write_only_writes = write_only_writes,
                                   .ingest_from_changes = 1,
                                   .compact_after_table_files = 0};
    auto db = ReadModelDb::Open(path);
    if (!db.ok()) {
      ADD_FAILURE() << db.status();
      return std::string();
    }
    ProjectionRunner runner(*store_, **db, std::make_unique<LineProjection>(), options);
    EXPECT_TRUE(runner.Start().ok());
    EXPECT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
    std::map<std::string, std::string> model = Dump(*runner.serving());
    for (eventstore::GlobalPosition p = 1; p <= store_->HeadPosition(); ++p) {
      auto line = model.find("line/" + eventstore::EncodeU64(p));
      EXPECT_TRUE(line != model.end() && line->second.size() == 8 << 10) << "line " << p;
    }
    return runner.serving()->FilesByLevel();
  };
  // The cache's budget (128 MiB) holds every line: one table file.
  EXPECT_EQ(fold(32 << 20, 8, dir_.path() + "/held"), "6:1");
  // Written every 2 MiB or so: overlapping files, a level each.
  EXPECT_GE(TableFiles(fold(2 << 20, 8, dir_.path() + "/written")), 3);
  // Only the first write comes early; the rest of the lines wait until the fold is caught up.
  EXPECT_EQ(TableFiles(fold(2 << 20, 1, dir_.path() + "/capped")), 2);
}

// The read models' database on `file_system`, and the Env it needs for as long as it is open.
std::pair<std::unique_ptr<rocksdb::Env>, absl::StatusOr<std::unique_ptr<ReadModelDb>>> OpenModelsOn(
    const std::shared_ptr<rocksdb::FileSystem>& file_system, const std::string& path) {
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(file_system);
  auto db = ReadModelDb::Open(path, env.get());
  return {std::move(env), std::move(db)};
}

// Catch-ups that ingest table files (bulk writes) and compact after them; live batches (13
// changes) go through the memtable.
RunnerOptions CompactingOptions(absl::Duration compaction_retry_interval) {
  return {.max_batch_events = 13,
          .bulk_bytes = 12 << 10,
          .ingest_from_changes = 20,
          .compact_after_table_files = 2,
          .compaction_retry_interval = compaction_retry_interval};
}

// A catch-up whose compaction finds no room for its output: the failure is reported, and the
// model serves every event once, uncompacted.
void ExpectCompactionFailedAfterCatchUp(ProjectionRunner& runner, const Generation& serving) {
  for (int i = 0; i < 6000 && (runner.compacting() || runner.compaction_failure().ok()); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  const absl::Status failure = runner.compaction_failure();
  EXPECT_EQ(failure.code(), absl::StatusCode::kResourceExhausted) << failure;
  EXPECT_THAT(std::string(failure.message()), ::testing::HasSubstr("compacting counting#"));
  EXPECT_THAT(std::string(failure.message()), ::testing::HasSubstr("injected: no room"));
  EXPECT_THAT(serving.FilesByLevel(), ::testing::HasSubstr(" "));  // Overlapping files.
}

TEST_F(RunnerTest, ACompactionThatFailsIsReportedAndTheModelServesUncompacted) {
  AppendEvents(300);
  auto file_system = std::make_shared<NoRoomForCompactionFileSystem>();
  auto [env, db] = OpenModelsOn(file_system, dir_.path() + "/models");
  ASSERT_TRUE(db.ok()) << db.status();
  ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>(),
                          CompactingOptions(/*compaction_retry_interval=*/absl::Hours(1)));
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  ExpectCompactionFailedAfterCatchUp(runner, *runner.serving());
  ExpectEachPositionOnce(*runner.serving());

  // With room again, the runner follows the log; before the retry interval has passed, the
  // failure stays reported while its generation serves, and a rebuild's compacted generation
  // ends it.
  file_system->no_room = false;
  AppendEvents(50);
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok())
      << runner.health();
  ExpectEachPositionOnce(*runner.serving());
  // The checkpoint is visible before the commit's end, where a retry would start: give one time.
  AppendEvents(13);
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_FALSE(runner.compaction_failure().ok());
  EXPECT_THAT(runner.serving()->FilesByLevel(), ::testing::HasSubstr(" "));  // Not compacted.
  ASSERT_TRUE(runner.StartRebuild().ok());
  for (int i = 0; i < 6000 && (runner.rebuilding() || runner.compacting()); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(runner.compaction_failure().ok()) << runner.compaction_failure();
  EXPECT_EQ(runner.serving()->FilesByLevel(), "6:1");
  ExpectEachPositionOnce(*runner.serving());
  runner.Stop();  // Before the file system goes.
}

TEST_F(RunnerTest, AFailedCompactionIsRetriedOnceLiveWritesSucceedAgain) {
  AppendEvents(300);
  auto file_system = std::make_shared<NoRoomForCompactionFileSystem>();
  auto [env, db] = OpenModelsOn(file_system, dir_.path() + "/models");
  ASSERT_TRUE(db.ok()) << db.status();
  ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>(),
                          CompactingOptions(/*compaction_retry_interval=*/absl::ZeroDuration()));
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  const std::shared_ptr<Generation> uncompacted = runner.serving();
  ExpectCompactionFailedAfterCatchUp(runner, *uncompacted);

  // A live write after room returns compacts the same generation: no rebuild.
  file_system->no_room = false;
  AppendEvents(50);
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok())
      << runner.health();
  for (int i = 0; i < 6000 && (runner.compacting() || !runner.compaction_failure().ok()); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(runner.compaction_failure().ok()) << runner.compaction_failure();
  EXPECT_EQ(runner.serving(), uncompacted);
  EXPECT_EQ(runner.serving()->FilesByLevel(), "6:1");
  ExpectEachPositionOnce(*runner.serving());
  runner.Stop();  // Before the file system goes.
}

TEST_F(RunnerTest, ACatchUpWhoseLastWriteHoldsTheLastEventIsCompactedToo) {
  // Every batch outgrows the fold's memory and is written as it is folded; 8 full batches, so
  // the catch-up's last write already holds the last event, and "caught up" finds nothing left
  // to write. The compaction must start all the same.
  AppendEvents(8 * 13);
  auto db = ReadModelDb::Open(dir_.path() + "/models");
  ASSERT_TRUE(db.ok());
  ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>(),
                          {.max_batch_events = 13, .bulk_bytes = 1, .ingest_from_changes = 1});
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  // "Caught up" may arrive after the checkpoint is visible: wait for the layout itself.
  std::string layout = runner.serving()->FilesByLevel();
  for (int i = 0; i < 3000 && layout != "6:1"; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    layout = runner.serving()->FilesByLevel();
  }
  EXPECT_EQ(layout, "6:1");
  ExpectEachPositionOnce(*runner.serving());
}

TEST_F(RunnerTest, AFailureDuringABulkFoldWritesNothingAndTheRestartAppliesEachEventOnce) {
  AppendEvents(600);
  auto db = ReadModelDb::Open(dir_.path() + "/models");
  ASSERT_TRUE(db.ok());
  {
    ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>(333), BulkFold());
    ASSERT_TRUE(runner.Start().ok());
    for (int i = 0; i < 200 && runner.health().ok(); ++i) absl::SleepFor(absl::Milliseconds(10));
    EXPECT_FALSE(runner.health().ok());
    EXPECT_EQ(runner.checkpoint(), 0u);
    EXPECT_THAT(Dump(*runner.serving()), ::testing::IsEmpty());
  }
  ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>(), BulkFold());
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  AppendEvents(50);
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  ExpectEachPositionOnce(*runner.serving());
}

TEST_F(RunnerTest, AProjectionFailingForLackOfSpaceStopsTheBulkFoldAndTheRestartAppliesEachOnce) {
  // Unlike a write that found the disk full, a failed Apply has dropped the fold it held: trying
  // the batch again (which would succeed here) would skip every event before it.
  AppendEvents(600);
  auto db = ReadModelDb::Open(dir_.path() + "/models");
  ASSERT_TRUE(db.ok());
  {
    ProjectionRunner runner(
        *store_, **db,
        std::make_unique<FailOnceProjection>(333, absl::StatusCode::kResourceExhausted),
        BulkFold());
    ASSERT_TRUE(runner.Start().ok());
    for (int i = 0; i < 200 && runner.health().ok(); ++i) absl::SleepFor(absl::Milliseconds(10));
    absl::SleepFor(absl::Milliseconds(300));  // A disk-full retry comes within 20 ms.
    EXPECT_EQ(runner.health().code(), absl::StatusCode::kResourceExhausted) << runner.health();
    EXPECT_EQ(runner.checkpoint(), 0u);
  }
  ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>(), BulkFold());
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  ExpectEachPositionOnce(*runner.serving());
}

TEST_F(RunnerTest, ARebuildSwapsInOnlyOnceItHoldsWhatTheLiveGenerationHasApplied) {
  // The live runner folds an existing log into an empty generation, holding it all in memory
  // until caught up, and meanwhile applies new events too. A rebuild that caught up earlier must
  // not take its place before it has those new events: the live follower goes on after them.
  AppendEvents(120);
  CaughtUpLaterStore store(*store_);
  auto db = ReadModelDb::Open(dir_.path() + "/models");
  ASSERT_TRUE(db.ok());
  auto owned = std::make_unique<PausingProjection>(120, /*meeting=*/2);
  PausingProjection& projection = *owned;
  ProjectionRunner runner(store, **db, std::move(owned), BulkFold());
  absl::Cleanup release = [&] {  // Before the runner stops, should an assertion end the test.
    projection.Resume();
    store.DeliverCaughtUp();
  };
  ASSERT_TRUE(runner.Start().ok());
  for (int i = 0; i < 1000 && projection.highest_met() < 120; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_EQ(projection.highest_met(), 120u);
  EXPECT_EQ(runner.checkpoint(), 0u);  // Folded, held, not written.

  // The rebuild catches up at 120 and pauses just before it would swap in.
  ASSERT_TRUE(runner.StartRebuild().ok());
  ASSERT_TRUE(projection.paused().WaitForNotificationWithTimeout(absl::Seconds(60)));
  AppendEvents(50);  // The live runner applies 121..170, still catching up.
  for (int i = 0; i < 1000 && projection.highest_met() < 170; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_EQ(projection.highest_met(), 170u);
  projection.Resume();
  // The swap happens while the live runner still holds 121..170 unwritten.
  for (int i = 0; i < 1000 && runner.rebuilding(); ++i) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_FALSE(runner.rebuilding());
  store.DeliverCaughtUp();

  AppendEvents(30);
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  EXPECT_TRUE(runner.health().ok()) << runner.health();
  ExpectEachPositionOnce(*runner.serving());
}

TEST_F(RunnerTest, QueriesDoNotWaitForABatchBeingApplied) {
  AppendEvents(40);
  auto db = ReadModelDb::Open(dir_.path() + "/models");
  ASSERT_TRUE(db.ok());
  auto owned = std::make_unique<PausingProjection>(30, /*meeting=*/1);
  PausingProjection& projection = *owned;
  ProjectionRunner runner(*store_, **db, std::move(owned), PerBatchWrites());
  absl::Cleanup release = [&] { projection.Resume(); };
  ASSERT_TRUE(runner.Start().ok());
  // In the middle of applying a batch.
  ASSERT_TRUE(projection.paused().WaitForNotificationWithTimeout(absl::Seconds(60)));
  auto query = std::async(std::launch::async, [&runner] {
    return std::make_pair(runner.checkpoint(), runner.serving() != nullptr);
  });
  const bool answered = query.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  projection.Resume();
  EXPECT_TRUE(answered) << "a query waited for the batch";
  EXPECT_EQ(query.get(), std::make_pair(eventstore::GlobalPosition{0}, true));
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  ExpectEachPositionOnce(*runner.serving());
}

TEST_F(RunnerTest, StopAndRestartAtAnyMomentAppliesEachEventOnce) {
  AppendEvents(400);
  auto db = ReadModelDb::Open(dir_.path() + "/models");
  ASSERT_TRUE(db.ok());
  for (int round = 0; round < 5; ++round) {
    ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>(),
                            RunnerOptions{7});
    ASSERT_TRUE(runner.Start().ok());
    AppendEvents(40);
    absl::SleepFor(absl::Milliseconds(5 * round));
    runner.Stop();
  }
  ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>(), RunnerOptions{7});
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  ExpectEachPositionOnce(*runner.serving());
}

TEST_F(RunnerTest, ARebuildReplacesAFailedFollowerAndKeepsFollowing) {
  AppendEvents(100);
  auto db = ReadModelDb::Open(dir_.path() + "/models");
  ASSERT_TRUE(db.ok());
  ProjectionRunner runner(*store_, **db, std::make_unique<FailOnceProjection>(60),
                          RunnerOptions{10});
  ASSERT_TRUE(runner.Start().ok());
  for (int i = 0; i < 500 && runner.health().ok(); ++i) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_FALSE(runner.health().ok());  // The live follower stopped at position 60.
  EXPECT_LT(runner.checkpoint(), 60u);

  ASSERT_TRUE(runner.StartRebuild().ok());
  for (int i = 0; i < 1000 && runner.rebuilding(); ++i) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_FALSE(runner.rebuilding());
  EXPECT_TRUE(runner.health().ok()) << runner.health();
  // The rebuilt generation serves and keeps following the log.
  AppendEvents(30);
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  ExpectEachPositionOnce(*runner.serving());
}

TEST_F(RunnerTest, WaitForReturnsOnceThePositionIsAppliedOrTheDeadlinePasses) {
  auto db = ReadModelDb::Open(dir_.path() + "/models");
  ASSERT_TRUE(db.ok());
  ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>());
  ASSERT_TRUE(runner.Start().ok());
  EXPECT_EQ(runner.WaitFor(5, absl::Now() + absl::Milliseconds(50)).code(),
            absl::StatusCode::kDeadlineExceeded);
  AppendEvents(5);
  EXPECT_TRUE(runner.WaitFor(5, absl::Now() + absl::Seconds(30)).ok());
  EXPECT_EQ(runner.checkpoint(), 5u);
}

TEST_F(RunnerTest, FollowingLiveItCommitsWhatGatheredNotAnEventOrTwoAtATime) {
  auto db = ReadModelDb::Open(dir_.path() + "/models");
  ASSERT_TRUE(db.ok());
  ProjectionRunner runner(*store_, **db, std::make_unique<CountingProjection>());
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(runner.WaitFor(0, absl::Now() + absl::Seconds(30)).ok());
  constexpr int kAppends = 20;
  constexpr int kEventsPerAppend = 100;
  for (int a = 0; a < kAppends; ++a) {
    std::vector<eventstore::ProposedEvent> events;
    for (int i = 0; i < kEventsPerAppend; ++i)
      events.push_back(Event(absl::StrCat("e-", a, "-", i)));
    ASSERT_TRUE(store_->Append(Part("s", eventstore::ExpectedVersion::Any(), events)).ok());
  }
  ASSERT_TRUE(runner.WaitFor(store_->HeadPosition(), absl::Now() + absl::Seconds(60)).ok());
  ExpectEachPositionOnce(*runner.serving());
  // Each append's events arrive together; a commit takes every event at hand.
  const uint64_t commits = runner.WaitForChange(0, absl::Now());
  EXPECT_LE(commits, 2u * kAppends + 2) << "commits of a few events each";
}

TEST_F(RunnerTest, OpeningTheReadModelsRemovesTableFilesACrashLeftBeforeTheirIngestion) {
  const std::string path = dir_.path() + "/models";
  std::string leftover;
  {
    auto db = ReadModelDb::Open(path);
    ASSERT_TRUE(db.ok());
    leftover = (*db)->NewIngestFilePath("counting");
    std::ofstream(leftover) << "half a table file";
    std::ofstream(path + "/bulk-counting-1.sst") << "named as by an earlier version";
  }
  ASSERT_TRUE(std::filesystem::exists(leftover));
  auto db = ReadModelDb::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_FALSE(std::filesystem::exists(leftover));
  EXPECT_FALSE(std::filesystem::exists(path + "/bulk-counting-1.sst"));
  EXPECT_TRUE(std::filesystem::exists(path + "/CURRENT"));  // RocksDB's own files stay.
}

struct FoldOptions {
  std::string name;
  RunnerOptions options;
};

void PrintTo(const FoldOptions& fold, std::ostream* out) { *out << fold.name; }

class RebuildTest : public RunnerTest, public ::testing::WithParamInterface<FoldOptions> {};

INSTANTIATE_TEST_SUITE_P(
    Runner, RebuildTest,
    ::testing::Values(
        FoldOptions{"Defaults", {.max_batch_events = 13}},
        // No bulk fold: every batch written as it is applied, through memtable writes.
        FoldOptions{"PerBatchWrites", {.max_batch_events = 13, .bulk_bytes = 0}},
        // A bulk fold that outgrows its memory: written as a table file (from one change on)
        // whenever it is full, after which the cache is no longer complete, so projections read
        // their entries back from RocksDB; and a tiny cache once caught up.
        FoldOptions{"SpillsAndTinyCache",
                    {.max_batch_events = 13,
                     .cache_bytes = 4 << 10,
                     .bulk_bytes = 64 << 10,
                     .ingest_from_changes = 1}}),
    [](const ::testing::TestParamInfo<FoldOptions>& info) { return info.param.name; });

TEST_P(RebuildTest, RebuildGivesTheSameReadModelsAsIncrementalApplication) {
  auto models = ReadModels::Start(*store_, dir_.path() + "/models", GetParam().options);
  ASSERT_TRUE(models.ok()) << models.status();
  // Applied incrementally, live, in small batches while the workload is written.
  testing::WorkloadOptions workload;
  workload.clients = 80;
  const size_t written = testing::AppendWorkload(*store_, workload);
  ASSERT_GT(written, 1000u);
  const eventstore::GlobalPosition head = store_->HeadPosition();
  const std::vector<std::string> names = {"client_summary", "client_history", "artist_schedule",
                                          "reports"};
  std::map<std::string, std::map<std::string, std::string>> incremental;
  for (const std::string& name : names) {
    ProjectionRunner* runner = (*models)->runner(name);
    ASSERT_TRUE(runner->WaitFor(head, absl::Now() + absl::Seconds(120)).ok()) << name;
    ASSERT_TRUE(runner->health().ok()) << runner->health();
    incremental[name] = Dump(*runner->serving());
  }
  // The summaries' index holds exactly the keys the summaries imply (kept in step by the model
  // cache, never written by the projection itself).
  std::set<std::string> index;
  std::set<std::string> implied;
  for (const auto& [key, value] : incremental["client_summary"]) {
    if (key.starts_with("c/")) {
      ClientSummary summary;
      ASSERT_TRUE(summary.ParseFromString(value)) << key;
      for (std::string& index_key : SummaryIndexKeys(summary)) implied.insert(index_key);
    } else if (key != kCheckpointKey) {
      index.insert(key);
    }
  }
  EXPECT_GT(index.size(), 3 * workload.clients);
  EXPECT_EQ(index, implied);

  // Every kind of client event is in the log.
  std::set<std::string> types;
  for (eventstore::GlobalPosition from = 1;;) {
    auto slice = store_->ReadAll(from, 1000, {});
    ASSERT_TRUE(slice.ok());
    for (const auto& event : slice->events) types.insert(event.type);
    if (slice->end_of_log) break;
    from = slice->next_position;
  }
  EXPECT_EQ(types.size(), 2u + 3u + 20u) << ::testing::PrintToString(types);

  for (const std::string& name : names) {
    ProjectionRunner* runner = (*models)->runner(name);
    std::shared_ptr<Generation> before = runner->serving();
    ASSERT_TRUE((*models)->Rebuild(name).ok());
    EXPECT_EQ((*models)->Rebuild(name).code(), absl::StatusCode::kFailedPrecondition);
    // The old generation serves until the new one has caught up.
    for (int i = 0; i < 6000 && runner->rebuilding(); ++i) absl::SleepFor(absl::Milliseconds(10));
    ASSERT_FALSE(runner->rebuilding()) << name;
    ASSERT_TRUE(runner->health().ok()) << runner->health();
    EXPECT_NE(runner->serving().get(), before.get()) << name << " did not swap";
    EXPECT_EQ(Dump(*runner->serving()), incremental[name]) << name;
  }
  EXPECT_EQ((*models)->Rebuild("nope").code(), absl::StatusCode::kNotFound);
  for (const Lag& lag : (*models)->Status()) EXPECT_EQ(lag.lag, 0u) << lag.name;
}

}  // namespace
}  // namespace stipple::projections
