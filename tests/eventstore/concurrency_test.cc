// Many appenders at once: exactly one winner per expected version, no gaps, no duplicates.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "tests/eventstore/store_fixture.h"

namespace stipple::eventstore {
namespace {

using testing::Event;
using testing::Part;
using testing::StoreTest;

class ConcurrencyTest : public StoreTest {};

struct Win {
  StreamVersion version;
  GlobalPosition position;
  std::string event_id;
};

TEST_F(ConcurrencyTest, OneWinnerPerVersionOnOneStream) {
  constexpr int kThreads = 8;
  constexpr int kAttemptsPerThread = 40;
  std::mutex mu;
  std::vector<Win> wins;
  int conflicts = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAttemptsPerThread; ++i) {
        auto head =
            store_->ReadStream("client-1", EventStore::kEndOfStream, ReadDirection::kBackwards, 1);
        ASSERT_TRUE(head.ok());
        std::string id = absl::StrCat("t", t, "-", i);
        auto result = store_->Append(
            Part("client-1", ExpectedVersion::Exactly(head->stream_version), {Event(id)}));
        std::lock_guard<std::mutex> lock(mu);
        if (result.ok()) {
          wins.push_back({result->new_version, result->positions[0], id});
        } else {
          ASSERT_TRUE(WrongExpectedVersionFromStatus(result.status()).has_value())
              << result.status();
          ++conflicts;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  ASSERT_EQ(wins.size() + conflicts, size_t{kThreads * kAttemptsPerThread});
  std::sort(wins.begin(), wins.end(),
            [](const Win& a, const Win& b) { return a.version < b.version; });
  for (size_t i = 0; i < wins.size(); ++i) {
    EXPECT_EQ(wins[i].version, i + 1) << "versions must be 1..N with no gap or duplicate";
  }
  std::set<GlobalPosition> positions;
  for (const Win& win : wins) positions.insert(win.position);
  EXPECT_EQ(positions.size(), wins.size());
  EXPECT_EQ(*positions.rbegin(), wins.size());  // Positions 1..N: no gaps either.

  auto stream = store_->ReadStream("client-1", 1, ReadDirection::kForwards, 10000);
  ASSERT_TRUE(stream.ok());
  ASSERT_EQ(stream->events.size(), wins.size());
  for (size_t i = 0; i < wins.size(); ++i) EXPECT_EQ(stream->events[i].event_id, wins[i].event_id);
  auto report = store_->Verify(1, store_->HeadPosition());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->reason;
}

TEST_F(ConcurrencyTest, OverlappingMultiStreamAppendsStayConsistent) {
  // Every thread books the same two artists with its own client, as a session booking does.
  constexpr int kThreads = 8;
  constexpr int kAttemptsPerThread = 30;
  std::atomic<int> committed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string client = absl::StrCat("client-", t);
      std::string artist = absl::StrCat("artist-", t % 2);
      for (int i = 0; i < kAttemptsPerThread; ++i) {
        auto artist_head =
            store_->ReadStream(artist, EventStore::kEndOfStream, ReadDirection::kBackwards, 1);
        auto client_head =
            store_->ReadStream(client, EventStore::kEndOfStream, ReadDirection::kBackwards, 1);
        ASSERT_TRUE(artist_head.ok() && client_head.ok());
        std::string id = absl::StrCat("t", t, "-", i);
        auto result = store_->AppendMulti({
            Part(client, ExpectedVersion::Exactly(client_head->stream_version),
                 {Event(id + "-client")}),
            Part(artist, ExpectedVersion::Exactly(artist_head->stream_version),
                 {Event(id + "-artist")}),
        });
        if (result.ok()) {
          ++committed;
        } else {
          ASSERT_EQ(result.status().code(), absl::StatusCode::kAborted) << result.status();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  ASSERT_GT(committed.load(), 0);
  EXPECT_EQ(store_->HeadPosition(), GlobalPosition(committed.load()) * 2);
  auto log = store_->ReadAll(1, 100000, {});
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->events.size(), size_t(committed.load()) * 2);
  std::map<std::string, StreamVersion> last_version;
  std::set<std::string> ids;
  for (size_t i = 0; i < log->events.size(); ++i) {
    const RecordedEvent& e = log->events[i];
    EXPECT_EQ(e.position, i + 1);
    EXPECT_EQ(e.stream_version, ++last_version[e.stream]) << e.stream;
    ids.insert(e.event_id);
  }
  // Both halves of every booking are there, side by side.
  for (size_t i = 0; i < log->events.size(); i += 2) {
    std::string client_id = log->events[i].event_id;
    std::string artist_id = log->events[i + 1].event_id;
    ASSERT_TRUE(client_id.ends_with("-client"));
    EXPECT_EQ(artist_id, client_id.substr(0, client_id.size() - 7) + "-artist");
  }
  EXPECT_EQ(ids.size(), log->events.size());
}

TEST_F(ConcurrencyTest, ConcurrentRetriesOfOneAppendWriteItOnce) {
  StreamAppend append = Part("client-1", ExpectedVersion::NoStream(), {Event("e1"), Event("e2")});
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<StreamAppendResult> results;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto result = store_->Append(append);
      ASSERT_TRUE(result.ok()) << result.status();
      std::lock_guard<std::mutex> lock(mu);
      results.push_back(*result);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(store_->HeadPosition(), 2u);
  for (const StreamAppendResult& result : results) {
    EXPECT_EQ(result.new_version, 2u);
    EXPECT_THAT(result.positions, ::testing::ElementsAre(1, 2));
  }
}

}  // namespace
}  // namespace stipple::eventstore
