#ifndef STIPPLE_PROJECTIONS_PROJECTION_RUNNER_H_
#define STIPPLE_PROJECTIONS_PROJECTION_RUNNER_H_

// Runs one projection: catches up from its checkpoint, then follows the log live (both through an
// event store subscription). Each batch of events and the new checkpoint go in one atomic write,
// so every event is applied exactly once, across crashes too. A rebuild fills a new generation
// from position 0 on a second thread while the old one keeps serving, then swaps them.

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "eventstore/event_store.h"
#include "projections/projection.h"
#include "projections/read_model_db.h"

namespace stipple::projections {

struct RunnerOptions {
  // Events applied before their changes are written. Following live, a batch is what has
  // arrived; catching up, large batches write an entry that many events change once.
  size_t max_batch_events = 8192;
  // Memory for recently read or written read-model entries, per generation.
  size_t cache_bytes = 32 << 20;
  // Filling an empty generation (a rebuild, a first start), the runner folds in memory up to this
  // much and then writes everything at once as a sorted table file, not entry by entry; and so on
  // until caught up. (Catching up into a generation that has entries, it holds up to
  // `cache_bytes`.)
  size_t bulk_bytes = 128 << 20;
  // Catching up, write-only entries (history lines) are written once they take this much, even
  // while the cache has room, for the first `write_only_writes` writes of the catch-up: never read
  // back, they gain nothing from being held, and a fold that holds less reuses its memory rather
  // than touching new pages, which costs more than the extra writes (tests/bench/RESULTS.md, "The
  // rebuild: six cuts"). Each write is a table file spanning the key range: from the seventh on
  // they stack up in level 0, and RocksDB slows every write to the database from 20 level-0 files
  // on. After that many writes, a long catch-up writes only when its cache is full.
  size_t write_only_bytes = 32 << 20;
  int write_only_writes = 8;
  // From this many changes on, a write goes in as a sorted table file: far cheaper than as many
  // memtable inserts, each a walk of a large skip list.
  size_t ingest_from_changes = 20000;
  // Following live, the pace of commits under steady load (unless `max_batch_events` fill
  // first); an event that arrives after a quiet spell is committed at once.
  absl::Duration min_commit_interval = absl::Milliseconds(20);
  // A catch-up into an empty generation (a first start, a rebuild) that wrote this many table
  // files or more (0: never) is compacted in the background once caught up. Each file spans the
  // whole key range, so a large fold leaves overlapping files spread over several levels: every
  // look-up checks each of them, and stale versions of entries take space. Compacted, the
  // generation is one sorted run.
  int compact_after_table_files = 2;
  // A compaction of the serving generation that failed (a full disk, say) is tried again once a
  // live write succeeds, and no sooner than this after the failure; twice as long after each
  // failure in a row, up to an hour.
  absl::Duration compaction_retry_interval = absl::Minutes(1);
};

class ProjectionRunner {
 public:
  ProjectionRunner(eventstore::EventStore& store, ReadModelDb& db,
                   std::unique_ptr<Projection> projection, RunnerOptions options = {});
  ~ProjectionRunner();  // Stops.

  // Loads the serving generation and its checkpoint and starts following the log.
  absl::Status Start();
  // Stops after the batch in progress; what was written stays written, and so does what a bulk
  // fold of the serving generation holds.
  void Stop();

  const std::string& name() const { return name_; }
  eventstore::GlobalPosition checkpoint() const;
  // Blocks until the checkpoint reaches `position` or `deadline` passes (DEADLINE_EXCEEDED).
  absl::Status WaitFor(eventstore::GlobalPosition position, absl::Time deadline) const;
  // Blocks until more batches than `seen` have been committed, or `deadline`; returns the count.
  uint64_t WaitForChange(uint64_t seen, absl::Time deadline) const;

  // The generation that serves reads; hold it for the duration of a query.
  std::shared_ptr<Generation> serving() const;

  // Builds a new generation from the start of the log and swaps it in once caught up.
  // FAILED_PRECONDITION when a rebuild is already running.
  absl::Status StartRebuild();
  bool rebuilding() const { return rebuilding_; }
  // The last error that stopped the runner or a rebuild (OK while healthy).
  absl::Status health() const;
  // A generation is being compacted after a large catch-up (see RunnerOptions).
  bool compacting() const { return compactions_due_ > 0; }
  // Why the serving generation's compaction after its catch-up failed (a full disk, say): the
  // model still serves, uncompacted. OK when it did not fail (or was cancelled), once a retry
  // has compacted it, and once a rebuild has replaced that generation.
  absl::Status compaction_failure() const ABSL_LOCKS_EXCLUDED(compaction_failure_mu_);

