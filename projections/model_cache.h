#ifndef STIPPLE_PROJECTIONS_MODEL_CACHE_H_
#define STIPPLE_PROJECTIONS_MODEL_CACHE_H_

// What a runner holds in memory of one read-model generation: the entries it changed and has not
// yet written, and the entries it read or wrote recently. The runner is the generation's only
// writer, so a cached entry is never stale; folding a long log then reads RocksDB only for
// entries it has not met lately, and an entry that many events of a batch change is written once.
//
// An entry many events change (a client's summary) can be held decoded: the projection changes the
// message in place, and it is encoded once, when the changes are listed for writing, instead of
// decoded and encoded for every event.
//
// A cache that starts with an empty generation is complete: a key it does not hold is absent,
// with no read at all. It stays complete until it outgrows its budget.
//
// Write-only entries (history lines, one per event) are never read back: they are only listed for
// the next write, never looked up, and forgotten once written.
//
// An entry held decoded may imply other keys (a client summary's index keys), each stored with an
// empty value: the cache works them out from the message when it is first held and again when it
// is encoded, and changes the ones that differ, rather than the projection changing them at every
// event.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeindex>
#include <typeinfo>
#include <utility>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "google/protobuf/message_lite.h"
#include "projections/write_only_entries.h"

namespace stipple::projections {

// Whether `a` sorts before `b` in RocksDB's bytewise key order (that of memcmp, and of
// std::string_view), compared eight bytes at a time: a large write sorts hundreds of thousands of
// keys, and a call to memcmp for each comparison took most of the sort.
bool KeyLess(std::string_view a, std::string_view b);

class ModelCache {
 public:
  ModelCache(size_t budget_bytes, bool complete)
      : budget_bytes_(budget_bytes), complete_(complete) {}

  // The entry: a value, or nullopt for an absent key. Null when the cache does not know. An entry
  // held decoded is encoded first (and no longer held decoded).
  const std::optional<std::string>* Find(const std::string& key);
  // Records what the database holds for `key` (after a read that missed the cache), and returns
  // it as the cache holds it now (valid as Find's).
  const std::optional<std::string>* Remember(const std::string& key,
                                             std::optional<std::string> value);
  // Changes `key` (nullopt deletes it) until the next MarkWritten.
  void Change(const std::string& key, std::optional<std::string> value);
  // Adds a write-only entry for the next write. A projection never reads it back, never changes
  // it otherwise, and adds each key once.
  void AddWriteOnly(std::string_view key, std::string_view value);

  // The keys an entry's message implies, each stored with an empty value (see the top). A pure
  // function of the message; a key always implies keys through the same function, and no two
  // entries imply the same key. The keys it implies are kept up to date while the entry is held
  // as bytes; while it is held decoded they are as they were when it was first held, until it is
  // encoded.
  using ImpliedKeys = std::vector<std::string> (*)(const google::protobuf::MessageLite& message);

  // The message of `key` if the entry is held decoded, to be changed in place: the entry counts
  // as changed. Null otherwise.
  google::protobuf::MessageLite* Decoded(const std::string& key);
  // Holds `message` as the entry of `key` from now on, changed, and returns it. `implied` (may be
  // null) gives the keys the entry implies; `new_entry`: the message is not the model's value of
  // `key` but a new one for an absent entry, which implies no key yet. An entry with implied keys
  // is changed only in place, never with Change.
  google::protobuf::MessageLite* HoldDecoded(const std::string& key,
                                             std::unique_ptr<google::protobuf::MessageLite> message,
                                             ImpliedKeys implied = nullptr, bool new_entry = false);

  // The projection's memo of type `Memo` (see ModelWriter::memo): the one made since no entry held
  // decoded has been encoded or dropped, or else a new, empty one (also when the memo held is of
  // another type: a cache serves one projection, which keeps one type of memo).
  template <typename Memo>
  Memo& memo() {
    if (memo_ == nullptr || memo_epoch_ != decoded_epoch_ || memo_type_ != typeid(Memo)) {
      memo_ = std::make_shared<Memo>();
      memo_epoch_ = decoded_epoch_;
      memo_type_ = typeid(Memo);
    }
    return *static_cast<Memo*>(memo_.get());
  }

  // The changes since the last MarkWritten, in key order; no value deletes. Entries held
  // decoded are encoded (and no longer held decoded).
  // The list and its views are valid until the cache next changes (MarkWritten and Clear
  // included). Its memory is kept for the next write, outside the budget (40 bytes a change): a
  // catch-up writes hundreds of thousands of changes at a time, and a new list for each write
  // was memory touched for the first time (page faults) every time. ReleaseListMemory gives it
  // back.
  struct ChangeRef {
    std::string_view key;
    std::optional<std::string_view> value;
  };
  const std::vector<ChangeRef>& SortedChanges();
  // The changes are in the database. Over budget, every entry is forgotten (and the cache is no
  // longer complete).
  void MarkWritten();
  // Forgets everything, unwritten changes too; no longer complete.
  void Clear();
  // Gives back the memory SortedChanges keeps from write to write (once a catch-up's large writes
  // are over).
  void ReleaseListMemory();
  size_t list_bytes() const { return sorted_.capacity() * sizeof(ChangeRef); }

  bool complete() const { return complete_; }
  size_t bytes() const { return bytes_ + write_only_.bytes(); }
  size_t write_only_bytes() const { return write_only_.bytes(); }
  size_t budget() const { return budget_bytes_; }
  void set_budget(size_t budget_bytes) { budget_bytes_ = budget_bytes; }

 private:
  // An entry's decoded form: behind a pointer, so that the many entries held as bytes stay small.
  struct DecodedForm {
    std::unique_ptr<google::protobuf::MessageLite> message;
    size_t cost = 0;  // What it is counted as in `bytes_`.
    // The function of the keys it implies, and those keys as the model holds them (as they were
    // when it was first held).
    ImpliedKeys implied = nullptr;
    std::vector<std::string> implied_before;
  };
  struct Entry {
    std::optional<std::string> value;
    // When set, the entry's value (and `value` is unset): always a changed entry.
    std::unique_ptr<DecodedForm> decoded;
    bool changed = false;
    bool maybe_stored = true;   // The database may hold the key.
    bool implies_keys = false;  // Held with implied keys since it came into the cache.
  };
  using Entries = absl::node_hash_map<std::string, Entry>;  // Nodes do not move: `changed_` points.
  static size_t Cost(const std::string& key, const std::optional<std::string>& value);
  static bool NothingToWrite(const Entry& entry);
  // Encodes a decoded entry into its value, and changes the keys it implies that differ.
  void Encode(Entry& entry);
  // Takes the entry's value, decoded or not, out of `bytes_` and ends its decoded form.
  void Uncount(const std::string& key, Entry& entry);
  void ListChanged(Entries::value_type& entry);

  size_t budget_bytes_;
  bool complete_;
  // Counts the times a decoded message was encoded or dropped: a memo made before is stale.
  uint64_t decoded_epoch_ = 0;
  uint64_t memo_epoch_ = 0;
  std::shared_ptr<void> memo_;
  std::type_index memo_type_ = typeid(void);
  size_t bytes_ = 0;
  Entries entries_;
  std::vector<Entries::value_type*> changed_;  // Each changed entry once; counted in `bytes_`.
  WriteOnlyEntries write_only_;                // Counted in bytes(), not in `bytes_`.
  std::vector<ChangeRef> sorted_;              // What SortedChanges last listed.
};

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_MODEL_CACHE_H_
