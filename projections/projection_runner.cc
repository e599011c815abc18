#include "projections/projection_runner.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "eventstore/keys.h"
#include "eventstore/rocksdb_status.h"
#include "rocksdb/sst_file_writer.h"

namespace stipple::projections {

using eventstore::GlobalPosition;
using eventstore::SubscriptionMessage;

struct ProjectionRunner::Target {
  // A generation at checkpoint 0 is empty: nothing is ever written without a checkpoint.
  Target(std::shared_ptr<Generation> generation, GlobalPosition checkpoint,
         const RunnerOptions& options)
      : generation(std::move(generation)),
        checkpoint(checkpoint),
        applied(checkpoint),
        cache(checkpoint == 0 ? options.bulk_bytes : options.cache_bytes,
              /*complete=*/checkpoint == 0),
        filling_from_empty(checkpoint == 0) {}

  std::shared_ptr<Generation> generation;
  // Written: what readers of the generation see. Changed under `mu_`, which is all they hold.
  GlobalPosition checkpoint;
  GlobalPosition applied;  // Folded into the cache; ahead of `checkpoint` until written.
  ModelCache cache;
  int table_files = 0;          // Ingested since the last write while following live.
  bool compaction_due = false;  // Set by a write that ended a catch-up of many table files.
  // Catching up into the empty generation it started with. (A catch-up into a generation with
  // entries ingests files that overlap them into level 0, and RocksDB's own compactions merge
  // them: compacting the whole generation for them would not pay.)
  bool filling_from_empty;
};

namespace {

absl::StatusOr<GlobalPosition> ReadCheckpoint(const Generation& generation) {
  std::string value;
  rocksdb::Status s =
      generation.db()->Get(rocksdb::ReadOptions(), generation.handle(), kCheckpointKey, &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return eventstore::FromRocksDb(s, "reading a projection checkpoint");
  if (value.size() != 8) return absl::DataLossError("projection checkpoint is corrupt");
  return eventstore::DecodeU64(value.data());
}

}  // namespace

ProjectionRunner::ProjectionRunner(eventstore::EventStore& store, ReadModelDb& db,
                                   std::unique_ptr<Projection> projection, RunnerOptions options)
    : store_(store),
      db_(db),
      projection_(std::move(projection)),
      name_(projection_->name()),
      options_(options) {}

ProjectionRunner::~ProjectionRunner() { Stop(); }

absl::Status ProjectionRunner::Start() {
  absl::StatusOr<std::shared_ptr<Generation>> serving = db_.Active(name_);
  if (!serving.ok()) return serving.status();
  absl::StatusOr<GlobalPosition> checkpoint = ReadCheckpoint(**serving);
  if (!checkpoint.ok()) return checkpoint.status();
  {
    absl::MutexLock lock(&mu_);
    live_ = std::make_unique<Target>(*std::move(serving), *checkpoint, options_);
  }
  live_subscription_ = store_.Subscribe(*checkpoint, {}, {});
  live_running_ = true;
  live_thread_ =
      std::thread([this, start = *checkpoint] { Follow(*live_subscription_, nullptr, start); });
  return absl::OkStatus();
}

void ProjectionRunner::Stop() {
  absl::MutexLock control(&control_mu_);
  stopping_ = true;
  if (live_subscription_) live_subscription_->Cancel();
  if (rebuild_subscription_) rebuild_subscription_->Cancel();
  if (live_thread_.joinable()) live_thread_.join();
  if (rebuild_thread_.joinable()) rebuild_thread_.join();
  absl::MutexLock compaction(&compaction_mu_);  // No follower is left to start another.
  cancel_compaction_ = true;
  if (compaction_thread_.joinable()) compaction_thread_.join();
}

void ProjectionRunner::StartCompaction(std::shared_ptr<Generation> generation) {
  absl::MutexLock lock(&compaction_mu_);
  StartCompactionLocked(std::move(generation));
}

void ProjectionRunner::StartCompactionLocked(std::shared_ptr<Generation> generation) {
  if (compaction_thread_.joinable()) {
    cancel_compaction_ = true;  // Most likely of a generation a rebuild has replaced.
    compaction_thread_.join();
  }
  if (stopping_) {
    --compactions_due_;
    return;
  }
  cancel_compaction_ = false;
  compacting_ = generation.get();
  compaction_thread_ = std::thread([this, generation = std::move(generation)] {
    pthread_setname_np(pthread_self(), ("compact " + name_).substr(0, 15).c_str());
    rocksdb::CompactRangeOptions options;
    options.canceled = &cancel_compaction_;
    const rocksdb::Status s =
        generation->db()->CompactRange(options, generation->handle(), nullptr, nullptr);
    {
      absl::MutexLock lock(&compaction_failure_mu_);
      if (s.ok() && compaction_failed_generation_ == generation->name()) {
        compaction_failed_generation_.clear();  // A retry compacted it.
        compaction_failure_ = absl::OkStatus();
      } else if (!s.ok() && !s.IsIncomplete()) {  // Incomplete: cancelled (a stop, a rebuild).
        // Each failure in a row of the same generation doubles the wait before the next retry,
        // up to an hour: a disk with room for small writes may still have none for a compaction.
        compaction_retry_wait_ =
            compaction_failed_generation_ == generation->name()
                ? std::min(2 * compaction_retry_wait_,
                           std::max(options_.compaction_retry_interval, absl::Hours(1)))
                : options_.compaction_retry_interval;
        compaction_failed_generation_ = generation->name();
        compaction_failed_at_ = absl::Now();
        compaction_failure_ =
            eventstore::FromRocksDb(s, absl::StrCat("compacting ", compaction_failed_generation_));
      }
    }
    --compactions_due_;
  });
}

void ProjectionRunner::RetryFailedCompaction(const Target& target) {
  {
    absl::MutexLock lock(&compaction_failure_mu_);
    if (compaction_failed_generation_ != target.generation->name() ||
        absl::Now() < compaction_failed_at_ + compaction_retry_wait_) {
      return;
    }
  }
  // Checked and started under one hold: a compaction made due meanwhile (a rebuild's) is started
  // after this one, and cancels it, never the other way round.
  absl::MutexLock lock(&compaction_mu_);
  if (compactions_due_ > 0 || stopping_) return;
  ++compactions_due_;
  StartCompactionLocked(target.generation);
}

absl::Status ProjectionRunner::compaction_failure() const {
  const std::shared_ptr<Generation> generation = serving();
  absl::MutexLock lock(&compaction_failure_mu_);
  // Only the serving generation's failure matters: a rebuild replaces it.
  if (generation == nullptr || generation->name() != compaction_failed_generation_) {
    return absl::OkStatus();
  }
  return compaction_failure_;
}

void ProjectionRunner::CancelCompactionOf(const Generation* generation) {
  absl::MutexLock lock(&compaction_mu_);
  // A finished compaction's flag is reset by the next start.
  if (compacting_ == generation) cancel_compaction_ = true;
}

GlobalPosition ProjectionRunner::checkpoint() const {
  absl::MutexLock lock(&mu_);
  return live_ ? live_->checkpoint : 0;
}

absl::Status ProjectionRunner::WaitFor(GlobalPosition position, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto reached = [this, position]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return live_ != nullptr && live_->checkpoint >= position;
  };
  if (mu_.AwaitWithDeadline(absl::Condition(&reached), deadline)) return absl::OkStatus();
  return absl::DeadlineExceededError(absl::StrCat("projection ", name_, " is at ",
                                                  live_ ? live_->checkpoint : 0,
                                                  ", not yet at position ", position));
}

uint64_t ProjectionRunner::WaitForChange(uint64_t seen, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto changed = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return changes_ > seen; };
  mu_.AwaitWithDeadline(absl::Condition(&changed), deadline);
  return changes_;
}

