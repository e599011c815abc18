#ifndef STIPPLE_EVENTSTORE_ROCKSDB_EVENT_STORE_H_
#define STIPPLE_EVENTSTORE_ROCKSDB_EVENT_STORE_H_

// The embedded event store: an append-only log in one RocksDB database (layout in FORMAT.md).
//
// Writes follow leveldb's DBImpl::Write: appenders queue, the one at the front leads, takes the
// queued appends (bounded in bytes), checks each against the log, writes them as one WriteBatch
// with one WAL sync, and wakes the others. Concurrent appenders therefore share a sync.

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "eventstore/event_store.h"
#include "eventstore/live_feed.h"
#include "eventstore/log_page_cache.h"
#include "rocksdb/db.h"

namespace stipple::eventstore {

struct RocksDbEventStoreOptions {
  std::string path;  // Directory of the database; created if missing.
  // The store's clock for recorded_at.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // The Env RocksDB runs on; tests pass one that fails on demand. Not owned; null = default.
  rocksdb::Env* env = nullptr;
  // Upper bound on the bytes one group commit gathers from queued appends (the first append of a
  // group is always taken whole).
  size_t max_group_bytes = 4 << 20;
  // Memory for log pages that catch-up subscriptions share (several read models catching up read
  // the log once); 0 turns the sharing off.
  size_t catch_up_cache_bytes = 128 << 20;
  // How many streams' versions the writer keeps in memory (100-350 bytes each, by the length of
  // the stream's name), so checking an append's expected version rarely needs a read; the set is
  // emptied when full. 0 turns it off.
  size_t remembered_stream_versions = 1 << 16;
};

class RocksDbEventStore : public EventStore {
 public:
  // Opens or creates the store. Errors: FAILED_PRECONDITION when the directory holds a database of
  // another format version (or none recorded); DATA_LOSS when the last event does not decode;
  // UNAVAILABLE/INTERNAL when RocksDB cannot open (the message carries RocksDB's reason, e.g. a
  // lock held by another process).
  static absl::StatusOr<std::unique_ptr<RocksDbEventStore>> Open(RocksDbEventStoreOptions options);

  // Ends every subscription (CANCELLED) and closes the database. No append may be in progress.
  ~RocksDbEventStore() override;

  absl::StatusOr<StreamAppendResult> Append(const StreamAppend& append) override;
  absl::StatusOr<AppendResult> AppendMulti(const std::vector<StreamAppend>& parts) override;
  absl::StatusOr<StreamSlice> ReadStream(const std::string& stream, StreamVersion from_version,
                                         ReadDirection direction, size_t limit) const override;
  absl::StatusOr<LogSlice> ReadAll(GlobalPosition from_position, size_t limit,
                                   const EventFilter& filter) const override;
  absl::StatusOr<std::optional<RecordedEvent>> FindEvent(
      const std::string& event_id) const override;
  GlobalPosition HeadPosition() const override;
  std::unique_ptr<Subscription> Subscribe(GlobalPosition after_position, EventFilter filter,
                                          SubscribeOptions options) override;
  absl::StatusOr<VerifyReport> Verify(GlobalPosition from, GlobalPosition to) const override;

  // OK while appends are accepted; otherwise the error that stopped them.
  absl::Status WriteHealth() const;

 private:
  struct QueuedAppend;
  struct IdEntry;
  class GroupCommit;

  // An event_ids value: where the event is and which append wrote it (FORMAT.md).
  struct IdIndexValue {
    GlobalPosition position = 0;
    GlobalPosition append_first = 0;
    uint32_t append_count = 0;
  };
  absl::StatusOr<std::optional<IdIndexValue>> LookupId(const std::string& event_id) const;

  RocksDbEventStore(RocksDbEventStoreOptions options, std::unique_ptr<rocksdb::DB> db,
                    std::vector<rocksdb::ColumnFamilyHandle*> handles, GlobalPosition head,
                    EventHash head_hash);

  // Run by the leader with mu_ released: checks and writes `group`, filling each result.
  // Returns non-OK only when the write itself failed, which stops all later appends.
  absl::Status CommitGroup(const std::vector<QueuedAppend*>& group);
  // Run by the leader while appends are stopped by `failure`: OK when RocksDB could resume
  // writing (a full disk that has space again), else the error that still stops them.
  absl::Status TryResume(const absl::Status& failure);

  absl::StatusOr<std::vector<RecordedEvent>> ReadPositions(
      const std::vector<GlobalPosition>& positions, const rocksdb::Snapshot* snapshot) const;
  absl::StatusOr<StreamVersion> CurrentVersion(const std::string& stream,
                                               const rocksdb::Snapshot* snapshot) const;
  // Run by the leader: the durable version of `stream`, from known_versions_ when it is there.
  absl::StatusOr<StreamVersion> LeaderVersion(const std::string& stream);
  // Run by the leader with a version read from the database or just written and synced.
  void RememberVersion(const std::string& stream, StreamVersion version);

  rocksdb::ColumnFamilyHandle* meta() const { return handles_[0]; }
  rocksdb::ColumnFamilyHandle* events() const { return handles_[1]; }
  rocksdb::ColumnFamilyHandle* streams() const { return handles_[2]; }
  rocksdb::ColumnFamilyHandle* stream_index() const { return handles_[3]; }
  rocksdb::ColumnFamilyHandle* event_ids() const { return handles_[4]; }

  const RocksDbEventStoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // In the order of the accessors above.

  mutable absl::Mutex mu_;
  std::deque<QueuedAppend*> queue_ ABSL_GUARDED_BY(mu_);  // Front = leader.
  absl::Status write_failure_ ABSL_GUARDED_BY(mu_);       // Sticky once set.

  // Owned by the current leader; leadership passes through mu_, which orders the accesses.
  GlobalPosition next_position_;
  EventHash last_hash_;
  // Durable stream versions the leader has read or written (up to remembered_stream_versions).
  // An entry stays true because only the leader writes versions (and RocksDB's lock keeps other
  // processes out); a group's versions are remembered only once its write is synced; and after a
  // failed write no version is checked until TryResume has found the log where it was.
  absl::flat_hash_map<std::string, StreamVersion> known_versions_;
  absl::Time last_resume_attempt_ = absl::InfinitePast();
  static constexpr absl::Duration kResumeInterval = absl::Milliseconds(500);

  std::atomic<GlobalPosition> head_;      // Last durable position, for readers.
  const std::shared_ptr<LiveFeed> feed_;  // Shared with subscriptions, which may outlive it.
  const std::shared_ptr<LogPageCache> page_cache_;  // Null when not shared.
};

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_ROCKSDB_EVENT_STORE_H_
