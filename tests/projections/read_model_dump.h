#ifndef STIPPLE_TESTS_PROJECTIONS_READ_MODEL_DUMP_H_
#define STIPPLE_TESTS_PROJECTIONS_READ_MODEL_DUMP_H_

// Every key and value of a read-model generation, for comparing two builds of one model.

#include <map>
#include <memory>
#include <string>

#include "projections/read_model_db.h"

namespace stipple::testing {

inline std::map<std::string, std::string> Dump(const projections::Generation& generation) {
  std::map<std::string, std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(
      generation.db()->NewIterator(rocksdb::ReadOptions(), generation.handle()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out[it->key().ToString()] = it->value().ToString();
  }
  return out;
}

}  // namespace stipple::testing

#endif  // STIPPLE_TESTS_PROJECTIONS_READ_MODEL_DUMP_H_
