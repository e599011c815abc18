// The command handler's cache of folded streams: a command's own append keeps it current, so the
// next command on a stream reads none of its events; events written by anyone else are still read
// and folded; and an append answered as a replay of earlier events folds nothing twice.

#include "services/command_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <utility>

#include "stipple/events/v1/events.pb.h"
#include "tests/eventstore/forwarding_store.h"
#include "tests/eventstore/store_fixture.h"

namespace stipple::services {
namespace {

using ::testing::ElementsAre;

// Forwards to a store; counts the events its stream reads return, can hide earlier results (a
// request's first event not yet visible to the retry that looks for it), and can write an event
// beside the handler just before its next append (a concurrent writer winning the race).
class InstrumentedStore : public eventstore::testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  absl::StatusOr<eventstore::AppendResult> AppendMulti(
      const std::vector<eventstore::StreamAppend>& parts) override {
    if (std::optional<eventstore::StreamAppend> beside = std::exchange(write_before_append, {})) {
      if (!inner().Append(*beside).ok()) return absl::InternalError("the write beside failed");
    }
    return ForwardingStore::AppendMulti(parts);
  }
  absl::StatusOr<eventstore::StreamSlice> ReadStream(const std::string& stream,
                                                     eventstore::StreamVersion from,
                                                     eventstore::ReadDirection direction,
                                                     size_t limit) const override {
    auto slice = ForwardingStore::ReadStream(stream, from, direction, limit);
    if (slice.ok()) events_read += static_cast<int>(slice->events.size());
    return slice;
  }
  absl::StatusOr<std::optional<eventstore::RecordedEvent>> FindEvent(
      const std::string& id) const override {
    if (hide_earlier_results) return std::nullopt;
    return ForwardingStore::FindEvent(id);
  }

  mutable int events_read = 0;
  bool hide_earlier_results = false;
  std::optional<eventstore::StreamAppend> write_before_append;
};

// A fold that keeps every event id it is given, so an event folded twice shows.
struct SeenEvents {
  std::vector<std::string> ids;
  absl::Time trimmed_at = absl::InfinitePast();  // When KeepNewest last trimmed it.
};
void See(SeenEvents& state, const events::v1::ClientEvent&, const std::string& event_id) {
  state.ids.push_back(event_id);
}
// A trim for ReadFolded: forgets all but the newest id, and notes the time it was given.
void KeepNewest(SeenEvents& state, absl::Time now) {
  if (state.ids.size() > 1) state.ids.erase(state.ids.begin(), state.ids.end() - 1);
  state.trimmed_at = now;
}

// An append of one registration to `stream`, made beside the handler.
eventstore::StreamAppend WrittenBeside(const std::string& stream, const std::string& event_id) {
  events::v1::ClientEvent event;
  event.mutable_registered()->set_client_id(stream);
  return {stream,
          eventstore::ExpectedVersion::Any(),
          {eventstore::testing::Event(event_id, "ClientRegistered", event.SerializeAsString())}};
}

class CommandHandlerTest : public eventstore::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    counting_ = std::make_unique<InstrumentedStore>(*store_);
  }

  // Runs request `request_id`: folds `stream` with See and `forget_` (then `also_folds`, when
  // set), and appends one event to `stream` (and one to `also_folds` when `writes_both`). Returns
  // the ids the decision saw in `stream`; `seen_` keeps the whole state.
  std::vector<std::string> AppendOne(CommandHandler& handler, const std::string& request_id,
                                     const std::string& stream, const std::string& also_folds = "",
                                     bool writes_both = false) {
    std::vector<std::string> seen;
    CommandContext context;
    context.request_id = request_id;
    context.actor = "desk";
    absl::StatusOr<CommandOutcome> outcome = handler.Handle(
        context, [&](StreamReader& reader) -> absl::StatusOr<std::vector<StreamWrite>> {
          auto state =
              reader.ReadFolded<SeenEvents, events::v1::ClientEvent>(stream, &See, forget_);
          if (!state.ok()) return state.status();
          seen_ = **state;
          seen = seen_.ids;
          if (!also_folds.empty()) {
            auto other = reader.ReadFolded<SeenEvents, events::v1::ClientEvent>(also_folds, &See);
            if (!other.ok()) return other.status();
          }
          events::v1::ClientEvent event;
          event.mutable_registered()->set_client_id(stream);
          std::vector<StreamWrite> writes = {Write(stream, std::vector{event})};
          if (writes_both) writes.push_back(Write(also_folds, std::vector{event}));
          return writes;
        });
    EXPECT_TRUE(outcome.ok()) << outcome.status();
    return seen;
  }

  CommandHandler Handler(size_t cached_streams = CommandHandler::kCachedStreams) {
    return CommandHandler(*counting_, absl::Now, cached_streams);
  }

  std::unique_ptr<InstrumentedStore> counting_;
  void (*forget_)(SeenEvents&, absl::Time) = nullptr;
  SeenEvents seen_;
};

TEST_F(CommandHandlerTest, TheNextCommandOnAStreamReadsNoneOfItsEvents) {
  CommandHandler handler = Handler();
  EXPECT_THAT(AppendOne(handler, "r1", "client-a"), ElementsAre());
  EXPECT_THAT(AppendOne(handler, "r2", "client-a"), ElementsAre("r1/0"));
  EXPECT_THAT(AppendOne(handler, "r3", "client-a"), ElementsAre("r1/0", "r2/0"));
  EXPECT_EQ(counting_->events_read, 0);

  // A handler with nothing cached reads the stream and sees the same.
  CommandHandler fresh = Handler();
  EXPECT_THAT(AppendOne(fresh, "r4", "client-a"), ElementsAre("r1/0", "r2/0", "r3/0"));
  EXPECT_EQ(counting_->events_read, 3);
}

