// Log pages shared between catch-up readers: kept while some reader is behind them, within budget.

#include "eventstore/log_page_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace stipple::eventstore {
namespace {

// A page of `count` events from position `from`, each with a payload of `payload_bytes`.
std::shared_ptr<const LogPageCache::Page> PageOf(GlobalPosition from, size_t count,
                                                 size_t payload_bytes = 10) {
  auto page = std::make_shared<LogPageCache::Page>();
  for (size_t i = 0; i < count; ++i) {
    RecordedEvent& event = page->events.emplace_back();
    event.position = from + i;
    event.event_id = absl::StrCat("e", from + i);
    event.payload.assign(payload_bytes, 'x');
  }
  page->next_position = from + count;
  return page;
}

TEST(LogPageCacheTest, AReaderFindsThePageAnotherReaderRead) {
  auto cache = std::make_shared<LogPageCache>(1 << 20);
  LogPageCache::Reader ahead(cache);
  LogPageCache::Reader behind(cache);
  EXPECT_EQ(behind.Find(1, 4), nullptr);  // Places it at 1.
  EXPECT_EQ(ahead.Find(1, 4), nullptr);
  auto page = PageOf(1, 4);
  ahead.Keep(1, 4, page);

  EXPECT_EQ(behind.Find(1, 4), page);
  EXPECT_EQ(behind.Find(1, 8), nullptr) << "a read of another length is another page";
}

// Readers that started at different places keep pages of different lengths: a page is dropped
// by where it ends, whatever the pages after it.
TEST(LogPageCacheTest, PagesOfDifferentLengthsAreDroppedByWhereTheyEnd) {
  auto cache = std::make_shared<LogPageCache>(1 << 20);
  LogPageCache::Reader first(cache);
  LogPageCache::Reader second(cache);
  first.Find(1, 8);
  first.Keep(1, 8, PageOf(1, 8));  // 1..8
  second.Find(3, 2);
  second.Keep(3, 2, PageOf(3, 2));  // 3..4
  first.Find(9, 4);
  first.Keep(9, 4, PageOf(9, 4));  // 9..12
  EXPECT_EQ(cache->pages(), 3u);

  second.Find(5, 4);  // The lowest place is 5: 3..4 is passed, 1..8 is not.
  EXPECT_EQ(cache->pages(), 2u);
  {
    LogPageCache::Reader probe(cache);  // Placed behind the others, it drops nothing.
    EXPECT_NE(probe.Find(1, 8), nullptr) << "a page that ends past the lowest place is kept";
    EXPECT_EQ(probe.Find(3, 2), nullptr);
  }
  second.Find(9, 4);
  EXPECT_EQ(cache->pages(), 1u) << "only 9..12 is not behind both readers";
  EXPECT_NE(second.Find(9, 4), nullptr);
}

TEST(LogPageCacheTest, APageIsDroppedOnceEveryReaderHasMovedPastIt) {
  auto cache = std::make_shared<LogPageCache>(1 << 20);
  LogPageCache::Reader first(cache);
  LogPageCache::Reader second(cache);
  first.Find(1, 4);
  second.Find(1, 4);
  first.Keep(1, 4, PageOf(1, 4));
  first.Find(5, 4);
  first.Keep(5, 4, PageOf(5, 4));
  EXPECT_EQ(cache->pages(), 2u) << "the second reader has yet to read both";

  second.Find(5, 4);
  EXPECT_EQ(cache->pages(), 1u) << "both readers are past the first page";
  second.Leave();
  first.Find(9, 4);
  EXPECT_EQ(cache->pages(), 0u);
  EXPECT_EQ(cache->bytes(), 0u);
}

TEST(LogPageCacheTest, AReaderThatLeftHoldsNoPageBackUntilItReadsAgain) {
  auto cache = std::make_shared<LogPageCache>(1 << 20);
  LogPageCache::Reader live(cache);
  LogPageCache::Reader catching_up(cache);
  live.Find(1, 4);
  live.Leave();  // Follows the live feed.
  catching_up.Find(1, 4);
  catching_up.Keep(1, 4, PageOf(1, 4));
  catching_up.Find(5, 4);
  EXPECT_EQ(cache->pages(), 0u) << "no placed reader is behind the page";

  live.Find(5, 4);  // Fell behind: reads the log again, from 5.
  catching_up.Keep(5, 4, PageOf(5, 4));
  catching_up.Find(9, 4);
  EXPECT_EQ(cache->pages(), 1u);
}

TEST(LogPageCacheTest, AReaderThatStoppedAskingForPagesHoldsNoneBack) {
  auto cache =
      std::make_shared<LogPageCache>(1 << 20, /*idle_reader_after=*/absl::Milliseconds(50));
  LogPageCache::Reader stalled(cache);  // A failed read model, a stalled feed client...
  LogPageCache::Reader reading(cache);
  stalled.Find(1, 4);
  reading.Find(1, 4);
  reading.Keep(1, 4, PageOf(1, 4));
  reading.Find(5, 4);
  EXPECT_EQ(cache->pages(), 1u) << "the stalled reader was placed a moment ago";

  absl::SleepFor(absl::Milliseconds(100));
  reading.Find(5, 4);
  EXPECT_EQ(cache->pages(), 0u);
  EXPECT_EQ(cache->bytes(), 0u);
}

TEST(LogPageCacheTest, KeepsNeitherAnIncompletePageNorOneOverBudget) {
  auto cache = std::make_shared<LogPageCache>(4096);
  LogPageCache::Reader reader(cache);
  LogPageCache::Reader behind(cache);
  behind.Find(1, 4);
  reader.Find(1, 4);
  reader.Keep(1, 4, PageOf(1, 3));  // The log's head: more events may follow.
  EXPECT_EQ(behind.Find(1, 4), nullptr);

  reader.Keep(1, 4, PageOf(1, 4, /*payload_bytes=*/8192));
  EXPECT_EQ(cache->pages(), 0u);
  EXPECT_EQ(cache->bytes(), 0u);
  reader.Keep(1, 4, PageOf(1, 4));
  EXPECT_EQ(cache->pages(), 1u);
  EXPECT_GT(cache->bytes(), 0u);
  EXPECT_LE(cache->bytes(), 4096u);
}

// Readers folding side by side reach a page at about the same moment: one reads it, the others
// wait for it rather than read it too.
TEST(LogPageCacheTest, AReaderWaitsForThePageAnotherReaderIsReadingAndGetsIt) {
  auto cache = std::make_shared<LogPageCache>(1 << 20);
  LogPageCache::Reader first(cache);
  LogPageCache::Reader second(cache);
  ASSERT_EQ(first.FindOrClaim(1, 4), nullptr);  // First reads it.
  std::shared_ptr<const LogPageCache::Page> got;
  absl::Notification done;
  std::thread waiter([&] {
    got = second.FindOrClaim(1, 4, absl::Seconds(30));
    done.Notify();
  });
  EXPECT_FALSE(done.WaitForNotificationWithTimeout(absl::Milliseconds(100)))
      << "the second reader should wait for the first's read";
  auto page = PageOf(1, 4);
  const absl::Time kept = absl::Now();
  first.Keep(1, 4, page);
  waiter.join();
  EXPECT_LT(absl::Now() - kept, absl::Seconds(10)) << "woken when the page was kept";
  EXPECT_EQ(got, page);
  EXPECT_EQ(second.FindOrClaim(1, 8), nullptr) << "a read of another length is another page";
}

TEST(LogPageCacheTest, WhenTheClaimedReadFailsOrTheReaderLeavesAWaiterReadsThePageItself) {
  auto cache = std::make_shared<LogPageCache>(1 << 20);
  LogPageCache::Reader failing(cache);
  LogPageCache::Reader waiting(cache);
  LogPageCache::Reader third(cache);
  ASSERT_EQ(failing.FindOrClaim(1, 4), nullptr);
  std::thread abandon([&] {
    absl::SleepFor(absl::Milliseconds(50));
    failing.Abandon(1);
  });
  const absl::Time start = absl::Now();
  EXPECT_EQ(waiting.FindOrClaim(1, 4, absl::Seconds(30)), nullptr);  // Claims it in turn.
  EXPECT_LT(absl::Now() - start, absl::Seconds(10)) << "woken by the abandoned read";
  abandon.join();

  std::thread leave([&] {
    absl::SleepFor(absl::Milliseconds(50));
    waiting.Leave();  // Say its subscription ended: its claim ends with it.
  });
  EXPECT_EQ(third.FindOrClaim(1, 4, absl::Seconds(30)), nullptr);
  leave.join();
  auto page = PageOf(1, 4);
  third.Keep(1, 4, page);
  EXPECT_EQ(failing.FindOrClaim(1, 4), page);
}

TEST(LogPageCacheTest, AReaderWaitsNoLongerThanAskedAndAnIncompletePageEndsTheClaim) {
  auto cache = std::make_shared<LogPageCache>(1 << 20);
  LogPageCache::Reader slow(cache);
  LogPageCache::Reader impatient(cache);
  ASSERT_EQ(slow.FindOrClaim(1, 4), nullptr);
  EXPECT_EQ(impatient.FindOrClaim(1, 4, absl::Milliseconds(20)), nullptr);  // Reads it too.
  slow.Keep(1, 4, PageOf(1, 3));  // The log's head: not kept, the claim ends.
  const absl::Time start = absl::Now();
  EXPECT_EQ(impatient.FindOrClaim(1, 4, absl::Seconds(30)), nullptr);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10)) << "nobody holds the page any more";
}

}  // namespace
}  // namespace stipple::eventstore
