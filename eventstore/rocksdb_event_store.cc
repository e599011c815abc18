#include "eventstore/rocksdb_event_store.h"

#include <algorithm>
#include <filesystem>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "eventstore/append_validation.h"
#include "eventstore/catch_up_subscription.h"
#include "eventstore/errors.h"
#include "eventstore/hash_chain.h"
#include "eventstore/keys.h"
#include "eventstore/record_codec.h"
#include "eventstore/rocksdb_logger.h"
#include "eventstore/rocksdb_status.h"
#include "rocksdb/convenience.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"

namespace stipple::eventstore {
namespace {

// A ReadAll call examines at most this many events per event it may return.
constexpr size_t kScanFactor = 64;

rocksdb::Slice ToSlice(const std::string& s) { return rocksdb::Slice(s.data(), s.size()); }

// Stream versions and event ids are looked up one key at a time, and often absent (a new stream,
// a request's first attempt): Bloom filters over table files and over the memtable's keys answer
// those without a search.
rocksdb::ColumnFamilyOptions PointLookupOptions() {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  return options;
}

// The log is read whole by every rebuild and catch-up: LZ4 decompresses it faster than Snappy,
// RocksDB's default (RESULTS.md, "The rebuild: the log's pages"). Tables written with either read
// back (each block names its compression). A RocksDB built without LZ4 keeps its default.
rocksdb::ColumnFamilyOptions LogOptions() {
  rocksdb::ColumnFamilyOptions options;
  const std::vector<rocksdb::CompressionType> linked = rocksdb::GetSupportedCompressions();
  if (std::find(linked.begin(), linked.end(), rocksdb::kLZ4Compression) != linked.end()) {
    options.compression = rocksdb::kLZ4Compression;
  }
  return options;
}

std::vector<rocksdb::ColumnFamilyDescriptor> ColumnFamilies() {
  return {
      {kMetaColumnFamily, rocksdb::ColumnFamilyOptions()},
      {kEventsColumnFamily, LogOptions()},
      {kStreamsColumnFamily, PointLookupOptions()},
      {kStreamIndexColumnFamily, rocksdb::ColumnFamilyOptions()},
      {kEventIdsColumnFamily, PointLookupOptions()},
  };
}

bool SameContent(const ProposedEvent& proposed, const std::string& stream,
                 const RecordedEvent& recorded) {
  return recorded.stream == stream && recorded.type == proposed.type &&
         recorded.payload == proposed.payload && recorded.metadata == proposed.metadata;
}

}  // namespace

// One caller's append waiting in the queue.
struct RocksDbEventStore::QueuedAppend {
  explicit QueuedAppend(const std::vector<StreamAppend>& parts) : parts(parts) {
    for (const StreamAppend& part : parts) {
      for (const ProposedEvent& event : part.events) bytes += ApproximateSize(event);
    }
  }
  const std::vector<StreamAppend>& parts;
  size_t bytes = 0;
  absl::StatusOr<AppendResult> result = absl::InternalError("append not processed");
  bool done = false;
  absl::CondVar cv;
};

struct RocksDbEventStore::IdEntry {
  SharedEvent event;
  GlobalPosition append_first = 0;
  uint32_t append_count = 0;
};

// The leader's view of the log while it builds one group's WriteBatch: the durable state plus
// what earlier appends of the same group will write.
class RocksDbEventStore::GroupCommit {
 public:
  GroupCommit(RocksDbEventStore& store, absl::Time now)
      : store_(store),
        now_(now),
        next_position_(store.next_position_),
        last_hash_(store.last_hash_) {}

