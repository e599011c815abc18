// Catch-up subscriptions: the log first, then live events, with an exact hand-over.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "eventstore/catch_up_subscription.h"
#include "tests/eventstore/forwarding_store.h"
#include "tests/eventstore/store_fixture.h"

namespace stipple::eventstore {
namespace {

using testing::Event;
using testing::Part;
using testing::StoreTest;
using Kind = SubscriptionMessage::Kind;

class SubscriptionTest : public StoreTest {
 protected:
  void AppendMany(const std::string& prefix, int count, const std::string& stream = "client-1") {
    for (int i = 0; i < count; ++i) {
      auto result = store_->Append(
          Part(stream, ExpectedVersion::Any(), {Event(absl::StrCat(prefix, "-", i))}));
      ASSERT_TRUE(result.ok()) << result.status();
    }
  }

  // Pulls messages until `events` events have arrived, recording their positions and signals.
  struct Received {
    std::vector<GlobalPosition> positions;
    std::vector<Kind> signals;
  };
  Received Pull(Subscription& subscription, size_t events) {
    Received received;
    while (received.positions.size() < events) {
      auto message = subscription.Next(absl::Seconds(30));
      if (!message.ok()) {
        ADD_FAILURE() << message.status();
        break;
      }
      if (message->kind == Kind::kEvent) {
        received.positions.push_back(message->event->position);
      } else {
        received.signals.push_back(message->kind);
      }
    }
    return received;
  }

