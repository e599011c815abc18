// The runner's cache of a read-model generation: what it answers without reading, what it writes,
// and what it forgets.

#include "projections/model_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "projections/deterministic_bytes.h"
#include "stipple/projections/v1/read_models.pb.h"

namespace stipple::projections {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

// The pending changes as (key, value or "<deleted>").
std::vector<std::pair<std::string, std::string>> Changes(ModelCache& cache) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : cache.SortedChanges()) {
    out.emplace_back(key, value ? std::string(*value) : "<deleted>");
  }
  return out;
}

// Changes are sorted for a table file, which takes keys in RocksDB's bytewise order.
TEST(KeyLessTest, OrdersKeysAsMemcmpDoesBytesAboveSevenBitsAndPrefixesIncluded) {
  std::vector<std::string> keys = {"",
                                   "a",
                                   "ab",
                                   "abcdefgh",
                                   std::string("abcdefgh\0", 9),
                                   "abcdefghi",
                                   "abcdefgi",
                                   std::string("h/c1\0\0\0\0\0\0\0\0\1", 13),
                                   std::string("h/c1\0\0\0\0\0\0\0\0\xff", 13),
                                   "\x7f",
                                   "\x80",
                                   "\xff\xff\xff\xff\xff\xff\xff\xff\x01"};
  std::mt19937 random(7);
  for (int i = 0; i < 300; ++i) {
    std::string key(random() % 20, '\0');
    // Few distinct bytes, so that keys share long prefixes.
    for (char& c : key) c = "\0\x01a\x7f\x80\xff"[random() % 6];
    keys.push_back(key);
  }
  for (const std::string& a : keys) {
    for (const std::string& b : keys) {
      ASSERT_EQ(KeyLess(a, b), std::string_view(a) < std::string_view(b))
          << absl::CEscape(a) << " vs " << absl::CEscape(b);
    }
  }
}

TEST(ModelCacheTest, ACompleteCacheKnowsUnheldKeysAreAbsentAnIncompleteOneDoesNot) {
  ModelCache complete(1 << 20, /*complete=*/true);
  ASSERT_NE(complete.Find("k"), nullptr);
  EXPECT_FALSE(complete.Find("k")->has_value());
  ModelCache partial(1 << 20, /*complete=*/false);
  EXPECT_EQ(partial.Find("k"), nullptr);
  partial.Remember("k", std::nullopt);
  ASSERT_NE(partial.Find("k"), nullptr);
  EXPECT_FALSE(partial.Find("k")->has_value());
}

TEST(ModelCacheTest, ChangesAreListedOnceInKeyOrderWithTheirLastValue) {
  ModelCache cache(1 << 20, /*complete=*/false);
  cache.Change("b", "1");
  cache.Change("a", "2");
  cache.Change("b", "3");
  cache.Change("c", std::nullopt);  // Perhaps stored: the delete is written.
  EXPECT_THAT(Changes(cache), ElementsAre(Pair("a", "2"), Pair("b", "3"), Pair("c", "<deleted>")));
  EXPECT_EQ(**cache.Find("b"), "3");
  cache.MarkWritten();
  EXPECT_THAT(Changes(cache), ::testing::IsEmpty());
  EXPECT_EQ(**cache.Find("b"), "3");  // Kept, clean.
}

// The list of changes keeps its memory from write to write until given back; each write lists
// exactly its own changes either way.
TEST(ModelCacheTest, EachWriteListsItsOwnChangesAndTheListIsKeptUntilGivenBack) {
  ModelCache cache(64 << 20, /*complete=*/false);
  size_t kept_after_largest = 0;
  for (int size : {20000, 3, 19000, 0, 5000}) {
    for (int i = 0; i < size; ++i) cache.Change(absl::StrCat("k", 100000 + i), "v");
    const std::vector<ModelCache::ChangeRef>& listed = cache.SortedChanges();
    ASSERT_EQ(listed.size(), static_cast<size_t>(size));
    for (int i = 0; i < size; ++i) ASSERT_EQ(listed[i].key, absl::StrCat("k", 100000 + i));
    cache.MarkWritten();
    if (size == 20000) kept_after_largest = cache.list_bytes();
    EXPECT_GE(cache.list_bytes(), 20000 * sizeof(ModelCache::ChangeRef));
  }
  EXPECT_EQ(cache.list_bytes(), kept_after_largest) << "smaller writes reuse the list";
  cache.ReleaseListMemory();
  EXPECT_EQ(cache.list_bytes(), 0u);
  cache.Change("a", "1");
  EXPECT_THAT(Changes(cache), ElementsAre(Pair("a", "1")));
}