std::shared_ptr<Generation> ProjectionRunner::serving() const {
  absl::MutexLock lock(&mu_);
  return live_ ? live_->generation : nullptr;
}

absl::Status ProjectionRunner::health() const {
  absl::MutexLock lock(&mu_);
  return health_;
}

absl::Status ProjectionRunner::StartRebuild() {
  absl::MutexLock control(&control_mu_);
  if (stopping_) return absl::FailedPreconditionError(absl::StrCat(name_, " is stopping"));
  if (rebuilding_.exchange(true)) {
    return absl::FailedPreconditionError(absl::StrCat(name_, " is already rebuilding"));
  }
  if (rebuild_thread_.joinable()) rebuild_thread_.join();  // The previous, finished rebuild.
  absl::StatusOr<std::shared_ptr<Generation>> fresh = db_.CreateGeneration(name_);
  if (!fresh.ok()) {
    rebuilding_ = false;
    return fresh.status();
  }
  rebuild_ = std::make_unique<Target>(*std::move(fresh), 0, options_);
  rebuild_subscription_ = store_.Subscribe(0, {}, {});
  rebuild_thread_ = std::thread([this] { Follow(*rebuild_subscription_, rebuild_.get(), 0); });
  return absl::OkStatus();
}

absl::Status ProjectionRunner::Commit(Target& target, const std::vector<SubscriptionMessage>& batch,
                                      GlobalPosition checkpoint, bool catching_up,
                                      bool* retryable) {
  *retryable = false;
  if (checkpoint <= target.checkpoint) {
    // Caught up on what the catch-up's last write already holds: nothing left to write.
    if (!catching_up && EndCatchUp(target)) {
      ++compactions_due_;
      StartCompaction(target.generation);
    }
    return absl::OkStatus();
  }
  // Applied already when an earlier attempt could not write (a full disk) or a bulk fold held it.
  if (target.applied < checkpoint) {
    ModelWriter model(*target.generation, target.cache);
    for (const SubscriptionMessage& message : batch) {
      // Events up to what the target holds are in it already (a swap or a restart re-delivers).
      if (message.event->position <= target.applied) continue;
      if (absl::Status s = projection_->Apply(*message.event, model); !s.ok()) {
        // Drops the half-applied batch and whatever a bulk fold held: not retryable, whatever
        // the code.
        target.cache.Clear();
        target.applied = target.checkpoint;
        return absl::Status(s.code(), absl::StrCat(name_, " at position ", message.event->position,
                                                   ": ", s.message()));
      }
    }
    target.applied = checkpoint;
  }
  // Catching up, a fold writes when it is caught up or its memory is full: one sorted table file
  // per cache-full, not one per batch (which piled level-0 files up faster than RocksDB could
  // compact them, until it stopped every read model's writes); or, for its first few writes, when
  // its write-only entries reach their own, smaller budget.
  const bool write_only_due = target.cache.write_only_bytes() > options_.write_only_bytes &&
                              target.table_files < options_.write_only_writes;
  if (catching_up && target.cache.bytes() <= target.cache.budget() && !write_only_due) {
    return absl::OkStatus();
  }
  // Following live, the cache keeps only what recent events need.
  if (!catching_up) target.cache.set_budget(options_.cache_bytes);
  absl::Status written = WriteChanges(target, checkpoint, /*following_live=*/!catching_up);
  // Out of space, the changes stay held: the same commit can be tried again.
  *retryable = written.code() == absl::StatusCode::kResourceExhausted;
  if (std::exchange(target.compaction_due, false)) {
    StartCompaction(target.generation);
  } else if (written.ok() && !catching_up) {
    RetryFailedCompaction(target);  // The disk takes writes again, maybe compactions too.
  }
  return written;
}