  // Decides one queued append: an idempotent replay, an error, or new events added to the batch.
  absl::StatusOr<AppendResult> Add(const std::vector<StreamAppend>& parts) {
    absl::StatusOr<std::optional<AppendResult>> replay = FindReplay(parts);
    if (!replay.ok()) return replay.status();
    if (replay->has_value()) return **replay;

    std::vector<StreamVersion> versions;
    for (const StreamAppend& part : parts) {
      absl::StatusOr<StreamVersion> current = Version(part.stream);
      if (!current.ok()) return current.status();
      if (!part.expected_version.IsSatisfiedBy(*current)) {
        return WrongExpectedVersionError(part.stream, part.expected_version, *current);
      }
      versions.push_back(*current);
    }

    // The id index remembers which append wrote each event (its first position and size), so a
    // replay must match one earlier append exactly.
    const GlobalPosition append_first = next_position_;
    uint32_t append_count = 0;
    for (const StreamAppend& part : parts) append_count += part.events.size();
    const std::string append_identity = EncodeU64(append_first) + EncodeU32(append_count);

    AppendResult result;
    for (size_t p = 0; p < parts.size(); ++p) {
      const StreamAppend& part = parts[p];
      StreamAppendResult& out = result.streams.emplace_back();
      out.stream = part.stream;
      StreamVersion version = versions[p];
      for (const ProposedEvent& proposed : part.events) {
        auto event = std::make_shared<RecordedEvent>();
        event->event_id = proposed.event_id;
        event->type = proposed.type;
        event->stream = part.stream;
        event->stream_version = ++version;
        event->position = next_position_++;
        event->recorded_at = now_;
        event->payload = proposed.payload;
        event->metadata = proposed.metadata;
        std::string canonical = EncodeCanonical(*event);
        event->hash = ChainHash(last_hash_, canonical);
        last_hash_ = event->hash;
        canonical.append(reinterpret_cast<const char*>(event->hash.data()), event->hash.size());

        std::string position_bytes = EncodeU64(event->position);
        batch_.Put(store_.events(), ToSlice(position_bytes), ToSlice(canonical));
        batch_.Put(store_.stream_index(), ToSlice(StreamIndexKey(part.stream, version)),
                   ToSlice(position_bytes));
        batch_.Put(store_.event_ids(), ToSlice(proposed.event_id),
                   ToSlice(position_bytes + append_identity));
        pending_ids_[proposed.event_id] = {event, append_first, append_count};
        out.positions.push_back(event->position);
        written_.push_back(std::move(event));
      }
      batch_.Put(store_.streams(), ToSlice(part.stream), ToSlice(EncodeU64(version)));
      pending_versions_[part.stream] = version;
      out.new_version = version;
    }
    return result;
  }

  rocksdb::WriteBatch* batch() { return &batch_; }
  const std::vector<SharedEvent>& written() const { return written_; }
  GlobalPosition next_position() const { return next_position_; }
  const EventHash& last_hash() const { return last_hash_; }
  // The version each stream this group writes ends at.
  const absl::flat_hash_map<std::string, StreamVersion>& new_versions() const {
    return pending_versions_;
  }

 private:
  absl::StatusOr<StreamVersion> Version(const std::string& stream) {
    if (auto it = pending_versions_.find(stream); it != pending_versions_.end()) return it->second;
    return store_.LeaderVersion(stream);
  }

  // The recorded event with `event_id`, in this group or in the log, with the append that wrote
  // it; nullopt when there is none.
  absl::StatusOr<std::optional<IdEntry>> Lookup(const std::string& event_id) {
    if (auto it = pending_ids_.find(event_id); it != pending_ids_.end()) return it->second;
    absl::StatusOr<std::optional<IdIndexValue>> index = store_.LookupId(event_id);
    if (!index.ok()) return index.status();
    if (!index->has_value()) return std::nullopt;
    absl::StatusOr<std::vector<RecordedEvent>> events =
        store_.ReadPositions({(*index)->position}, nullptr);
    if (!events.ok()) return events.status();
    return IdEntry{std::make_shared<const RecordedEvent>(std::move(events->front())),
                   (*index)->append_first, (*index)->append_count};
  }