TEST(ModelCacheTest, InACompleteCacheDeletingWhatWasNeverWrittenWritesNothing) {
  ModelCache cache(1 << 20, /*complete=*/true);
  cache.Change("index/old", "");
  cache.Change("index/old", std::nullopt);
  cache.Change("gone", std::nullopt);
  EXPECT_THAT(Changes(cache), ::testing::IsEmpty());
  EXPECT_FALSE(cache.Find("index/old")->has_value());
  // Once written, a delete must reach the database.
  cache.Change("index/new", "");
  cache.MarkWritten();
  cache.Change("index/new", std::nullopt);
  EXPECT_THAT(Changes(cache), ElementsAre(Pair("index/new", "<deleted>")));
  // Written, deleted and written again within one batch: listed once.
  cache.Change("again", "1");
  cache.Change("again", std::nullopt);
  cache.Change("again", "2");
  EXPECT_THAT(Changes(cache), ElementsAre(Pair("again", "2"), Pair("index/new", "<deleted>")));
}

TEST(ModelCacheTest, AKeyAddedAndDeletedOverAndOverCostsTheSameMemoryAsOnce) {
  ModelCache cache(1 << 20, /*complete=*/true);
  cache.Change("slot", "booked");
  cache.Change("slot", std::nullopt);
  const size_t once = cache.bytes();
  EXPECT_GT(once, 0u);  // The listed key is counted until written.
  for (int i = 0; i < 10000; ++i) {
    cache.Change("slot", "booked");
    cache.Change("slot", std::nullopt);
  }
  EXPECT_EQ(cache.bytes(), once);
  EXPECT_THAT(Changes(cache), ::testing::IsEmpty());
  cache.MarkWritten();
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_TRUE(cache.complete());
  EXPECT_FALSE(cache.Find("slot")->has_value());
}

TEST(ModelCacheTest, WriteOnlyEntriesAreListedInKeyOrderWithTheOthersAndForgottenOnceWritten) {
  ModelCache cache(1 << 20, /*complete=*/false);
  cache.AddWriteOnly("history/2", "second");
  cache.Change("summary", "s");
  cache.AddWriteOnly("history/1", "first");
  EXPECT_GT(cache.bytes(), 0u);
  EXPECT_THAT(Changes(cache), ElementsAre(Pair("history/1", "first"), Pair("history/2", "second"),
                                          Pair("summary", "s")));
  EXPECT_EQ(cache.Find("history/1"), nullptr);  // Never looked up.
  cache.MarkWritten();
  EXPECT_THAT(Changes(cache), ElementsAre());
  EXPECT_EQ(**cache.Find("summary"), "s");
  cache.Clear();
  cache.AddWriteOnly("history/3", "third");
  cache.Clear();  // Unwritten write-only entries are dropped too.
  EXPECT_THAT(Changes(cache), ElementsAre());
}

TEST(ModelCacheTest, WriteOnlyEntriesAloneFillTheBudgetAndWrittenLeaveTheCacheComplete) {
  constexpr size_t kBudget = 4 << 20;
  ModelCache cache(kBudget, /*complete=*/true);
  int added = 0;
  constexpr int kEnough = 100000;  // 100-byte lines: far past the budget if counted at all.
  while (cache.bytes() <= kBudget && added < kEnough) {
    cache.AddWriteOnly("h/" + std::to_string(added++), std::string(100, 'x'));
  }
  EXPECT_LT(added, kEnough);
  EXPECT_GT(added, 10000);  // Counted at about their size, not far more.
  EXPECT_EQ(Changes(cache).size(), static_cast<size_t>(added));
  cache.MarkWritten();
  EXPECT_LE(cache.bytes(), kBudget / 2);
  EXPECT_TRUE(cache.complete());  // Write-only entries never made it forget what it holds.
}

