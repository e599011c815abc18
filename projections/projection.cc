#include "projections/projection.h"

#include "eventstore/rocksdb_status.h"

namespace stipple::projections {

absl::StatusOr<std::optional<std::string>> ModelWriter::Get(const std::string& key) {
  absl::StatusOr<const std::optional<std::string>*> value = Lookup(key);
  if (!value.ok()) return value.status();
  return **value;
}

absl::StatusOr<const std::optional<std::string>*> ModelWriter::Lookup(const std::string& key) {
  if (const std::optional<std::string>* cached = cache_.Find(key)) return cached;
  std::string value;
  rocksdb::Status s =
      generation_.db()->Get(rocksdb::ReadOptions(), generation_.handle(), key, &value);
  if (!s.ok() && !s.IsNotFound()) return eventstore::FromRocksDb(s, "reading a read model");
  std::optional<std::string> found;
  if (s.ok()) found = std::move(value);
  return cache_.Remember(key, std::move(found));
}

}  // namespace stipple::projections