TEST_F(CommandHandlerTest, ACachedStateIsTrimmedAtTheTimeOfTheDecisionThatCachedIt) {
  absl::Time now = absl::FromUnixSeconds(1'000'000);
  CommandHandler handler(*counting_, [&now] { return now; });
  forget_ = &KeepNewest;
  EXPECT_THAT(AppendOne(handler, "r1", "client-a"), ElementsAre());
  now += absl::Hours(1);
  EXPECT_THAT(AppendOne(handler, "r2", "client-a"), ElementsAre("r1/0"));
  now += absl::Hours(1);
  // Cached after r2's append, trimmed at r2's time: r1's event is forgotten.
  EXPECT_THAT(AppendOne(handler, "r3", "client-a"), ElementsAre("r2/0"));
  EXPECT_EQ(seen_.trimmed_at, absl::FromUnixSeconds(1'000'000) + absl::Hours(1));
  EXPECT_EQ(counting_->events_read, 0);

  // Folded from the log by a handler with nothing cached: trimmed before the decision sees it.
  CommandHandler fresh(*counting_, [&now] { return now; });
  EXPECT_THAT(AppendOne(fresh, "r4", "client-a"), ElementsAre("r3/0"));
  EXPECT_EQ(seen_.trimmed_at, now);
  EXPECT_EQ(counting_->events_read, 3);
}

TEST_F(CommandHandlerTest, EventsWrittenBesideTheHandlerAreReadAndFolded) {
  CommandHandler handler = Handler();
  AppendOne(handler, "r1", "client-a");
  eventstore::StreamAppend elsewhere = WrittenBeside("client-a", "import/0");
  ASSERT_TRUE(store_->Append(elsewhere).ok());
  EXPECT_THAT(AppendOne(handler, "r2", "client-a"), ElementsAre("r1/0", "import/0"));
  EXPECT_EQ(counting_->events_read, 1);
  EXPECT_THAT(AppendOne(handler, "r3", "client-a"), ElementsAre("r1/0", "import/0", "r2/0"));
  EXPECT_EQ(counting_->events_read, 1);
}

TEST_F(CommandHandlerTest, ADecisionRetriedAfterAConflictCachesWhatTheLogHolds) {
  CommandHandler handler = Handler();
  AppendOne(handler, "r1", "client-a");
  counting_->write_before_append = WrittenBeside("client-a", "import/0");
  // The first attempt decided on [r1/0] and lost the race; the second read import/0.
  EXPECT_THAT(AppendOne(handler, "r2", "client-a"), ElementsAre("r1/0", "import/0"));
  EXPECT_EQ(counting_->events_read, 1);
  EXPECT_THAT(AppendOne(handler, "r3", "client-a"), ElementsAre("r1/0", "import/0", "r2/0"));
  EXPECT_EQ(counting_->events_read, 1);
}

TEST_F(CommandHandlerTest, EachStreamOfAnAppendToSeveralIsCachedWithItsOwnEvents) {
  CommandHandler handler = Handler();
  AppendOne(handler, "r1", "client-b");
  AppendOne(handler, "r2", "client-a", /*also_folds=*/"client-b", /*writes_both=*/true);
  EXPECT_THAT(AppendOne(handler, "r3", "client-a"), ElementsAre("r2/0"));
  EXPECT_THAT(AppendOne(handler, "r4", "client-b"), ElementsAre("r1/0", "r2/1"));
  EXPECT_EQ(counting_->events_read, 0);
}

TEST_F(CommandHandlerTest, AStreamReadWholeButNotFoldedIsNotCached) {
  CommandHandler handler = Handler();
  AppendOne(handler, "r1", "client-a");
  CommandContext context;
  context.request_id = "r2";
  context.actor = "desk";
  ASSERT_TRUE(handler
                  .Handle(context,
                          [](StreamReader& reader) -> absl::StatusOr<std::vector<StreamWrite>> {
                            if (auto read = reader.Read("client-a"); !read.ok()) {
                              return read.status();
                            }
                            events::v1::ClientEvent event;
                            event.mutable_put_on_hold();
                            return std::vector<StreamWrite>{
                                Write(std::string("client-a"), std::vector{event})};
                          })
                  .ok());
  const int read_before = counting_->events_read;
  // The cache still holds client-a as r1 left it: the next command reads r2's event.
  EXPECT_THAT(AppendOne(handler, "r3", "client-a"), ElementsAre("r1/0", "r2/0"));
  EXPECT_EQ(counting_->events_read, read_before + 1);
}

TEST_F(CommandHandlerTest, AnAppendAnsweredAsAReplayFoldsNothingTwice) {
  CommandHandler handler = Handler(/*cached_streams=*/1);
  AppendOne(handler, "r1", "client-a");
  AppendOne(handler, "r2", "client-b");
  // r1 again, its first run unseen: the decision reads client-a (r1's event in it) and appends
  // the same event, which the store answers with r1's original result. Folding client-b after
  // client-a leaves the one-stream cache without client-a.
  counting_->hide_earlier_results = true;
  EXPECT_THAT(AppendOne(handler, "r1", "client-a", /*also_folds=*/"client-b"), ElementsAre("r1/0"));
  counting_->hide_earlier_results = false;
  EXPECT_EQ(store_->HeadPosition(), 2u);  // Nothing was written.
  EXPECT_THAT(AppendOne(handler, "r3", "client-a"), ElementsAre("r1/0"));
}

}  // namespace
}  // namespace stipple::services