  // The original result when every event id of `parts` is already recorded with the same content
  // as one earlier append; nullopt when none is; ALREADY_EXISTS otherwise.
  absl::StatusOr<std::optional<AppendResult>> FindReplay(const std::vector<StreamAppend>& parts) {
    AppendResult original;
    size_t found = 0, total = 0;
    std::string first_missing;
    std::optional<GlobalPosition> append_first;
    uint32_t append_count = 0;
    for (const StreamAppend& part : parts) {
      StreamAppendResult& out = original.streams.emplace_back();
      out.stream = part.stream;
      for (const ProposedEvent& proposed : part.events) {
        ++total;
        absl::StatusOr<std::optional<IdEntry>> recorded = Lookup(proposed.event_id);
        if (!recorded.ok()) return recorded.status();
        if (!recorded->has_value()) {
          if (first_missing.empty()) first_missing = proposed.event_id;
          continue;
        }
        ++found;
        const RecordedEvent& event = *(*recorded)->event;
        bool follows = out.positions.empty() || event.stream_version == out.new_version + 1;
        bool same_append = !append_first || *append_first == (*recorded)->append_first;
        append_first = (*recorded)->append_first;
        append_count = (*recorded)->append_count;
        if (!SameContent(proposed, part.stream, event) || !follows || !same_append) {
          return absl::AlreadyExistsError(absl::StrCat(
              "event id '", proposed.event_id, "' is already recorded (stream '", event.stream,
              "', version ", event.stream_version, ") with different content"));
        }
        out.positions.push_back(event.position);
        out.new_version = event.stream_version;
      }
    }
    if (found == 0) return std::nullopt;
    if (found < total) {
      return absl::AlreadyExistsError(
          absl::StrCat("some event ids of this append are already recorded but '", first_missing,
                       "' is not: event ids must not be reused across appends"));
    }
    if (found != append_count) {
      return absl::AlreadyExistsError(
          absl::StrCat("these event ids were written by an append of ", append_count,
                       " events; a retry must resend that append whole"));
    }
    return original;
  }

  RocksDbEventStore& store_;
  const absl::Time now_;
  GlobalPosition next_position_;
  EventHash last_hash_;
  rocksdb::WriteBatch batch_;
  std::vector<SharedEvent> written_;
  absl::flat_hash_map<std::string, StreamVersion> pending_versions_;
  absl::flat_hash_map<std::string, IdEntry> pending_ids_;
};

absl::StatusOr<std::unique_ptr<RocksDbEventStore>> RocksDbEventStore::Open(
    RocksDbEventStoreOptions options) {
  std::error_code mkdir_error;
  std::filesystem::create_directories(options.path, mkdir_error);
  if (mkdir_error) {
    return absl::UnavailableError(
        absl::StrCat("creating event store directory ", options.path, ": ", mkdir_error.message()));
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.info_log = StderrRocksDbLogger();
  // One memtable budget for all column families, so memory stays bounded as the log grows.
  db_options.db_write_buffer_size = 128 << 20;
  if (options.env != nullptr) db_options.env = options.env;

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.path, ColumnFamilies(), &handles, &raw_db);
  if (!s.ok()) return FromRocksDb(s, absl::StrCat("opening event store at ", options.path));
  std::unique_ptr<rocksdb::DB> db(raw_db);
  auto close_handles = [&] {
    for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
  };

  // The last event gives the head position and the hash the chain continues from.
  GlobalPosition head = 0;
  EventHash head_hash = kGenesisHash;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[1]));
    it->SeekToLast();
    if (it->Valid()) {
      absl::StatusOr<RecordedEvent> last = DecodeStoredRecord(it->value().ToStringView());
      if (!last.ok()) {
        close_handles();
        return absl::DataLossError(absl::StrCat("last event: ", last.status().message()));
      }
      head = last->position;
      head_hash = last->hash;
    } else if (!it->status().ok()) {
      close_handles();
      return FromRocksDb(it->status(), "reading the last event");
    }
  }

  std::string format;
  s = db->Get(rocksdb::ReadOptions(), handles[0], kFormatVersionKey, &format);
  if (s.IsNotFound() && head == 0) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    s = db->Put(sync, handles[0], kFormatVersionKey, EncodeU32(kFormatVersion));
    format = EncodeU32(kFormatVersion);
  }
  absl::Status format_status;
  if (s.IsNotFound()) {
    format_status = absl::FailedPreconditionError(
        absl::StrCat(options.path, " holds events but no format version: not a Stipple store"));
  } else if (!s.ok()) {
    format_status = FromRocksDb(s, "reading the format version");
  } else if (format.size() != 4 || DecodeU32(format.data()) != kFormatVersion) {
    format_status = absl::FailedPreconditionError(absl::StrCat(
        options.path, " has event store format ",
        format.size() == 4 ? absl::StrCat(DecodeU32(format.data())) : std::string("(corrupt)"),
        "; this build reads format ", kFormatVersion));
  }
  if (!format_status.ok()) {
    close_handles();
    return format_status;
  }
  return std::unique_ptr<RocksDbEventStore>(new RocksDbEventStore(
      std::move(options), std::move(db), std::move(handles), head, head_hash));
}