TEST(ModelCacheTest, OverBudgetEverythingWrittenIsForgottenAndTheCacheIsNoLongerComplete) {
  ModelCache cache(1000, /*complete=*/true);
  cache.Change("small", "x");
  cache.MarkWritten();
  EXPECT_TRUE(cache.complete());
  EXPECT_NE(cache.Find("small"), nullptr);
  cache.Change("big", std::string(2000, 'v'));
  EXPECT_GT(cache.bytes(), cache.budget());
  EXPECT_THAT(Changes(cache), ::testing::SizeIs(1));  // Nothing unwritten is dropped before.
  cache.MarkWritten();
  EXPECT_FALSE(cache.complete());
  EXPECT_EQ(cache.Find("small"), nullptr);
  EXPECT_EQ(cache.Find("big"), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ModelCacheTest, ClearDropsUnwrittenChanges) {
  ModelCache cache(1 << 20, /*complete=*/true);
  cache.Change("k", "v");
  cache.Clear();
  EXPECT_THAT(Changes(cache), ::testing::IsEmpty());
  EXPECT_FALSE(cache.complete());
  EXPECT_EQ(cache.Find("k"), nullptr);
}

using Counters = projections::v1::ReportCounters;

Counters* HoldCounters(ModelCache& cache, const std::string& key, int consultations) {
  auto counters = std::make_unique<Counters>();
  counters->set_consultations(consultations);
  return static_cast<Counters*>(cache.HoldDecoded(key, std::move(counters)));
}

TEST(ModelCacheTest, ADecodedEntryIsChangedInPlaceAndEncodedWhenItsChangesAreListed) {
  ModelCache cache(1 << 20, /*complete=*/true);
  EXPECT_EQ(cache.Decoded("r/day"), nullptr);
  Counters* held = HoldCounters(cache, "r/day", 1);
  ASSERT_EQ(cache.Decoded("r/day"), held);  // The same message, event after event.
  held->set_consultations(2);
  static_cast<Counters*>(cache.Decoded("r/day"))->set_plans_agreed(1);
  Counters expected;
  expected.set_consultations(2);
  expected.set_plans_agreed(1);
  EXPECT_THAT(Changes(cache), ElementsAre(Pair("r/day", DeterministicBytes(expected))));
  cache.MarkWritten();
  EXPECT_THAT(Changes(cache), ::testing::IsEmpty());
  EXPECT_EQ(cache.Decoded("r/day"), nullptr);  // Held as bytes again once written.
  EXPECT_EQ(**cache.Find("r/day"), DeterministicBytes(expected));
}

TEST(ModelCacheTest, ReadingOrOverwritingADecodedEntryEndsItsDecodedForm) {
  ModelCache cache(1 << 20, /*complete=*/false);
  HoldCounters(cache, "a", 1)->set_consultations(5);
  Counters five;
  five.set_consultations(5);
  EXPECT_EQ(**cache.Find("a"), DeterministicBytes(five));  // Read as bytes: encoded.
  EXPECT_EQ(cache.Decoded("a"), nullptr);
  HoldCounters(cache, "b", 1);
  cache.Change("b", "overwritten");
  EXPECT_EQ(cache.Decoded("b"), nullptr);
  EXPECT_THAT(Changes(cache),
              ElementsAre(Pair("a", DeterministicBytes(five)), Pair("b", "overwritten")));
}

// A projection's memo holds pointers to decoded entries: it must not outlive any of them.
TEST(ModelCacheTest, AMemoLastsUntilAnEntryHeldDecodedIsEncodedOrDropped) {
  struct Memo {
    int value = 0;
  };
  ModelCache cache(1 << 20, /*complete=*/true);
  cache.memo<Memo>().value = 1;
  HoldCounters(cache, "a", 1);          // Holding another entry decoded keeps it,
  cache.Change("b", "bytes");           // and so does a change held as bytes,
  EXPECT_NE(cache.Find("b"), nullptr);  // or reading one.
  EXPECT_EQ(cache.memo<Memo>().value, 1);
  EXPECT_NE(cache.Find("a"), nullptr);  // Reading a decoded entry encodes it.
  EXPECT_EQ(cache.memo<Memo>().value, 0);

  cache.memo<Memo>().value = 2;
  HoldCounters(cache, "c", 1);
  cache.Change("c", "overwritten");  // Overwriting one ends its decoded form.
  EXPECT_EQ(cache.memo<Memo>().value, 0);

  cache.memo<Memo>().value = 3;
  HoldCounters(cache, "d", 1);
  cache.SortedChanges();  // Listing the changes encodes them.
  EXPECT_EQ(cache.memo<Memo>().value, 0);
  cache.MarkWritten();

  cache.memo<Memo>().value = 4;
  HoldCounters(cache, "e", 1);
  cache.Clear();  // A failure drops everything.
  EXPECT_EQ(cache.memo<Memo>().value, 0);
}

TEST(ModelCacheTest, ADecodedEntryIsCountedAgainstTheBudgetAndAsItsBytesOnceEncoded) {
  ModelCache cache(1 << 20, /*complete=*/true);
  cache.Change("k", "12345");
  cache.MarkWritten();
  const size_t as_bytes = cache.bytes();
  auto counters = std::make_unique<Counters>();
  counters->set_consultations(5);
  cache.HoldDecoded("k", std::move(counters));
  EXPECT_GT(cache.bytes(), as_bytes);  // Decoded, a message takes more than its bytes.
  cache.SortedChanges();
  cache.MarkWritten();
  Counters five;
  five.set_consultations(5);
  EXPECT_EQ(cache.bytes(), as_bytes - 5 + DeterministicBytes(five).size());
  cache.Clear();
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ModelCacheTest, DecodedEntriesOverBudgetAreWrittenAndThenCountedAsTheirBytes) {
  ModelCache cache(300, /*complete=*/true);
  HoldCounters(cache, "k", 7);
  EXPECT_GT(cache.bytes(), cache.budget());  // Time to write (a bulk fold writes now).
  Counters seven;
  seven.set_consultations(7);
  EXPECT_THAT(Changes(cache), ElementsAre(Pair("k", DeterministicBytes(seven))));
  cache.MarkWritten();
  EXPECT_LE(cache.bytes(), cache.budget());  // Encoded, it fits: kept, and the cache complete.
  EXPECT_TRUE(cache.complete());
  EXPECT_EQ(**cache.Find("k"), DeterministicBytes(seven));
}

TEST(ModelCacheTest, AWriteRetriedAfterAFullDiskListsTheSameDecodedChanges) {
  ModelCache cache(1 << 20, /*complete=*/true);
  HoldCounters(cache, "r/day", 3);
  cache.AddWriteOnly("h/1", "line");
  const auto first = Changes(cache);  // The write fails: no MarkWritten.
  EXPECT_THAT(Changes(cache), ::testing::ContainerEq(first));
  Counters three;
  three.set_consultations(3);
  EXPECT_THAT(first, ElementsAre(Pair("h/1", "line"), Pair("r/day", DeterministicBytes(three))));
  // The next event of the same key, before the retry: decoded again from the listed bytes.
  auto again = std::make_unique<Counters>();
  again->ParseFromString(**cache.Find("r/day"));
  static_cast<Counters*>(cache.HoldDecoded("r/day", std::move(again)))->set_plans_agreed(1);
  Counters changed = three;
  changed.set_plans_agreed(1);
  EXPECT_THAT(Changes(cache),
              ElementsAre(Pair("h/1", "line"), Pair("r/day", DeterministicBytes(changed))));
  cache.MarkWritten();
  EXPECT_THAT(Changes(cache), ElementsAre());
}

// Counters imply one index key per count they hold: "i/consultations/<n>" and, once plans
// are agreed, "i/plans/<n>".
std::vector<std::string> CountIndex(const google::protobuf::MessageLite& message) {
  const auto& counters = static_cast<const Counters&>(message);
  std::vector<std::string> keys = {"i/consultations/" + std::to_string(counters.consultations())};
  if (counters.plans_agreed() > 0) {
    keys.push_back("i/plans/" + std::to_string(counters.plans_agreed()));
  }
  return keys;
}

Counters* HoldIndexed(ModelCache& cache, const std::string& key, bool new_entry) {
  auto counters = std::make_unique<Counters>();
  if (const std::optional<std::string>* stored = cache.Find(key);
      stored != nullptr && stored->has_value()) {
    counters->ParseFromString(**stored);
  }
  return static_cast<Counters*>(
      cache.HoldDecoded(key, std::move(counters), &CountIndex, new_entry));
}

TEST(ModelCacheTest, KeysADecodedEntryImpliesChangeOnlyWhenItIsEncodedAndOnlyWhereTheyDiffer) {
  ModelCache cache(1 << 20, /*complete=*/true);
  Counters* held = HoldIndexed(cache, "r/a", /*new_entry=*/true);
  held->set_consultations(1);
  held->set_consultations(2);  // Only the keys of the last state are written.
  Counters two;
  two.set_consultations(2);
  EXPECT_THAT(Changes(cache),
              ElementsAre(Pair("i/consultations/2", ""), Pair("r/a", DeterministicBytes(two))));
  cache.MarkWritten();

  held = HoldIndexed(cache, "r/a", /*new_entry=*/false);
  held->set_plans_agreed(1);  // Adds a key, keeps one.
  EXPECT_NE(cache.Decoded("r/a"), nullptr);
  Counters planned = two;
  planned.set_plans_agreed(1);
  EXPECT_THAT(Changes(cache),
              ElementsAre(Pair("i/plans/1", ""), Pair("r/a", DeterministicBytes(planned))));
  cache.MarkWritten();

  held = HoldIndexed(cache, "r/a", /*new_entry=*/false);
  held->set_consultations(3);  // Replaces a key.
  held->set_plans_agreed(0);   // Drops one.
  // Read as bytes, the entry is encoded: its keys are up to date from then on.
  EXPECT_NE(cache.Find("r/a"), nullptr);
  EXPECT_EQ(cache.Find("i/consultations/2")->has_value(), false);
  EXPECT_EQ(**cache.Find("i/consultations/3"), "");
  Counters three;
  three.set_consultations(3);
  EXPECT_THAT(Changes(cache),
              ElementsAre(Pair("i/consultations/2", "<deleted>"), Pair("i/consultations/3", ""),
                          Pair("i/plans/1", "<deleted>"), Pair("r/a", DeterministicBytes(three))));
}

TEST(ModelCacheDeathTest, AnEntryWithImpliedKeysIsNeverOverwrittenOrDeletedAsAWhole) {
  ModelCache cache(1 << 20, /*complete=*/true);
  HoldIndexed(cache, "r/a", /*new_entry=*/true)->set_consultations(1);
  cache.SortedChanges();
  cache.MarkWritten();  // Held as bytes from here on; its index keys would go stale all the same.
  EXPECT_DEATH(cache.Change("r/a", std::nullopt), "implies keys");
  EXPECT_DEATH(cache.Change("r/a", "other bytes"), "implies keys");
}

TEST(ModelCacheTest, KeysImpliedByAnEntryListedForAFailedWriteAreListedAgainWithLaterChanges) {
  ModelCache cache(1 << 20, /*complete=*/false);
  cache.Remember("r/a", std::nullopt);
  HoldIndexed(cache, "r/a", /*new_entry=*/true)->set_consultations(1);
  const auto first = Changes(cache);  // The write fails (a full disk): no MarkWritten.
  ASSERT_THAT(first, ElementsAre(Pair("i/consultations/1", ""), Pair("r/a", ::testing::_)));
  // The next event, before the retry: held again from the listed bytes.
  HoldIndexed(cache, "r/a", /*new_entry=*/false)->set_consultations(2);
  Counters two;
  two.set_consultations(2);
  // Whether the failed write stored the key listed for it, the cache cannot tell: it deletes it.
  EXPECT_THAT(Changes(cache),
              ElementsAre(Pair("i/consultations/1", "<deleted>"), Pair("i/consultations/2", ""),
                          Pair("r/a", DeterministicBytes(two))));
}

}  // namespace
}  // namespace stipple::projections
