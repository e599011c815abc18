// Append semantics: expected versions, atomic multi-stream appends, idempotent retries, reopen.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "tests/eventstore/store_fixture.h"

namespace stipple::eventstore {
namespace {

using ::testing::ElementsAre;
using testing::Event;
using ::testing::HasSubstr;
using testing::Part;
using testing::StoreTest;

class AppendTest : public StoreTest {
 protected:
  StreamAppendResult MustAppend(const std::string& stream, ExpectedVersion expected,
                                std::vector<ProposedEvent> events) {
    auto result = store_->Append(Part(stream, expected, std::move(events)));
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : StreamAppendResult{};
  }

  void ExpectConflict(const absl::Status& status, const std::string& stream, StreamVersion actual) {
    EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
    std::optional<WrongExpectedVersion> conflict = WrongExpectedVersionFromStatus(status);
    ASSERT_TRUE(conflict.has_value()) << status;
    EXPECT_EQ(conflict->stream, stream);
    EXPECT_EQ(conflict->actual_version, actual);
  }
};

TEST_F(AppendTest, FirstAppendStartsAtVersionOneAndPositionOne) {
  StreamAppendResult result =
      MustAppend("client-1", ExpectedVersion::NoStream(), {Event("e1"), Event("e2")});
  EXPECT_EQ(result.new_version, 2u);
  EXPECT_THAT(result.positions, ElementsAre(1, 2));
  EXPECT_EQ(store_->HeadPosition(), 2u);
}

TEST_F(AppendTest, NoStreamFailsOnceTheStreamExists) {
  MustAppend("client-1", ExpectedVersion::NoStream(), {Event("e1")});
  auto again = store_->Append(Part("client-1", ExpectedVersion::NoStream(), {Event("e2")}));
  ExpectConflict(again.status(), "client-1", 1);
}

TEST_F(AppendTest, StreamExistsFailsOnAMissingStreamAndPassesOnAnExistingOne) {
  auto missing = store_->Append(Part("client-1", ExpectedVersion::StreamExists(), {Event("e1")}));
  ExpectConflict(missing.status(), "client-1", 0);
  MustAppend("client-1", ExpectedVersion::Any(), {Event("e1")});
  StreamAppendResult result =
      MustAppend("client-1", ExpectedVersion::StreamExists(), {Event("e2")});
  EXPECT_EQ(result.new_version, 2u);
}

TEST_F(AppendTest, ExactVersionMustMatchAndTheErrorCarriesTheActualVersion) {
  MustAppend("client-1", ExpectedVersion::Exactly(0), {Event("e1"), Event("e2"), Event("e3")});
  auto stale = store_->Append(Part("client-1", ExpectedVersion::Exactly(2), {Event("e4")}));
  ExpectConflict(stale.status(), "client-1", 3);
  EXPECT_THAT(std::string(stale.status().message()), HasSubstr("expected version 2"));
  auto ahead = store_->Append(Part("client-1", ExpectedVersion::Exactly(4), {Event("e4")}));
  ExpectConflict(ahead.status(), "client-1", 3);
  StreamAppendResult result = MustAppend("client-1", ExpectedVersion::Exactly(3), {Event("e4")});
  EXPECT_EQ(result.new_version, 4u);
  EXPECT_EQ(store_->HeadPosition(), 4u);  // The failed appends wrote nothing.
}

TEST_F(AppendTest, VersionsStayExactWhenMoreStreamsAreWrittenThanTheStoreRemembers) {
  options_.remembered_stream_versions = 2;
  Reopen();
  for (int s = 1; s <= 5; ++s) {
    MustAppend(absl::StrCat("client-", s), ExpectedVersion::NoStream(), {Event(absl::StrCat(s))});
  }
  for (int s = 1; s <= 5; ++s) {
    const std::string stream = absl::StrCat("client-", s);
    auto stale = store_->Append(Part(stream, ExpectedVersion::NoStream(), {Event("again")}));
    ExpectConflict(stale.status(), stream, 1);
    StreamAppendResult next =
        MustAppend(stream, ExpectedVersion::Exactly(1), {Event(absl::StrCat("next-", s))});
    EXPECT_EQ(next.new_version, 2u);
    // Just written, so remembered: the version it was written at.
    auto behind = store_->Append(Part(stream, ExpectedVersion::Exactly(1), {Event("behind")}));
    ExpectConflict(behind.status(), stream, 2);
  }
  // Two streams in turn at the limit: each stays remembered and exact.
  for (StreamVersion version = 2; version < 6; ++version) {
    for (const std::string stream : {"client-1", "client-2"}) {
      StreamAppendResult next = MustAppend(stream, ExpectedVersion::Exactly(version),
                                           {Event(absl::StrCat(stream, "-", version))});
      EXPECT_EQ(next.new_version, version + 1);
    }
  }
}

TEST_F(AppendTest, VersionsStayExactWithNothingRemembered) {
  options_.remembered_stream_versions = 0;
  Reopen();
  MustAppend("client-1", ExpectedVersion::NoStream(), {Event("first")});
  auto stale = store_->Append(Part("client-1", ExpectedVersion::NoStream(), {Event("again")}));
  ExpectConflict(stale.status(), "client-1", 1);
  EXPECT_EQ(MustAppend("client-1", ExpectedVersion::Exactly(1), {Event("second")}).new_version, 2u);
}

TEST_F(AppendTest, AnyAppendsWhateverTheVersion) {
  MustAppend("client-1", ExpectedVersion::Any(), {Event("e1")});
  StreamAppendResult result = MustAppend("client-1", ExpectedVersion::Any(), {Event("e2")});
  EXPECT_EQ(result.new_version, 2u);
}

TEST_F(AppendTest, MultiStreamAppendIsAllOrNothing) {
  MustAppend("artist-1", ExpectedVersion::NoStream(), {Event("a1")});
  auto failed = store_->AppendMulti({
      Part("client-1", ExpectedVersion::NoStream(), {Event("c1")}),
      Part("artist-1", ExpectedVersion::Exactly(0), {Event("a2")}),
  });
  ExpectConflict(failed.status(), "artist-1", 1);
  auto client = store_->ReadStream("client-1", 1, ReadDirection::kForwards, 10);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->stream_version, 0u);
  EXPECT_TRUE(client->events.empty());
  EXPECT_EQ(store_->HeadPosition(), 1u);