RocksDbEventStore::RocksDbEventStore(RocksDbEventStoreOptions options,
                                     std::unique_ptr<rocksdb::DB> db,
                                     std::vector<rocksdb::ColumnFamilyHandle*> handles,
                                     GlobalPosition head, EventHash head_hash)
    : options_(std::move(options)),
      db_(std::move(db)),
      handles_(std::move(handles)),
      next_position_(head + 1),
      last_hash_(head_hash),
      head_(head),
      feed_(std::make_shared<LiveFeed>(head)),
      page_cache_(options_.catch_up_cache_bytes > 0
                      ? std::make_shared<LogPageCache>(options_.catch_up_cache_bytes)
                      : nullptr) {}

RocksDbEventStore::~RocksDbEventStore() {
  feed_->Close();
  for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

absl::Status RocksDbEventStore::WriteHealth() const {
  absl::MutexLock lock(&mu_);
  return write_failure_;
}

absl::StatusOr<StreamAppendResult> RocksDbEventStore::Append(const StreamAppend& append) {
  absl::StatusOr<AppendResult> result = AppendMulti({append});
  if (!result.ok()) return result.status();
  return std::move(result->streams.front());
}

absl::StatusOr<AppendResult> RocksDbEventStore::AppendMulti(
    const std::vector<StreamAppend>& parts) {
  if (absl::Status valid = ValidateAppend(parts); !valid.ok()) return valid;

  QueuedAppend self(parts);
  mu_.Lock();
  queue_.push_back(&self);
  while (!self.done && queue_.front() != &self) self.cv.Wait(&mu_);
  if (self.done) {
    mu_.Unlock();
    return std::move(self.result);
  }

  // This append leads: take it and the queued ones behind it, up to the group's byte bound.
  std::vector<QueuedAppend*> group;
  size_t group_bytes = 0;
  for (QueuedAppend* queued : queue_) {
    if (!group.empty() && group_bytes + queued->bytes > options_.max_group_bytes) break;
    group.push_back(queued);
    group_bytes += queued->bytes;
  }
  absl::Status failure = write_failure_;
  mu_.Unlock();

  if (!failure.ok()) {
    failure = TryResume(failure);
    if (failure.ok()) {
      absl::MutexLock lock(&mu_);
      write_failure_ = absl::OkStatus();
    }
  }
  // Followers keep queueing while the leader writes and syncs; they form the next group.
  if (failure.ok()) {
    failure = CommitGroup(group);
  } else {
    for (QueuedAppend* queued : group) queued->result = failure;
  }

  mu_.Lock();
  if (!failure.ok() && write_failure_.ok()) write_failure_ = failure;
  for (size_t i = 0; i < group.size(); ++i) queue_.pop_front();
  // The next leader is signalled first: signals made under mu_ queue the waiters on mu_ in that
  // order, so it takes its group before the finished appends file out one by one (otherwise the
  // next write waited for about ten hand-offs of mu_).
  if (!queue_.empty()) queue_.front()->cv.Signal();
  for (QueuedAppend* queued : group) {
    queued->done = true;
    if (queued != &self) queued->cv.Signal();
  }
  mu_.Unlock();
  return std::move(self.result);
}

absl::Status RocksDbEventStore::CommitGroup(const std::vector<QueuedAppend*>& group) {
  // Stored with microsecond precision; live subscribers must see exactly what readers will.
  GroupCommit commit(*this, absl::FromUnixMicros(absl::ToUnixMicros(options_.clock())));
  for (QueuedAppend* queued : group) queued->result = commit.Add(queued->parts);
  if (commit.written().empty()) return absl::OkStatus();

  rocksdb::WriteOptions sync;
  sync.sync = true;
  rocksdb::Status s = db_->Write(sync, commit.batch());
  if (!s.ok()) {
    // The WAL may or may not hold the batch: nothing in it can be acknowledged, and nothing after
    // it can be written until RocksDB has resumed from a full disk (TryResume) or the server has
    // restarted (leveldb: "the state of the log file is indeterminate").
    absl::Status failure =
        s.IsNoSpace()
            ? absl::ResourceExhaustedError(absl::StrCat(
                  "event store is out of disk space; appends resume once space is freed: ",
                  s.ToString()))
            : absl::UnavailableError(absl::StrCat(
                  "event store stopped accepting writes after a failed write: ", s.ToString()));
    // Every result but a replay of events that were already durable was decided against this
    // batch (its writes, or its pending versions and ids): none of them holds.
    for (QueuedAppend* queued : group) {
      if (!queued->result.ok() || queued->result->last_position() >= next_position_) {
        queued->result = failure;
      }
    }
    return failure;
  }
  next_position_ = commit.next_position();
  last_hash_ = commit.last_hash();
  for (const auto& [stream, version] : commit.new_versions()) RememberVersion(stream, version);
  head_.store(next_position_ - 1, std::memory_order_release);
  feed_->Publish(commit.written());
  return absl::OkStatus();
}

absl::Status RocksDbEventStore::TryResume(const absl::Status& failure) {
  // Only a full disk is worth retrying: after a failed write or sync of another kind the file's
  // state is unknown (a retried fsync may report success for data that was dropped).
  if (failure.code() != absl::StatusCode::kResourceExhausted) return failure;
  const absl::Time now = absl::Now();
  if (now - last_resume_attempt_ < kResumeInterval) return failure;
  last_resume_attempt_ = now;
  // RocksDB flushes the memtables to new files and starts a new WAL, so a record the failed
  // write left half-written in the old one is never replayed.
  rocksdb::Status s = db_->Resume();
  if (!s.ok()) return failure;
  // The failed batch must not have reached the log: it ends where the store's state says.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events()));
  it->SeekToLast();
  const GlobalPosition on_disk = it->Valid() ? DecodeU64(it->key().data()) : 0;
  if (!it->status().ok() || on_disk != next_position_ - 1) {
    return absl::UnavailableError(absl::StrCat("event store found position ", on_disk,
                                               " on disk after a full disk, expected ",
                                               next_position_ - 1, "; restart the server"));
  }
  return absl::OkStatus();
}

absl::StatusOr<StreamVersion> RocksDbEventStore::LeaderVersion(const std::string& stream) {
  if (auto it = known_versions_.find(stream); it != known_versions_.end()) return it->second;
  absl::StatusOr<StreamVersion> version = CurrentVersion(stream, nullptr);
  if (version.ok()) RememberVersion(stream, *version);
  return version;
}

void RocksDbEventStore::RememberVersion(const std::string& stream, StreamVersion version) {
  if (options_.remembered_stream_versions == 0) return;
  if (known_versions_.size() >= options_.remembered_stream_versions &&
      !known_versions_.contains(stream)) {
    known_versions_.clear();
  }
  known_versions_[stream] = version;
}

absl::StatusOr<StreamVersion> RocksDbEventStore::CurrentVersion(
    const std::string& stream, const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::string value;
  rocksdb::Status s = db_->Get(read, streams(), ToSlice(stream), &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return FromRocksDb(s, "reading a stream's version");
  if (value.size() != 8) {
    return absl::DataLossError(absl::StrCat("version record of stream '", stream, "' is corrupt"));
  }
  return DecodeU64(value.data());
}

absl::StatusOr<std::vector<RecordedEvent>> RocksDbEventStore::ReadPositions(
    const std::vector<GlobalPosition>& positions, const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::vector<std::string> key_bytes;
  key_bytes.reserve(positions.size());
  for (GlobalPosition position : positions) key_bytes.push_back(EventKey(position));
  std::vector<rocksdb::Slice> keys(key_bytes.begin(), key_bytes.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(read, events(), keys.size(), keys.data(), values.data(), statuses.data());
  std::vector<RecordedEvent> out;
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      return absl::DataLossError(
          absl::StrCat("event at position ", positions[i], " is indexed but missing"));
    }
    if (!statuses[i].ok()) return FromRocksDb(statuses[i], "reading events");
    absl::StatusOr<RecordedEvent> event = DecodeStoredRecord(values[i].ToStringView());
    if (!event.ok()) {
      return absl::DataLossError(
          absl::StrCat("event at position ", positions[i], ": ", event.status().message()));
    }
    out.push_back(*std::move(event));
  }
  return out;
}

absl::StatusOr<StreamSlice> RocksDbEventStore::ReadStream(const std::string& stream,
                                                          StreamVersion from_version,
                                                          ReadDirection direction,
                                                          size_t limit) const {
  if (absl::Status valid = ValidateStreamName(stream); !valid.ok()) return valid;
  if (limit == 0) return absl::InvalidArgumentError("limit: must be positive");

  rocksdb::ManagedSnapshot snapshot(db_.get());
  absl::StatusOr<StreamVersion> current = CurrentVersion(stream, snapshot.snapshot());
  if (!current.ok()) return current.status();
  StreamSlice slice;
  slice.stream_version = *current;
  if (direction == ReadDirection::kForwards && from_version > *current) {
    slice.end_of_stream = true;  // Nothing after the end: no need for an iterator.
    return slice;
  }

  std::string lower = StreamIndexLowerBound(stream);
  std::string upper = StreamIndexUpperBound(stream);
  rocksdb::Slice lower_slice = ToSlice(lower), upper_slice = ToSlice(upper);
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.snapshot();
  read.iterate_lower_bound = &lower_slice;
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, stream_index()));

  std::vector<GlobalPosition> positions;
  StreamVersion last_version = 0;
  if (direction == ReadDirection::kForwards) {
    for (it->Seek(StreamIndexKey(stream, std::max<StreamVersion>(from_version, 1)));
         it->Valid() && positions.size() < limit; it->Next()) {
      positions.push_back(DecodeU64(it->value().data()));
      last_version = DecodeU64(it->key().data() + stream.size() + 1);
    }
    slice.end_of_stream = positions.empty() || last_version >= *current;
  } else {
    for (it->SeekForPrev(StreamIndexKey(stream, std::min(from_version, *current)));
         it->Valid() && positions.size() < limit; it->Prev()) {
      positions.push_back(DecodeU64(it->value().data()));
      last_version = DecodeU64(it->key().data() + stream.size() + 1);
    }
    slice.end_of_stream = positions.empty() || last_version <= 1;
  }
  if (!it->status().ok()) return FromRocksDb(it->status(), "reading a stream");
  absl::StatusOr<std::vector<RecordedEvent>> events = ReadPositions(positions, snapshot.snapshot());
  if (!events.ok()) return events.status();
  slice.events = *std::move(events);
  return slice;
}

