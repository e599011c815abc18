#include "projections/projection.h"

#include "eventstore/rocksdb_status.h"

namespace stipple::projections {

absl::StatusOr<std::optional<std::string>> ModelWriter::Get(const std::string& key) {
  std::string value;
  rocksdb::Status s = batch_.GetFromBatchAndDB(generation_.db(), rocksdb::ReadOptions(),
                                               generation_.handle(), key, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return eventstore::FromRocksDb(s, "reading a read model");
  return value;
}

void ModelWriter::Put(const std::string& key, const std::string& value) {
  batch_.Put(generation_.handle(), key, value);
}

void ModelWriter::Delete(const std::string& key) { batch_.Delete(generation_.handle(), key); }

}  // namespace stipple::projections
