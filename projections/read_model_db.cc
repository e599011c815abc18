#include "projections/read_model_db.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "eventstore/rocksdb_logger.h"
#include "eventstore/rocksdb_status.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"

namespace stipple::projections {
namespace {

constexpr char kActivePrefix[] = "active/";  // default CF: projection → serving column family.
constexpr char kIngestFilePrefix[] = "ingest-";

// Table files written for ingestion but not ingested before a crash; RocksDB ignores them.
// ("bulk-" is what the first version with ingestion named them.) Called with the database open,
// so its lock keeps another process from sweeping files a running runner is writing.
void RemoveLeftoverIngestFiles(const std::string& path) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
    const std::string name = entry.path().filename().string();
    if ((absl::StartsWith(name, kIngestFilePrefix) || absl::StartsWith(name, "bulk-")) &&
        absl::EndsWith(name, ".sst")) {
      std::filesystem::remove(entry.path(), error);
    }
  }
}

// "client_summary#3" → ("client_summary", 3).
bool ParseGenerationName(const std::string& name, std::string* projection, int* generation) {
  size_t hash = name.rfind('#');
  if (hash == std::string::npos) return false;
  *projection = name.substr(0, hash);
  return absl::SimpleAtoi(absl::string_view(name).substr(hash + 1), generation);
}

// Queries and the projections' reads are point look-ups and short prefix scans: Bloom filters
// (per table, and over the memtable's whole keys) skip what lacks a key, and one block cache
// shared by every generation keeps hot entries in memory.
rocksdb::ColumnFamilyOptions GenerationOptions() {
  static const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(64 << 20);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions options;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  return options;
}

}  // namespace

Generation::~Generation() {
  if (retired_) db_->DropColumnFamily(handle_);
}

std::string Generation::FilesByLevel() const {
  std::string layout;
  for (int level = 0; level < db_->NumberLevels(handle_); ++level) {
    std::string files;
    db_->GetProperty(handle_, absl::StrCat("rocksdb.num-files-at-level", level), &files);
    if (files != "0") absl::StrAppend(&layout, layout.empty() ? "" : " ", level, ":", files);
  }
  return layout;
}

absl::StatusOr<std::unique_ptr<ReadModelDb>> ReadModelDb::Open(const std::string& path,
                                                               rocksdb::Env* env) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) return absl::UnavailableError(absl::StrCat("creating ", path, ": ", error.message()));
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  if (env != nullptr) options.env = env;
  options.info_log = eventstore::StderrRocksDbLogger();
  // One memtable budget for every generation's column family: memory stays bounded.
  options.db_write_buffer_size = 64 << 20;
  // Two compactions at a time (RocksDB's default is one, in a thread pool the event store shares):
  // a read model's full compaction after a large catch-up (ProjectionRunner) takes one for tens
  // of seconds, and the event store's and the other models' compactions go on in the other.
  options.max_background_jobs = 3;
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, path, &names).ok()) names = {"default"};
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) families.push_back({name, GenerationOptions()});
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, families, &handles, &raw);
  if (!s.ok()) return eventstore::FromRocksDb(s, absl::StrCat("opening read models at ", path));
  RemoveLeftoverIngestFiles(path);
  std::unique_ptr<ReadModelDb> db(new ReadModelDb(std::unique_ptr<rocksdb::DB>(raw)));
  absl::MutexLock lock(&db->mu_);
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    std::string projection;
    int generation = 0;
    if (ParseGenerationName(handle->GetName(), &projection, &generation)) {
      db->handles_[handle->GetName()] = handle;
      db->next_generation_[projection] = std::max(db->next_generation_[projection], generation + 1);
    } else {
      raw->DestroyColumnFamilyHandle(handle);  // default: reached through DefaultColumnFamily().
    }
  }
  return db;
}

std::string ReadModelDb::NewIngestFilePath(const std::string& projection) {
  return absl::StrCat(db_->GetName(), "/", kIngestFilePrefix, projection, "-", ++ingest_files_,
                      ".sst");
}

ReadModelDb::~ReadModelDb() {
  absl::MutexLock lock(&mu_);
  for (auto& [name, handle] : handles_) db_->DestroyColumnFamilyHandle(handle);
  handles_.clear();
}

absl::StatusOr<std::shared_ptr<Generation>> ReadModelDb::Active(const std::string& projection) {
  std::string active;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), absl::StrCat(kActivePrefix, projection), &active);
  if (s.IsNotFound()) {
    absl::StatusOr<std::shared_ptr<Generation>> created = CreateGeneration(projection);
    if (!created.ok()) return created.status();
    if (absl::Status promoted = Promote(projection, *created, nullptr); !promoted.ok()) {
      return promoted;
    }
    return created;
  }
  if (!s.ok()) return eventstore::FromRocksDb(s, "reading the active generation");
  absl::MutexLock lock(&mu_);
  if (std::shared_ptr<Generation> held = serving_[projection].lock()) return held;
  auto it = handles_.find(active);
  if (it == handles_.end()) {
    return absl::DataLossError(absl::StrCat("active generation ", active, " is missing"));
  }
  auto generation = std::make_shared<Generation>(db_.get(), it->second);
  serving_[projection] = generation;
  // Generations left over from an interrupted rebuild are dropped.
  for (const auto& [name, handle] : handles_) {
    std::string owner;
    int number = 0;
    if (name != active && ParseGenerationName(name, &owner, &number) && owner == projection) {
      db_->DropColumnFamily(handle);
    }
  }
  return generation;
}

absl::StatusOr<std::shared_ptr<Generation>> ReadModelDb::CreateGeneration(
    const std::string& projection) {
  int number;
  {
    absl::MutexLock lock(&mu_);
    number = next_generation_[projection]++;
  }
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  rocksdb::Status s =
      db_->CreateColumnFamily(GenerationOptions(), absl::StrCat(projection, "#", number), &handle);
  if (!s.ok()) return eventstore::FromRocksDb(s, "creating a read-model generation");
  absl::MutexLock lock(&mu_);
  handles_[handle->GetName()] = handle;
  return std::make_shared<Generation>(db_.get(), handle);
}

absl::Status ReadModelDb::Promote(const std::string& projection,
                                  const std::shared_ptr<Generation>& next,
                                  const std::shared_ptr<Generation>& previous) {
  rocksdb::WriteOptions sync;
  sync.sync = true;
  rocksdb::Status s = db_->Put(sync, absl::StrCat(kActivePrefix, projection), next->name());
  if (!s.ok()) return eventstore::FromRocksDb(s, "promoting a read-model generation");
  if (previous != nullptr) previous->Retire();
  absl::MutexLock lock(&mu_);
  serving_[projection] = next;
  return absl::OkStatus();
}

}  // namespace stipple::projections