absl::StatusOr<LogSlice> RocksDbEventStore::ReadAll(GlobalPosition from_position, size_t limit,
                                                    const EventFilter& filter) const {
  if (limit == 0) return absl::InvalidArgumentError("limit: must be positive");
  from_position = std::max<GlobalPosition>(from_position, 1);
  LogSlice slice;
  slice.next_position = from_position;
  // Grown one event at a time, the list moved its events at each doubling and took new memory.
  // A filtered read may match few events: it grows as they come.
  if (filter.stream_prefix.empty() && filter.event_types.empty()) {
    slice.events.reserve(std::min<size_t>(limit, 1024));
  }
  const size_t max_examined = limit * kScanFactor;
  size_t examined = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events()));
  for (it->Seek(EventKey(from_position));
       it->Valid() && slice.events.size() < limit && examined < max_examined; it->Next()) {
    ++examined;
    absl::StatusOr<RecordedEvent> event = DecodeStoredRecord(it->value().ToStringView());
    if (!event.ok()) {
      return absl::DataLossError(absl::StrCat("event at position ", DecodeU64(it->key().data()),
                                              ": ", event.status().message()));
    }
    slice.next_position = event->position + 1;
    if (filter.Matches(*event)) slice.events.push_back(*std::move(event));
  }
  if (!it->status().ok()) return FromRocksDb(it->status(), "reading the log");
  slice.end_of_log = !it->Valid();
  return slice;
}

