#include "projections/model_cache.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "projections/deterministic_bytes.h"

namespace stipple::projections {
namespace {

// A decoded message takes several times its encoded size (fields, sub-messages, string headers).
// A rough figure, fixed until the message is encoded again: so a new message, which fills as
// events arrive, is counted at what a full client summary takes (about 1 KiB).
size_t DecodedCost(size_t encoded_size) { return std::max<size_t>(1024, 4 * encoded_size + 256); }

}  // namespace

static_assert(std::endian::native == std::endian::little,
              "KeyLess byte-swaps words read in the machine's order");

bool KeyLess(std::string_view a, std::string_view b) {
  const size_t common = std::min(a.size(), b.size());
  size_t i = 0;
  for (; i + 8 <= common; i += 8) {
    uint64_t x;
    uint64_t y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    // Big-endian, the first differing byte decides, as in memcmp.
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y);
  }
  for (; i < common; ++i) {
    if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  }
  return a.size() < b.size();
}

// A rough per-entry overhead (hash slot, string headers, allocator) on top of the bytes.
size_t ModelCache::Cost(const std::string& key, const std::optional<std::string>& value) {
  constexpr size_t kEntryOverhead = 96;
  return kEntryOverhead + key.size() + (value.has_value() ? value->size() : 0);
}

const std::optional<std::string>* ModelCache::Find(const std::string& key) {
  static const std::optional<std::string> kAbsent;
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    Entry& entry = it->second;  // Nodes stay put while Encode adds implied keys.
    if (entry.decoded) Encode(entry);
    return &entry.value;
  }
  return complete_ ? &kAbsent : nullptr;
}

void ModelCache::Encode(Entry& entry) {
  ++decoded_epoch_;
  // Taken out of the entry first: the entry holds bytes from here on, whatever Change does below.
  const std::unique_ptr<DecodedForm> decoded = std::move(entry.decoded);
  bytes_ -= decoded->cost;
  entry.value = DeterministicBytes(*decoded->message);
  bytes_ += entry.value->size();
  if (decoded->implied != nullptr) {
    const std::vector<std::string> implied = decoded->implied(*decoded->message);
    const std::vector<std::string>& before = decoded->implied_before;
    auto listed = [](const std::vector<std::string>& keys, const std::string& key) {
      return std::find(keys.begin(), keys.end(), key) != keys.end();
    };
    for (const std::string& key : before) {
      if (!listed(implied, key)) Change(key, std::nullopt);
    }
    for (const std::string& key : implied) {
      if (!listed(before, key)) Change(key, "");
    }
  }
}

void ModelCache::Uncount(const std::string& key, Entry& entry) {
  size_t decoded_cost = 0;
  if (entry.decoded) {
    ++decoded_epoch_;
    decoded_cost = entry.decoded->cost;
  }
  bytes_ -= Cost(key, entry.value) + decoded_cost;
  entry.decoded.reset();
}

void ModelCache::ListChanged(Entries::value_type& entry) {
  if (!entry.second.changed) {
    changed_.push_back(&entry);
    bytes_ += sizeof(changed_[0]);
  }
  entry.second.changed = true;
}

const std::optional<std::string>* ModelCache::Remember(const std::string& key,
                                                       std::optional<std::string> value) {
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& entry = it->second;
  if (!inserted) Uncount(key, entry);
  bytes_ += Cost(key, value);
  entry.value = std::move(value);
  return &entry.value;
}

void ModelCache::Change(const std::string& key, std::optional<std::string> value) {
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& entry = it->second;
  if (entry.implies_keys) {
    // The keys it implies would be left as they are: a projection's error, not the data's.
    std::fprintf(stderr, "read model entry %s implies keys: changed other than in place\n",
                 key.c_str());
    std::abort();
  }
  if (inserted) {
    // In a complete cache an unknown key is known to be absent from the database.
    entry.maybe_stored = !complete_;
  } else {
    Uncount(key, entry);
  }
  bytes_ += Cost(key, value);
  entry.value = std::move(value);
  ListChanged(*it);
}