  auto booked = store_->AppendMulti({
      Part("client-1", ExpectedVersion::NoStream(), {Event("c1")}),
      Part("artist-1", ExpectedVersion::Exactly(1), {Event("a2")}),
  });
  ASSERT_TRUE(booked.ok()) << booked.status();
  ASSERT_EQ(booked->streams.size(), 2u);
  EXPECT_EQ(booked->streams[0].new_version, 1u);
  EXPECT_THAT(booked->streams[0].positions, ElementsAre(2));
  EXPECT_EQ(booked->streams[1].new_version, 2u);
  EXPECT_THAT(booked->streams[1].positions, ElementsAre(3));
  EXPECT_EQ(booked->last_position(), 3u);
}

TEST_F(AppendTest, MalformedAppendsAreRejectedAndWriteNothing) {
  struct Case {
    std::vector<StreamAppend> parts;
    std::string field;
  };
  ProposedEvent no_type = Event("e1");
  no_type.type.clear();
  ProposedEvent huge = Event("e1");
  huge.payload.assign((1 << 20) + 1, 'x');
  std::vector<ProposedEvent> too_many;
  for (int i = 0; i < 1001; ++i) too_many.push_back(Event("bulk-" + std::to_string(i)));
  std::vector<Case> cases = {
      {{}, "append: no streams"},
      {{Part("", ExpectedVersion::Any(), {Event("e1")})}, "streams[0].stream"},
      {{Part(std::string("a\0b", 3), ExpectedVersion::Any(), {Event("e1")})}, "NUL"},
      {{Part("s", ExpectedVersion::Any(), {})}, "streams[0].events"},
      {{Part("s", ExpectedVersion::Any(), {Event("")})}, "events[0].event_id"},
      {{Part("s", ExpectedVersion::Any(), {no_type})}, "events[0].type"},
      {{Part("s", ExpectedVersion::Any(), {huge})}, "events[0].payload"},
      {{Part("s", ExpectedVersion::Any(), {Event("e1"), Event("e1")})}, "appears more than once"},
      {{Part("s", ExpectedVersion::Any(), {Event("e1")}),
        Part("s", ExpectedVersion::Any(), {Event("e2")})},
       "streams[1].stream"},
      {{Part("s", ExpectedVersion::Any(), too_many)}, "exceeds the limit of 1000"},
  };
  for (const Case& c : cases) {
    auto result = store_->AppendMulti(c.parts);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(std::string(result.status().message()), HasSubstr(c.field));
  }
  EXPECT_EQ(store_->HeadPosition(), 0u);
}

TEST_F(AppendTest, RetryReturnsTheOriginalResultBeforeAndAfterReopen) {
  StreamAppend append = Part("client-1", ExpectedVersion::NoStream(), {Event("e1"), Event("e2")});
  StreamAppendResult first = MustAppend(append.stream, append.expected_version, append.events);
  MustAppend("client-1", ExpectedVersion::Exactly(2), {Event("e3")});

  // The retry's expected version no longer holds, yet it gets the first result and writes nothing.
  auto retry = store_->Append(append);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->new_version, first.new_version);
  EXPECT_EQ(retry->positions, first.positions);
  EXPECT_EQ(store_->HeadPosition(), 3u);