absl::Status ProjectionRunner::WriteChanges(Target& target, GlobalPosition checkpoint,
                                            bool following_live) {
  const std::vector<ModelCache::ChangeRef>& changes = target.cache.SortedChanges();
  rocksdb::DB* db = target.generation->db();
  rocksdb::ColumnFamilyHandle* family = target.generation->handle();
  rocksdb::Status s;
  if (changes.size() >= options_.ingest_from_changes) {
    const std::string path = db_.NewIngestFilePath(name_);
    rocksdb::SstFileWriter file(rocksdb::EnvOptions(), db->GetOptions(family), family);
    s = file.Open(path);
    for (size_t i = 0; s.ok() && i < changes.size(); ++i) {
      const auto& [key, value] = changes[i];
      s = value ? file.Put(key, *value) : file.Delete(key);
    }
    // The checkpoint key sorts after every projection's keys.
    if (s.ok()) s = file.Put(kCheckpointKey, eventstore::EncodeU64(checkpoint));
    if (s.ok()) s = file.Finish();
    if (s.ok()) {
      rocksdb::IngestExternalFileOptions ingest;
      ingest.move_files = true;
      s = db->IngestExternalFile(family, {path}, ingest);
    }
    if (s.ok()) ++target.table_files;
    std::error_code ignored;
    std::filesystem::remove(path, ignored);  // Moved into the database, or failed.
  } else {
    rocksdb::WriteBatch write;
    for (const auto& [key, value] : changes) {
      if (value) {
        write.Put(family, key, *value);
      } else {
        write.Delete(family, key);
      }
    }
    write.Put(family, kCheckpointKey, eventstore::EncodeU64(checkpoint));
    // No sync: a crash loses only batches whose checkpoint is lost with them, and they are
    // re-applied.
    s = db->Write(rocksdb::WriteOptions(), &write);
  }
  if (!s.ok()) {
    absl::Status status = eventstore::FromRocksDb(s, "writing a read model");
    // Out of space: the changes stay pending and the write is tried again. Otherwise the runner
    // stops, and the cache holds nothing the database does not.
    if (status.code() != absl::StatusCode::kResourceExhausted) {
      target.cache.Clear();
      target.applied = target.checkpoint;
    }
    return status;
  }
  target.cache.MarkWritten();
  if (following_live) {
    target.compaction_due = EndCatchUp(target);
    target.cache.ReleaseListMemory();  // Following live, writes are small: no list kept for them.
  }
  absl::MutexLock lock(&mu_);  // Readers of the live target see its checkpoint under `mu_`.
  // Whoever waits for this checkpoint and then for compacting() to end sees the compaction.
  if (target.compaction_due) ++compactions_due_;
  target.checkpoint = checkpoint;
  return absl::OkStatus();
}