void ModelCache::AddWriteOnly(std::string_view key, std::string_view value) {
  write_only_.Add(key, value);
}

google::protobuf::MessageLite* ModelCache::Decoded(const std::string& key) {
  auto it = entries_.find(key);
  // A decoded entry is always listed as changed: it is encoded whenever changes are listed.
  return it != entries_.end() && it->second.decoded ? it->second.decoded->message.get() : nullptr;
}

google::protobuf::MessageLite* ModelCache::HoldDecoded(
    const std::string& key, std::unique_ptr<google::protobuf::MessageLite> message,
    ImpliedKeys implied, bool new_entry) {
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& entry = it->second;
  size_t encoded_size = 0;
  if (inserted) {
    entry.maybe_stored = !complete_;
  } else {
    if (entry.value.has_value()) encoded_size = entry.value->size();
    Uncount(key, entry);
    entry.value.reset();
  }
  entry.decoded = std::make_unique<DecodedForm>();
  DecodedForm& decoded = *entry.decoded;
  decoded.message = std::move(message);
  decoded.cost = DecodedCost(encoded_size);
  if (implied != nullptr) {
    entry.implies_keys = true;
    decoded.implied = implied;
    if (!new_entry) decoded.implied_before = implied(*decoded.message);
    for (const std::string& implied_key : decoded.implied_before) {
      decoded.cost += sizeof(implied_key) + implied_key.size();
    }
  }
  bytes_ += Cost(key, std::nullopt) + decoded.cost;
  ListChanged(*it);
  return decoded.message.get();
}

// Deleting what was never written needs no write: the entry stays (listed once) until written.
bool ModelCache::NothingToWrite(const Entry& entry) {
  return !entry.decoded && !entry.value.has_value() && !entry.maybe_stored;
}

const std::vector<ModelCache::ChangeRef>& ModelCache::SortedChanges() {
  std::vector<ChangeRef>& changes = sorted_;
  changes.clear();
  changes.reserve(changed_.size() + write_only_.entries().size());
  // Listed entries stay until written. Encoding one may list the keys it implies: by index.
  for (size_t i = 0; i < changed_.size(); ++i) {
    Entries::value_type* changed = changed_[i];
    Entry& entry = changed->second;
    if (entry.decoded) Encode(entry);
    if (NothingToWrite(entry)) continue;
    changes.push_back({changed->first,
                       entry.value ? std::optional<std::string_view>(*entry.value) : std::nullopt});
  }
  for (const WriteOnlyEntries::Entry& entry : write_only_.entries()) {
    changes.push_back({entry.key, entry.value});
  }
  std::sort(changes.begin(), changes.end(),
            [](const ChangeRef& a, const ChangeRef& b) { return KeyLess(a.key, b.key); });
  // A table file takes each key once: a write-only key is added once and never changed.
  assert(std::adjacent_find(changes.begin(), changes.end(),
                            [](const ChangeRef& a, const ChangeRef& b) {
                              return a.key == b.key;
                            }) == changes.end());
  return changes;
}

void ModelCache::MarkWritten() {
  bytes_ -= changed_.size() * sizeof(changed_[0]);
  for (Entries::value_type* changed : changed_) {
    Entry& entry = changed->second;
    // Written as SortedChanges listed (and encoded) it: a change since would be lost.
    assert(!entry.decoded);
    // A complete cache says a key it does not hold is absent; so does an unwritten delete.
    if (!NothingToWrite(entry)) {
      entry.changed = false;
      entry.maybe_stored = true;
    } else {
      bytes_ -= Cost(changed->first, entry.value);
      entries_.erase(changed->first);
    }
  }
  changed_.clear();
  write_only_.Clear();
  if (bytes_ > budget_bytes_) Clear();  // Nothing unwritten is left to lose.
}

void ModelCache::ReleaseListMemory() { sorted_ = std::vector<ChangeRef>(); }

void ModelCache::Clear() {
  ++decoded_epoch_;
  entries_.clear();
  changed_.clear();
  write_only_.Clear();
  bytes_ = 0;
  complete_ = false;
}

}  // namespace stipple::projections