 private:
  struct Target;
  // Pulls from `subscription` from checkpoint `start` until stopped: into the serving generation,
  // or into `rebuild` (not null), which it swaps in once it holds every event the serving
  // generation has applied.
  void Follow(eventstore::Subscription& subscription, Target* rebuild,
              eventstore::GlobalPosition start);
  // Applies `batch` to the target and writes it with `checkpoint`; catching up, a bulk fold may
  // keep it in memory for a later write instead. `retryable`: the write found the disk full and
  // the changes are still held, so the same call may be made again.
  absl::Status Commit(Target& target, const std::vector<eventstore::SubscriptionMessage>& batch,
                      eventstore::GlobalPosition checkpoint, bool catching_up, bool* retryable);
  // Writes the target's pending changes and `checkpoint` atomically. `following_live`: the write
  // ends a catch-up, or follows the live feed (see RunnerOptions::compact_after_table_files).
  absl::Status WriteChanges(Target& target, eventstore::GlobalPosition checkpoint,
                            bool following_live);
  // Following live from now on: whether the catch-up just ended should be compacted (see
  // RunnerOptions::compact_after_table_files).
  bool EndCatchUp(Target& target) const;
  // Compacts `generation` on a thread of its own, cancelling a compaction still running.
  void StartCompaction(std::shared_ptr<Generation> generation) ABSL_LOCKS_EXCLUDED(compaction_mu_);
  void StartCompactionLocked(std::shared_ptr<Generation> generation)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(compaction_mu_);
  // After a live write: compacts the target's generation again if its compaction failed and the
  // retry interval has passed, unless another compaction is due or running (it is not cancelled).
  void RetryFailedCompaction(const Target& target)
      ABSL_LOCKS_EXCLUDED(compaction_mu_, compaction_failure_mu_);
  // Cancels the compaction of `generation` if one is running: a retired generation is dropped.
  void CancelCompactionOf(const Generation* generation) ABSL_LOCKS_EXCLUDED(compaction_mu_);
  // The serving generation's target; it stays so while the caller holds `commit_mu_`.
  Target& LiveTarget() ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);

  eventstore::EventStore& store_;
  ReadModelDb& db_;
  const std::unique_ptr<Projection> projection_;
  const std::string name_;
  const RunnerOptions options_;

  // Held while the live target changes (a commit, a promotion): apply and write happen outside
  // `mu_`, so queries, which take only `mu_`, never wait for them.
  absl::Mutex commit_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  std::unique_ptr<Target> live_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Target> rebuild_;
  absl::Status health_ ABSL_GUARDED_BY(mu_);
  uint64_t changes_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Mutex control_mu_;  // Serialises Stop and StartRebuild.
  std::atomic<bool> stopping_{false};
  std::atomic<bool> rebuilding_{false};
  std::atomic<bool> live_running_{false};  // The live follower thread has not exited.
  std::unique_ptr<eventstore::Subscription> live_subscription_;
  std::unique_ptr<eventstore::Subscription> rebuild_subscription_;
  std::thread live_thread_;
  std::thread rebuild_thread_;
  // Serialises starting, replacing and stopping a compaction. Taken under commit_mu_ (and mu_,
  // to cancel); the compaction thread takes none of these.
  absl::Mutex compaction_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::thread compaction_thread_ ABSL_GUARDED_BY(compaction_mu_);
  // The generation the last compaction started on; only compared, never followed (the thread
  // holds the generation while it runs).
  const Generation* compacting_ ABSL_GUARDED_BY(compaction_mu_) = nullptr;
  std::atomic<bool> cancel_compaction_{false};
  std::atomic<int> compactions_due_{0};  // Due or running.
  // Taken alone, by the compaction thread and by readers.
  mutable absl::Mutex compaction_failure_mu_;
  absl::Status compaction_failure_ ABSL_GUARDED_BY(compaction_failure_mu_);
  std::string compaction_failed_generation_ ABSL_GUARDED_BY(compaction_failure_mu_);
  absl::Time compaction_failed_at_ ABSL_GUARDED_BY(compaction_failure_mu_);
  // How long after `compaction_failed_at_` the next retry is due.
  absl::Duration compaction_retry_wait_ ABSL_GUARDED_BY(compaction_failure_mu_);
};

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_PROJECTION_RUNNER_H_
