// The runner's cache of a read-model generation: what it answers without reading, what it writes,
// and what it forgets.

#include "projections/model_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace stipple::projections {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

// The pending changes as (key, value or "<deleted>").
std::vector<std::pair<std::string, std::string>> Changes(const ModelCache& cache) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : cache.SortedChanges()) {
    out.emplace_back(*key, value->has_value() ? **value : "<deleted>");
  }
  return out;
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
  cache.Change("b", "1", /*keep=*/true);
  cache.Change("a", "2", /*keep=*/true);
  cache.Change("b", "3", /*keep=*/true);
  cache.Change("c", std::nullopt, /*keep=*/true);  // Perhaps stored: the delete is written.
  EXPECT_THAT(Changes(cache), ElementsAre(Pair("a", "2"), Pair("b", "3"), Pair("c", "<deleted>")));
  EXPECT_EQ(**cache.Find("b"), "3");
  cache.MarkWritten();
  EXPECT_THAT(Changes(cache), ::testing::IsEmpty());
  EXPECT_EQ(**cache.Find("b"), "3");  // Kept, clean.
}

TEST(ModelCacheTest, InACompleteCacheDeletingWhatWasNeverWrittenWritesNothing) {
  ModelCache cache(1 << 20, /*complete=*/true);
  cache.Change("index/old", "", /*keep=*/true);
  cache.Change("index/old", std::nullopt, /*keep=*/true);
  cache.Change("gone", std::nullopt, /*keep=*/true);
  EXPECT_THAT(Changes(cache), ::testing::IsEmpty());
  EXPECT_FALSE(cache.Find("index/old")->has_value());
  // Once written, a delete must reach the database.
  cache.Change("index/new", "", /*keep=*/true);
  cache.MarkWritten();
  cache.Change("index/new", std::nullopt, /*keep=*/true);
  EXPECT_THAT(Changes(cache), ElementsAre(Pair("index/new", "<deleted>")));
  // Written, deleted and written again within one batch: listed once.
  cache.Change("again", "1", /*keep=*/true);
  cache.Change("again", std::nullopt, /*keep=*/true);
  cache.Change("again", "2", /*keep=*/true);
  EXPECT_THAT(Changes(cache), ElementsAre(Pair("again", "2"), Pair("index/new", "<deleted>")));
}

TEST(ModelCacheTest, AKeyAddedAndDeletedOverAndOverCostsTheSameMemoryAsOnce) {
  ModelCache cache(1 << 20, /*complete=*/true);
  cache.Change("slot", "booked", /*keep=*/true);
  cache.Change("slot", std::nullopt, /*keep=*/true);
  const size_t once = cache.bytes();
  EXPECT_GT(once, 0u);  // The listed key is counted until written.
  for (int i = 0; i < 10000; ++i) {
    cache.Change("slot", "booked", /*keep=*/true);
    cache.Change("slot", std::nullopt, /*keep=*/true);
  }
  EXPECT_EQ(cache.bytes(), once);
  EXPECT_THAT(Changes(cache), ::testing::IsEmpty());
  cache.MarkWritten();
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_TRUE(cache.complete());
  EXPECT_FALSE(cache.Find("slot")->has_value());
}

TEST(ModelCacheTest, WriteOnlyEntriesAreForgottenOnceWritten) {
  ModelCache cache(1 << 20, /*complete=*/false);
  cache.Change("history/1", "line", /*keep=*/false);
  EXPECT_EQ(**cache.Find("history/1"), "line");  // Until written, reads see it.
  cache.MarkWritten();
  EXPECT_EQ(cache.Find("history/1"), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ModelCacheTest, OverBudgetEverythingWrittenIsForgottenAndTheCacheIsNoLongerComplete) {
  ModelCache cache(1000, /*complete=*/true);
  cache.Change("small", "x", /*keep=*/true);
  cache.MarkWritten();
  EXPECT_TRUE(cache.complete());
  EXPECT_NE(cache.Find("small"), nullptr);
  cache.Change("big", std::string(2000, 'v'), /*keep=*/true);
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
  cache.Change("k", "v", /*keep=*/true);
  cache.Clear();
  EXPECT_THAT(Changes(cache), ::testing::IsEmpty());
  EXPECT_FALSE(cache.complete());
  EXPECT_EQ(cache.Find("k"), nullptr);
}

}  // namespace
}  // namespace stipple::projections