bool ProjectionRunner::EndCatchUp(Target& target) const {
  const int files = std::exchange(target.table_files, 0);
  const bool from_empty = std::exchange(target.filling_from_empty, false);
  return from_empty && options_.compact_after_table_files > 0 &&
         files >= options_.compact_after_table_files;
}

ProjectionRunner::Target& ProjectionRunner::LiveTarget() {
  absl::MutexLock lock(&mu_);
  return *live_;
}

void ProjectionRunner::Follow(eventstore::Subscription& subscription, Target* rebuild,
                              GlobalPosition start) {
  // Named for top and perf (at most 15 characters).
  const std::string thread_name = (rebuild != nullptr ? "rebuild " : "fold ") + name_;
  pthread_setname_np(pthread_self(), thread_name.substr(0, 15).c_str());
  std::vector<SubscriptionMessage> batch;
  GlobalPosition checkpoint = start;
  auto fail = [this](const absl::Status& status) {
    absl::MutexLock lock(&mu_);
    health_ = status;
  };
  // Writes the batch into the rebuild's target, or into the live one (which a rebuild may have
  // swapped meanwhile).
  bool caught_up = false;
  bool rereading = false;  // Caught up once, then fell behind the live feed.
  bool retryable = false;
  auto commit_once = [&]() -> absl::Status {
    const bool catching_up = !caught_up && !stopping_;
    if (rebuild != nullptr) return Commit(*rebuild, batch, checkpoint, catching_up, &retryable);
    absl::MutexLock commit_lock(&commit_mu_);
    absl::Status status = Commit(LiveTarget(), batch, checkpoint, catching_up, &retryable);
    if (status.ok()) {
      absl::MutexLock lock(&mu_);
      ++changes_;
    }
    return status;
  };
  absl::Time last_commit = absl::InfinitePast();
  auto commit = [&]() -> bool {
    last_commit = absl::Now();
    absl::Status status = commit_once();
    // A full disk: nothing was written, so keep the batch and try again (health says why
    // meanwhile) until RocksDB can write again.
    for (absl::Duration backoff = absl::Milliseconds(20); retryable && !stopping_;
         backoff = std::min(2 * backoff, absl::Seconds(1))) {
      fail(status);
      absl::SleepFor(backoff);
      if (db_.db()->Resume().ok()) status = commit_once();
    }
    batch.clear();
    absl::MutexLock lock(&mu_);
    if (!status.ok()) {
      health_ = status;
    } else if (health_.code() == absl::StatusCode::kResourceExhausted) {
      health_ = absl::OkStatus();  // The disk has room again.
    }
    return status.ok();
  };
  // A rebuild that holds what the serving generation has applied takes its place.
  auto try_promote = [&]() -> bool {
    absl::MutexLock commit_lock(&commit_mu_);
    absl::MutexLock lock(&mu_);
    // Against what the live generation has applied, written or not: the live follower goes on
    // after that position, so the rebuild must hold everything up to it. And readers never see
    // the checkpoint go back.
    if (live_ != nullptr &&
        (rebuild->applied < live_->applied || rebuild->checkpoint < live_->checkpoint)) {
      return false;
    }
    absl::Status s =
        db_.Promote(name_, rebuild->generation, live_ != nullptr ? live_->generation : nullptr);
    if (!s.ok()) {
      health_ = s;
      return true;
    }
    if (live_ != nullptr) CancelCompactionOf(live_->generation.get());
    live_ = std::move(rebuild_);
    health_ = absl::OkStatus();
    ++changes_;
    return true;
  };

  bool failed = false;  // A commit failed: health() says why; stop following.
  bool following_live = rebuild == nullptr;
  // After a rebuild's commit: once caught up, it swaps in as soon as it holds what the serving
  // generation has applied. If the live follower has stopped (after an error), the rebuild's
  // thread carries on as the live follower; otherwise it ends.
  auto done_rebuilding = [&]() -> bool {
    if (rebuild == nullptr || !caught_up || !try_promote()) return false;
    rebuild = nullptr;
    rebuilding_ = false;
    if (live_running_) return true;
    following_live = true;
    return false;
  };
  while (!stopping_) {
    // Following live under load, events gather for a while between commits: one write then
    // carries many events (and a report counter many of them change is written once). The
    // thread sleeps meanwhile rather than waking for every event the feed hands it.
    if (caught_up && !rereading && !batch.empty()) {
      const absl::Duration until_due = last_commit + options_.min_commit_interval - absl::Now();
      if (until_due > absl::ZeroDuration()) absl::SleepFor(until_due);
    }
    const absl::Duration wait =
        batch.empty() ? absl::Milliseconds(200)
        : caught_up   ? std::max(absl::ZeroDuration(),
                                 last_commit + options_.min_commit_interval - absl::Now())
                      : absl::ZeroDuration();
    absl::StatusOr<SubscriptionMessage> message = subscription.Next(wait);
    if (!message.ok()) {
      if (message.status().code() == absl::StatusCode::kDeadlineExceeded) {
        if (!batch.empty() && !commit()) {
          failed = true;
          break;
        }
        if (done_rebuilding()) break;
        continue;
      }
      if (message.status().code() != absl::StatusCode::kCancelled) fail(message.status());
      break;
    }
    switch (message->kind) {
      case SubscriptionMessage::Kind::kEvent:
        batch.push_back(*std::move(message));
        checkpoint = batch.back().checkpoint;
        // Live, a batch is committed once nothing more is at hand (the next call times out):
        // after the sleep above, once the events that gathered are drained. Re-reading the log
        // after falling behind, a next event is always at hand: commit on time regardless.
        if ((batch.size() >= options_.max_batch_events ||
             (rereading && absl::Now() >= last_commit + options_.min_commit_interval)) &&
            !commit()) {
          failed = true;
        }
        break;
      case SubscriptionMessage::Kind::kCaughtUp:
        caught_up = true;
        rereading = false;
        checkpoint = std::max(checkpoint, message->checkpoint);
        if (!commit()) failed = true;
        break;
      case SubscriptionMessage::Kind::kFellBehind:
        rereading = true;  // The subscription re-reads the log; nothing is lost.
        break;
    }
    if (failed) break;
    if (batch.empty() && done_rebuilding()) break;
  }
  if (!batch.empty() && !stopping_ && !failed) commit();
  if (following_live && stopping_ && !failed) {
    // Stopped in the middle of a bulk fold: keep what it has folded.
    absl::MutexLock commit_lock(&commit_mu_);
    Target& live = LiveTarget();
    if (live.applied > live.checkpoint) {
      absl::Status s = WriteChanges(live, live.applied, /*following_live=*/false);
      absl::MutexLock lock(&mu_);
      if (s.ok()) {
        ++changes_;
      } else {
        health_ = s;
      }
    }
  }
  if (rebuild != nullptr) rebuilding_ = false;  // Failed or stopped: a new rebuild may start.
  if (following_live) live_running_ = false;
}

}  // namespace stipple::projections
