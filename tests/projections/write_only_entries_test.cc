// Write-only entries: what goes in comes out, in order, across blocks, and is dropped on Clear.

#include "projections/write_only_entries.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace stipple::projections {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

std::vector<std::pair<std::string, std::string>> Listed(const WriteOnlyEntries& entries) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const WriteOnlyEntries::Entry& entry : entries.entries()) {
    out.emplace_back(std::string(entry.key), std::string(entry.value));
  }
  return out;
}

TEST(WriteOnlyEntriesTest, EntriesComeOutAsAddedAndCountTheirBytes) {
  WriteOnlyEntries entries;
  EXPECT_TRUE(entries.empty());
  EXPECT_EQ(entries.bytes(), 0u);
  entries.Add("h/2", "second");
  entries.Add("h/1", "");
  entries.Add("", "keyless");
  EXPECT_THAT(Listed(entries),
              ElementsAre(Pair("h/2", "second"), Pair("h/1", ""), Pair("", "keyless")));
  // One block holds them, and the list its few places.
  EXPECT_GE(entries.bytes(), WriteOnlyEntries::kBlockBytes);
  EXPECT_LT(entries.bytes(), WriteOnlyEntries::kBlockBytes + 1024);
}

TEST(WriteOnlyEntriesTest, AnEntryThatExactlyFillsABlockStaysInItAndTheNextStartsAnother) {
  constexpr size_t kBlock = WriteOnlyEntries::kBlockBytes;
  WriteOnlyEntries entries;
  const std::string first_value(kBlock - 10 - 5, 'a');
  entries.Add("first", first_value);
  entries.Add("12345", "67890");  // The last ten bytes of the block.
  EXPECT_LT(entries.bytes(), 2 * kBlock);
  entries.Add("", "b");
  EXPECT_GE(entries.bytes(), 2 * kBlock);
  EXPECT_THAT(Listed(entries),
              ElementsAre(Pair("first", first_value), Pair("12345", "67890"), Pair("", "b")));
}

TEST(WriteOnlyEntriesTest, ManyEntriesSpanBlocksAndAnOversizedOneStaysWhole) {
  WriteOnlyEntries entries;
  std::vector<std::pair<std::string, std::string>> added;
  // About 6 MiB in 600-byte entries (blocks are 1 MiB), with a 3 MiB one in the middle.
  for (int i = 0; i < 10000; ++i) {
    added.emplace_back("h/" + std::to_string(i), std::string(600, static_cast<char>('a' + i % 26)));
    if (i == 5000) added.emplace_back("big", std::string(3 << 20, 'z'));
  }
  for (const auto& [key, value] : added) entries.Add(key, value);
  EXPECT_EQ(Listed(entries), added);
}

TEST(WriteOnlyEntriesTest, ClearDropsEverythingAndLaterEntriesAreIntact) {
  WriteOnlyEntries entries;
  for (int i = 0; i < 5000; ++i) entries.Add("h/" + std::to_string(i), std::string(500, 'x'));
  entries.Add("big", std::string(2 << 20, 'y'));
  const size_t grown = entries.bytes();
  entries.Clear();
  EXPECT_TRUE(entries.empty());
  EXPECT_LT(entries.bytes(), grown / 4);  // One block is kept, the rest freed.
  entries.Add("after", "clear");
  entries.Add("more", std::string(1 << 20, 'm'));  // Past the block kept.
  EXPECT_THAT(Listed(entries),
              ElementsAre(Pair("after", "clear"), Pair("more", std::string(1 << 20, 'm'))));
}

TEST(WriteOnlyEntriesTest, AnOversizedFirstBlockIsNotKept) {
  WriteOnlyEntries entries;
  entries.Add("big", std::string(3 << 20, 'y'));
  entries.Clear();
  EXPECT_LT(entries.bytes(), WriteOnlyEntries::kBlockBytes);  // Neither it nor a usual one.
  entries.Add("k", "v");
  EXPECT_THAT(Listed(entries), ElementsAre(Pair("k", "v")));
}

}  // namespace
}  // namespace stipple::projections