absl::StatusOr<std::optional<RocksDbEventStore::IdIndexValue>> RocksDbEventStore::LookupId(
    const std::string& event_id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), event_ids(), ToSlice(event_id), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocksDb(s, "reading the event id index");
  if (value.size() != 20) {
    return absl::DataLossError(
        absl::StrCat("event id index entry for '", event_id, "' is corrupt"));
  }
  return IdIndexValue{DecodeU64(value.data()), DecodeU64(value.data() + 8),
                      DecodeU32(value.data() + 16)};
}

absl::StatusOr<std::optional<RecordedEvent>> RocksDbEventStore::FindEvent(
    const std::string& event_id) const {
  absl::StatusOr<std::optional<IdIndexValue>> index = LookupId(event_id);
  if (!index.ok()) return index.status();
  if (!index->has_value()) return std::nullopt;
  absl::StatusOr<std::vector<RecordedEvent>> events = ReadPositions({(*index)->position}, nullptr);
  if (!events.ok()) return events.status();
  return std::move(events->front());
}

GlobalPosition RocksDbEventStore::HeadPosition() const {
  return head_.load(std::memory_order_acquire);
}

std::unique_ptr<Subscription> RocksDbEventStore::Subscribe(GlobalPosition after_position,
                                                           EventFilter filter,
                                                           SubscribeOptions options) {
  return std::make_unique<CatchUpSubscription>(*this, feed_, after_position, std::move(filter),
                                               options, page_cache_);
}

