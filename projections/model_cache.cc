#include "projections/model_cache.h"

#include <algorithm>

namespace stipple::projections {

// A rough per-entry overhead (hash slot, string headers, allocator) on top of the bytes.
size_t ModelCache::Cost(const std::string& key, const std::optional<std::string>& value) {
  constexpr size_t kEntryOverhead = 96;
  return kEntryOverhead + key.size() + (value.has_value() ? value->size() : 0);
}

const std::optional<std::string>* ModelCache::Find(const std::string& key) const {
  static const std::optional<std::string> kAbsent;
  auto it = entries_.find(key);
  if (it != entries_.end()) return &it->second.value;
  return complete_ ? &kAbsent : nullptr;
}

void ModelCache::Remember(const std::string& key, std::optional<std::string> value) {
  auto [it, inserted] = entries_.try_emplace(key);
  if (!inserted) bytes_ -= Cost(key, it->second.value);
  bytes_ += Cost(key, value);
  it->second.value = std::move(value);
}

void ModelCache::Change(const std::string& key, std::optional<std::string> value, bool keep) {
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& entry = it->second;
  if (inserted) {
    entry.keep = keep;
    // In a complete cache an unknown key is known to be absent from the database.
    entry.maybe_stored = !complete_;
  } else {
    bytes_ -= Cost(key, entry.value);
    entry.keep = entry.keep || keep;
  }
  bytes_ += Cost(key, value);
  entry.value = std::move(value);
  if (!entry.changed) {
    changed_.push_back(&*it);
    bytes_ += sizeof(changed_[0]);
  }
  entry.changed = true;
}

// Deleting what was never written needs no write: the entry stays (listed once) until written.
bool ModelCache::NothingToWrite(const Entry& entry) {
  return !entry.value.has_value() && !entry.maybe_stored;
}

std::vector<ModelCache::ChangeRef> ModelCache::SortedChanges() const {
  std::vector<ChangeRef> changes;
  changes.reserve(changed_.size());
  for (const Entries::value_type* changed : changed_) {  // Listed entries stay until written.
    if (NothingToWrite(changed->second)) continue;
    changes.emplace_back(&changed->first, &changed->second.value);
  }
  std::sort(changes.begin(), changes.end(),
            [](const ChangeRef& a, const ChangeRef& b) { return *a.first < *b.first; });
  return changes;
}

void ModelCache::MarkWritten() {
  bytes_ -= changed_.size() * sizeof(changed_[0]);
  for (Entries::value_type* changed : changed_) {
    Entry& entry = changed->second;
    // A complete cache says a key it does not hold is absent; so does an unwritten delete.
    if (entry.keep && !NothingToWrite(entry)) {
      entry.changed = false;
      entry.maybe_stored = true;
    } else {
      bytes_ -= Cost(changed->first, entry.value);
      entries_.erase(changed->first);
    }
  }
  changed_.clear();
  if (bytes_ > budget_bytes_) Clear();  // Nothing unwritten is left to lose.
}

void ModelCache::Clear() {
  entries_.clear();
  changed_.clear();
  bytes_ = 0;
  complete_ = false;
}

}  // namespace stipple::projections
