#include "projections/write_only_entries.h"

#include <algorithm>
#include <cstring>

namespace stipple::projections {

void WriteOnlyEntries::Add(std::string_view key, std::string_view value) {
  // Key and value side by side: one room check, and a write reads them together.
  char* key_copy = Room(key.size() + value.size());
  char* value_copy = key_copy + key.size();
  if (!key.empty()) std::memcpy(key_copy, key.data(), key.size());
  if (!value.empty()) std::memcpy(value_copy, value.data(), value.size());
  entries_.push_back({{key_copy, key.size()}, {value_copy, value.size()}});
}

char* WriteOnlyEntries::Room(size_t size) {
  if (blocks_.empty() || blocks_.back().size - last_used_ < size) {
    const size_t block_size = std::max(kBlockBytes, size);  // An oversized entry: a block alone.
    blocks_.push_back({std::make_unique_for_overwrite<char[]>(block_size), block_size});
    block_bytes_ += block_size;
    last_used_ = 0;
  }
  char* room = blocks_.back().bytes.get() + last_used_;
  last_used_ += size;
  return room;
}

void WriteOnlyEntries::Clear() {
  entries_.clear();
  if (entries_.capacity() > kEntriesKept) entries_ = {};
  last_used_ = 0;
  const bool keep_first = !blocks_.empty() && blocks_.front().size == kBlockBytes;
  blocks_.erase(blocks_.begin() + (keep_first ? 1 : 0), blocks_.end());
  block_bytes_ = keep_first ? kBlockBytes : 0;
}

}  // namespace stipple::projections
