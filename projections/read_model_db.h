#ifndef STIPPLE_PROJECTIONS_READ_MODEL_DB_H_
#define STIPPLE_PROJECTIONS_READ_MODEL_DB_H_

// The projections' own RocksDB database, apart from the event log. Each projection keeps its read
// model and checkpoint in a column family of its own, one per generation ("client_summary#3"), so
// a rebuild fills a new generation while the old one serves, then swaps.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"

namespace stipple::projections {

// A column family holding one generation of a read model. Dropped from the database when the
// last holder lets go after it was retired. The handle belongs to the ReadModelDb.
class Generation {
 public:
  Generation(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle) : db_(db), handle_(handle) {}
  ~Generation();
  Generation(const Generation&) = delete;
  Generation& operator=(const Generation&) = delete;

  rocksdb::DB* db() const { return db_; }
  rocksdb::ColumnFamilyHandle* handle() const { return handle_; }
  std::string name() const { return handle_->GetName(); }
  void Retire() { retired_ = true; }  // Drop the column family when destroyed.
  // Table files per level, non-empty levels only: "4:1 5:1 6:1" (for diagnostics).
  std::string FilesByLevel() const;

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* handle_;
  bool retired_ = false;
};

class ReadModelDb {
 public:
  // Opens or creates the database under `path`. Errors as RocksDB's open, mapped to absl codes.
  // `env`: RocksDB's default when null (tests pass one over a failing file system).
  static absl::StatusOr<std::unique_ptr<ReadModelDb>> Open(const std::string& path,
                                                           rocksdb::Env* env = nullptr);
  ~ReadModelDb();

  // The generation that serves `projection`, created empty if there is none yet.
  absl::StatusOr<std::shared_ptr<Generation>> Active(const std::string& projection);

  // A new, empty generation for `projection` (not yet serving).
  absl::StatusOr<std::shared_ptr<Generation>> CreateGeneration(const std::string& projection);

  // Makes `next` the serving generation (durably) and retires the previous one.
  absl::Status Promote(const std::string& projection, const std::shared_ptr<Generation>& next,
                       const std::shared_ptr<Generation>& previous);

  rocksdb::DB* db() const { return db_.get(); }

  // A path in the database's directory for a table file that is about to be ingested. Such files
  // left over by a crash are deleted when the database is next opened.
  std::string NewIngestFilePath(const std::string& projection);

 private:
  explicit ReadModelDb(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

  std::unique_ptr<rocksdb::DB> db_;
  absl::Mutex mu_;
  // Every generation's handle by column family name (default excluded), destroyed on close.
  absl::flat_hash_map<std::string, rocksdb::ColumnFamilyHandle*> handles_ ABSL_GUARDED_BY(mu_);
  // The serving generation of each projection, while anyone holds it.
  absl::flat_hash_map<std::string, std::weak_ptr<Generation>> serving_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> next_generation_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> ingest_files_{0};
};

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_READ_MODEL_DB_H_