  static void ExpectConsecutive(const std::vector<GlobalPosition>& positions,
                                GlobalPosition first) {
    for (size_t i = 0; i < positions.size(); ++i) {
      ASSERT_EQ(positions[i], first + i) << "gap or duplicate at index " << i;
    }
  }
};

TEST_F(SubscriptionTest, CatchUpHandsOverToLiveWithoutGapOrDuplicate) {
  AppendMany("old", 300);
  SubscribeOptions options;
  options.catch_up_page_events = 16;  // Many pages, so writes land while catching up.
  auto subscription = events().Subscribe(0, {}, options);
  std::thread writer([this] { AppendMany("new", 300); });
  Received received = Pull(*subscription, 600);
  writer.join();
  ExpectConsecutive(received.positions, 1);
  EXPECT_THAT(received.signals, ::testing::Contains(Kind::kCaughtUp));

  auto idle = subscription->Next(absl::Milliseconds(20));
  EXPECT_EQ(idle.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(SubscriptionTest, ResumesAfterAGivenPosition) {
  AppendMany("e", 10);
  auto subscription = events().Subscribe(7, {});
  Received received = Pull(*subscription, 3);
  EXPECT_THAT(received.positions, ::testing::ElementsAre(8, 9, 10));
}

TEST_F(SubscriptionTest, FilterSelectsStreamsAndTypesInBothPhases) {
  AppendMany("a", 5, "client-1");
  AppendMany("b", 5, "artist-1");
  auto subscription = events().Subscribe(0, EventFilter{"artist-", {}});
  Received caught_up = Pull(*subscription, 5);
  EXPECT_THAT(caught_up.positions, ::testing::ElementsAre(6, 7, 8, 9, 10));
  AppendMany("c", 3, "client-1");
  AppendMany("d", 2, "artist-1");
  Received live = Pull(*subscription, 2);
  EXPECT_THAT(live.positions, ::testing::ElementsAre(14, 15));
}

TEST_F(SubscriptionTest, SlowSubscriberFallsBehindWithoutBlockingWriters) {
  SubscribeOptions options;
  options.live_buffer_events = 8;
  auto subscription = events().Subscribe(0, {}, options);
  auto caught_up = subscription->Next(absl::Seconds(5));
  ASSERT_TRUE(caught_up.ok());
  ASSERT_EQ(caught_up->kind, Kind::kCaughtUp);

  // The subscriber reads nothing while four writers append far more than its buffer holds.
  auto writers = std::async(std::launch::async, [this] {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([this, t] { AppendMany(absl::StrCat("w", t), 100); });
    }
    for (std::thread& thread : threads) thread.join();
  });
  // Generous bound: it only fails if writers wait for the subscriber, which would hang them.
  ASSERT_EQ(writers.wait_for(std::chrono::minutes(2)), std::future_status::ready);
  writers.get();

  Received received = Pull(*subscription, 400);
  ExpectConsecutive(received.positions, 1);
  EXPECT_THAT(received.signals, ::testing::ElementsAre(Kind::kFellBehind));
  // Having re-read the log, it rejoins the live feed.
  auto rejoined = subscription->Next(absl::Seconds(5));
  ASSERT_TRUE(rejoined.ok()) << rejoined.status();
  EXPECT_EQ(rejoined->kind, Kind::kCaughtUp);
  EXPECT_EQ(rejoined->checkpoint, 400u);
}

TEST_F(SubscriptionTest, CancelWakesABlockedConsumer) {
  auto subscription = events().Subscribe(0, {});
  ASSERT_EQ(subscription->Next(absl::Seconds(5))->kind, Kind::kCaughtUp);
  std::thread canceller([&] {
    absl::SleepFor(absl::Milliseconds(50));
    subscription->Cancel();
  });
  auto message = subscription->Next(absl::Minutes(1));
  canceller.join();
  EXPECT_EQ(message.status().code(), absl::StatusCode::kCancelled);
}

TEST_F(SubscriptionTest, ClosingTheStoreEndsLiveSubscriptions) {
  auto subscription = events().Subscribe(0, {});
  ASSERT_EQ(subscription->Next(absl::Seconds(5))->kind, Kind::kCaughtUp);
  std::thread closer([&] {
    absl::SleepFor(absl::Milliseconds(50));
    store_.reset();
  });
  auto message = subscription->Next(absl::Minutes(1));
  closer.join();
  EXPECT_EQ(message.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(subscription->Next(absl::Seconds(1)).status().code(), absl::StatusCode::kCancelled);
}

// Forwards to a store and counts the reads of the whole log.
class ReadCountingStore : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  absl::StatusOr<LogSlice> ReadAll(GlobalPosition from, size_t limit,
                                   const EventFilter& filter) const override {
    ++reads;
    return ForwardingStore::ReadAll(from, limit, filter);
  }

  mutable int reads = 0;
};

TEST_F(SubscriptionTest, SubscriptionsReadingTheSameStretchOfTheLogReadItOnce) {
  AppendMany("e", 100);
  ReadCountingStore counting(events());
  auto feed = std::make_shared<LiveFeed>(store_->HeadPosition());
  auto pages = std::make_shared<LogPageCache>(1 << 20);
  SubscribeOptions options;
  options.catch_up_page_events = 8;
  // They start at different places; pages end at multiples of 8, so they share from the second.
  CatchUpSubscription behind(counting, feed, 0, {}, options, pages);
  CatchUpSubscription ahead(counting, feed, 5, {}, options, pages);
  Received first = Pull(behind, 1);  // Places it at the start of the log.
  Received ahead_received = Pull(ahead, 95);
  ExpectConsecutive(ahead_received.positions, 6);
  const int reads_ahead = counting.reads;
  EXPECT_GE(reads_ahead, 100 / 8);

  Received rest = Pull(behind, 99);
  ExpectConsecutive(first.positions, 1);
  ExpectConsecutive(rest.positions, 2);
  // Positions 97-100 fill half a page: one that reached the log's head is never kept.
  EXPECT_EQ(counting.reads - reads_ahead, 1)
      << "the subscription behind found every complete page after its first in the cache";
  auto caught_up = behind.Next(absl::Seconds(5));
  ASSERT_TRUE(caught_up.ok()) << caught_up.status();
  EXPECT_EQ(caught_up->kind, Kind::kCaughtUp);
  EXPECT_EQ(pages->pages(), 0u) << "every page is dropped once no reader is behind it";
}

// An event is handed out as a share of its page: it stays whole after the page has left the
// cache, the subscription has moved on and both are gone (ASan would see a freed page).
TEST_F(SubscriptionTest, AnEventHandedOutOutlivesItsPageTheCacheAndTheSubscription) {
  AppendMany("e", 40);
  auto feed = std::make_shared<LiveFeed>(store_->HeadPosition());
  auto pages = std::make_shared<LogPageCache>(1 << 20);
  SubscribeOptions options;
  options.catch_up_page_events = 8;
  std::vector<SharedEvent> held;
  {
    CatchUpSubscription subscription(events(), feed, 0, {}, options, pages);
    for (int i = 0; i < 40; ++i) {
      auto message = subscription.Next(absl::Seconds(30));
      ASSERT_TRUE(message.ok()) << message.status();
      ASSERT_EQ(message->kind, Kind::kEvent);
      if (i % 8 == 3) held.push_back(message->event);  // One of every page.
    }
    auto caught_up = subscription.Next(absl::Seconds(5));
    ASSERT_TRUE(caught_up.ok()) << caught_up.status();
    EXPECT_EQ(caught_up->kind, Kind::kCaughtUp);
    EXPECT_EQ(pages->pages(), 0u);  // Every page passed and dropped from the cache.
  }
  pages.reset();
  feed.reset();
  ASSERT_EQ(held.size(), 5u);
  for (size_t i = 0; i < held.size(); ++i) {
    EXPECT_EQ(held[i]->position, 8 * i + 4);
    EXPECT_EQ(held[i]->event_id, absl::StrCat("e-", 8 * i + 3));
    EXPECT_EQ(held[i]->payload, "payload");
  }
}

}  // namespace
}  // namespace stipple::eventstore
