#ifndef STIPPLE_PROJECTIONS_WRITE_ONLY_ENTRIES_H_
#define STIPPLE_PROJECTIONS_WRITE_ONLY_ENTRIES_H_

// Entries a projection writes once and never reads back (history lines, one per event), held
// until the next write. Each key and value is copied end to end into large blocks rather than
// kept as two heap strings in a growing vector of pairs: a bulk fold holds hundreds of thousands
// of them, and packed they cost about their own bytes, one copy each, and no allocation each.

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace stipple::projections {

class WriteOnlyEntries {
 public:
  struct Entry {
    std::string_view key;
    std::string_view value;
  };

  // Copies `key` and `value` in.
  void Add(std::string_view key, std::string_view value);
  // In the order added; the views are valid until Clear.
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  // The memory held: the blocks (a kept one too) and the list's capacity.
  size_t bytes() const { return block_bytes_ + entries_.capacity() * sizeof(Entry); }
  // Drops every entry. One block and a modest list are kept for the next ones (following the
  // live log, a few entries a batch); what a bulk fold grew is freed.
  void Clear();

  // Entries are packed into blocks of this size; a larger entry gets a block of its own.
  static constexpr size_t kBlockBytes = 1 << 20;

 private:
  static constexpr size_t kEntriesKept = 1 << 14;
  struct Block {
    std::unique_ptr<char[]> bytes;
    size_t size;
  };
  // Room for `size` bytes in the last block (a new block when it has too little).
  char* Room(size_t size);

  std::vector<Block> blocks_;
  size_t block_bytes_ = 0;  // The sizes of all blocks together.
  size_t last_used_ = 0;    // Bytes of the last block in use.
  std::vector<Entry> entries_;
};

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_WRITE_ONLY_ENTRIES_H_