absl::StatusOr<VerifyReport> RocksDbEventStore::Verify(GlobalPosition from,
                                                       GlobalPosition to) const {
  if (from == 0 || from > to) {
    return absl::InvalidArgumentError(
        absl::StrCat("verify range [", from, ", ", to, "]: from must be ≥ 1 and ≤ to"));
  }
  VerifyReport report;
  auto fail = [&report](GlobalPosition position, std::string reason) {
    report.ok = false;
    report.first_bad_position = position;
    report.reason = std::move(reason);
    return report;
  };
  to = std::min(to, HeadPosition());
  if (from > to) return report;

  EventHash previous = kGenesisHash;
  if (from > 1) {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), events(), EventKey(from - 1), &value);
    if (s.IsNotFound()) return fail(from - 1, "event is missing");
    if (!s.ok()) return FromRocksDb(s, "reading the event before the verified range");
    if (value.size() < previous.size()) return fail(from - 1, "record is shorter than its hash");
    std::copy(value.end() - previous.size(), value.end(), previous.begin());
  }

  std::string upper = EventKey(to + 1);
  rocksdb::Slice upper_slice = ToSlice(upper);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, events()));
  GlobalPosition expected = from;
  for (it->Seek(EventKey(from)); it->Valid(); it->Next(), ++expected) {
    GlobalPosition position = it->key().size() == 8 ? DecodeU64(it->key().data()) : 0;
    if (position != expected) return fail(expected, "event is missing");
    const std::string_view value = it->value().ToStringView();
    absl::StatusOr<RecordedEvent> event = DecodeStoredRecord(value);
    if (!event.ok()) return fail(position, std::string(event.status().message()));
    if (event->position != position) {
      return fail(position, absl::StrCat("record claims position ", event->position));
    }
    EventHash computed = ChainHash(previous, *CanonicalPart(value));
    if (computed != event->hash) {
      return fail(position, absl::StrCat("hash mismatch: stored ", HashToHex(event->hash),
                                         ", computed ", HashToHex(computed)));
    }
    previous = event->hash;
    ++report.events_checked;
  }
  if (!it->status().ok()) return FromRocksDb(it->status(), "reading the log");
  if (expected <= to) return fail(expected, "event is missing");
  return report;
}

}  // namespace stipple::eventstore