  Reopen();
  auto after_reopen = store_->Append(append);
  ASSERT_TRUE(after_reopen.ok()) << after_reopen.status();
  EXPECT_EQ(after_reopen->new_version, 2u);
  EXPECT_THAT(after_reopen->positions, ElementsAre(1, 2));
  EXPECT_EQ(store_->HeadPosition(), 3u);
}

TEST_F(AppendTest, MultiStreamRetryReturnsTheOriginalResult) {
  std::vector<StreamAppend> booking = {
      Part("client-1", ExpectedVersion::NoStream(), {Event("c1")}),
      Part("artist-1", ExpectedVersion::NoStream(), {Event("a1")}),
  };
  auto first = store_->AppendMulti(booking);
  ASSERT_TRUE(first.ok());
  auto retry = store_->AppendMulti(booking);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->streams[1].positions, first->streams[1].positions);
  EXPECT_EQ(store_->HeadPosition(), 2u);
}

TEST_F(AppendTest, ReusedIdWithDifferentContentIsRejected) {
  MustAppend("client-1", ExpectedVersion::Any(), {Event("e1", "Type.A", "one")});
  auto changed =
      store_->Append(Part("client-1", ExpectedVersion::Any(), {Event("e1", "Type.A", "two")}));
  EXPECT_EQ(changed.status().code(), absl::StatusCode::kAlreadyExists);
  auto other_stream =
      store_->Append(Part("client-2", ExpectedVersion::Any(), {Event("e1", "Type.A", "one")}));
  EXPECT_EQ(other_stream.status().code(), absl::StatusCode::kAlreadyExists);
  auto partly_new = store_->Append(
      Part("client-1", ExpectedVersion::Any(), {Event("e1", "Type.A", "one"), Event("e2")}));
  EXPECT_EQ(partly_new.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->HeadPosition(), 1u);
}

TEST_F(AppendTest, ARetryMustResendOneEarlierAppendWhole) {
  MustAppend("client-1", ExpectedVersion::Any(), {Event("a")});
  MustAppend("client-1", ExpectedVersion::Any(), {Event("b")});
  // Both ids exist, in order, with the same content, but no single append wrote them together.
  auto stitched =
      store_->Append(Part("client-1", ExpectedVersion::Any(), {Event("a"), Event("b")}));
  EXPECT_EQ(stitched.status().code(), absl::StatusCode::kAlreadyExists) << stitched.status();

  MustAppend("client-2", ExpectedVersion::Any(), {Event("x"), Event("y"), Event("z")});
  auto partial = store_->Append(Part("client-2", ExpectedVersion::Any(), {Event("x"), Event("y")}));
  EXPECT_EQ(partial.status().code(), absl::StatusCode::kAlreadyExists) << partial.status();
  EXPECT_EQ(store_->HeadPosition(), 5u);
}

TEST_F(AppendTest, ReopenContinuesPositionsAndTheChainVerifies) {
  MustAppend("client-1", ExpectedVersion::Any(), {Event("e1"), Event("e2")});
  Reopen();
  EXPECT_EQ(store_->HeadPosition(), 2u);
  StreamAppendResult result = MustAppend("client-1", ExpectedVersion::Exactly(2), {Event("e3")});
  EXPECT_THAT(result.positions, ElementsAre(3));
  Reopen();
  auto report = store_->Verify(1, store_->HeadPosition());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->reason;
  EXPECT_EQ(report->events_checked, 3u);
}

TEST_F(AppendTest, StoredEnvelopeKeepsEveryField) {
  ProposedEvent proposed = Event("e1", "Client.Registered", std::string("\0bytes\xff", 7));
  proposed.metadata.schema_version = 3;
  MustAppend("client-9", ExpectedVersion::Any(), {proposed});
  auto slice = store_->ReadStream("client-9", 1, ReadDirection::kForwards, 10);
  ASSERT_TRUE(slice.ok());
  ASSERT_EQ(slice->events.size(), 1u);
  const RecordedEvent& stored = slice->events[0];
  EXPECT_EQ(stored.event_id, "e1");
  EXPECT_EQ(stored.type, "Client.Registered");
  EXPECT_EQ(stored.stream, "client-9");
  EXPECT_EQ(stored.stream_version, 1u);
  EXPECT_EQ(stored.position, 1u);
  EXPECT_EQ(stored.payload, proposed.payload);
  EXPECT_EQ(stored.metadata, proposed.metadata);
  EXPECT_LE(absl::AbsDuration(stored.recorded_at - absl::Now()), absl::Minutes(1));
}

TEST_F(AppendTest, StreamsReadForwardsAndBackwardsWithLimits) {
  for (int i = 1; i <= 5; ++i) {
    MustAppend("client-1", ExpectedVersion::Any(), {Event("c" + std::to_string(i))});
    MustAppend("client-10", ExpectedVersion::Any(), {Event("x" + std::to_string(i))});
  }
  auto forwards = store_->ReadStream("client-1", 2, ReadDirection::kForwards, 3);
  ASSERT_TRUE(forwards.ok());
  std::vector<StreamVersion> versions;
  for (const RecordedEvent& e : forwards->events) versions.push_back(e.stream_version);
  EXPECT_THAT(versions, ElementsAre(2, 3, 4));
  EXPECT_FALSE(forwards->end_of_stream);
  EXPECT_EQ(forwards->stream_version, 5u);

  auto backwards =
      store_->ReadStream("client-1", EventStore::kEndOfStream, ReadDirection::kBackwards, 10);
  ASSERT_TRUE(backwards.ok());
  versions.clear();
  for (const RecordedEvent& e : backwards->events) {
    versions.push_back(e.stream_version);
    EXPECT_EQ(e.stream, "client-1");  // "client-10" shares the prefix but is another stream.
  }
  EXPECT_THAT(versions, ElementsAre(5, 4, 3, 2, 1));
  EXPECT_TRUE(backwards->end_of_stream);

  auto missing = store_->ReadStream("client-2", 1, ReadDirection::kForwards, 10);
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->events.empty());
  EXPECT_EQ(missing->stream_version, 0u);
  EXPECT_TRUE(missing->end_of_stream);

  // What a command with a cached state asks: anything after the version it knows?
  auto after_the_end = store_->ReadStream("client-1", 6, ReadDirection::kForwards, 10);
  ASSERT_TRUE(after_the_end.ok());
  EXPECT_TRUE(after_the_end->events.empty());
  EXPECT_TRUE(after_the_end->end_of_stream);
  EXPECT_EQ(after_the_end->stream_version, 5u);
  auto the_last = store_->ReadStream("client-1", 5, ReadDirection::kForwards, 10);
  ASSERT_TRUE(the_last.ok());
  ASSERT_EQ(the_last->events.size(), 1u);
  EXPECT_EQ(the_last->events[0].stream_version, 5u);
  EXPECT_TRUE(the_last->end_of_stream);
}

TEST_F(AppendTest, ReadAllFiltersByStreamPrefixAndType) {
  MustAppend("client-1", ExpectedVersion::Any(), {Event("e1", "Client.Registered")});
  MustAppend("artist-1", ExpectedVersion::Any(), {Event("e2", "Artist.Booked")});
  MustAppend("client-2", ExpectedVersion::Any(), {Event("e3", "Session.Completed")});
  MustAppend("client-2", ExpectedVersion::Any(), {Event("e4", "Client.Registered")});

  auto all = store_->ReadAll(1, 100, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->events.size(), 4u);
  EXPECT_TRUE(all->end_of_log);
  EXPECT_EQ(all->next_position, 5u);

  auto clients = store_->ReadAll(1, 100, EventFilter{"client-", {}});
  ASSERT_TRUE(clients.ok());
  EXPECT_EQ(clients->events.size(), 3u);

  auto registered = store_->ReadAll(2, 100, EventFilter{"client-", {"Client.Registered"}});
  ASSERT_TRUE(registered.ok());
  ASSERT_EQ(registered->events.size(), 1u);
  EXPECT_EQ(registered->events[0].position, 4u);

  auto paged = store_->ReadAll(1, 2, {});
  ASSERT_TRUE(paged.ok());
  EXPECT_EQ(paged->events.size(), 2u);
  EXPECT_FALSE(paged->end_of_log);
  EXPECT_EQ(paged->next_position, 3u);
}

TEST_F(AppendTest, RefusesADatabaseOfAnotherFormat) {
  store_.reset();
  {
    std::vector<rocksdb::ColumnFamilyDescriptor> families = testing::StoreColumnFamilies();
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open({}, db_path(), families, &handles, &db).ok());
    ASSERT_TRUE(db->Put({}, handles[0], "format_version", std::string("\0\0\0\x09", 4)).ok());
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    delete db;
  }
  RocksDbEventStoreOptions options;
  options.path = db_path();
  auto opened = RocksDbEventStore::Open(options);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(opened.status().message()), HasSubstr("format 9"));
}

}  // namespace
}  // namespace stipple::eventstore
