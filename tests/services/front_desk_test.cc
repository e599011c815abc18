// The synthetic front desk that drives the benchmarks and reliability runs: it books ahead, moves
// a course on only once its session has started by the server's clock, and starts new courses
// meanwhile, without a refusal.

#include "tests/support/front_desk.h"

#include <string>
#include <vector>

#include "tests/services/api_fixture.h"

namespace stipple::services::testing {
namespace {

class FrontDeskTest : public ApiTest {
 protected:
  std::unique_ptr<stipple::testing::FrontDesk> Desk(double cancel_share,
                                                    const std::vector<std::string>& artists = {},
                                                    const std::string& name = "desk") {
    auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    EXPECT_TRUE(stipple::testing::OpenLocations(*channel, {"studio-a"}).ok());
    EXPECT_TRUE(stipple::testing::RegisterArtists(*channel, "studio-a", artists).ok());
    stipple::testing::FrontDeskOptions options;
    options.name = name;
    options.artist_ids = artists;
    options.location_id = "studio-a";
    options.clock = [this] { return clock_.Now(); };
    options.schedule_lead = absl::Seconds(5);
    options.cancel_share = cancel_share;
    auto desk = std::make_unique<stipple::testing::FrontDesk>(options);
    desk->Connect(channel);
    return desk;
  }

  // The rpcs of the next `steps` steps; each must succeed.
  std::vector<std::string> Steps(stipple::testing::FrontDesk& desk, int steps) {
    std::vector<std::string> rpcs;
    for (int i = 0; i < steps; ++i) {
      stipple::testing::CommandRecord record = desk.Step();
      EXPECT_TRUE(record.status.ok()) << record.rpc << ": " << record.status.error_message();
      rpcs.push_back(record.rpc);
    }
    return rpcs;
  }
};

const std::vector<std::string> kToFirstBooking = {
    "RegisterArtist", "RegisterClient", "RecordConsultation", "SignConsent",
    "WaivePatchTest", "AgreePlan",      "ScheduleSession"};

TEST_F(FrontDeskTest, StartsNewCoursesUntilABookedSessionHasStartedThenFinishesItFirst) {
  auto desk = Desk(/*cancel_share=*/0);
  EXPECT_EQ(Steps(*desk, 7), kToFirstBooking);
  EXPECT_EQ(Steps(*desk, 7), kToFirstBooking);  // Course 1 waits for its session: course 2.

  clock_.Advance(absl::Seconds(6));  // Both booked sessions have started: lowest course first.
  EXPECT_THAT(Steps(*desk, 5),
              ::testing::ElementsAre("CompleteSession", "ScheduleSession", "CompleteSession",
                                     "ScheduleSession", "RegisterArtist"));
  EXPECT_EQ(desk->refusals(), 0);
}

TEST_F(FrontDeskTest, CarriesCoursesThroughToTheirLastSessionWithoutARefusal) {
  auto desk = Desk(/*cancel_share=*/0.2);
  for (int step = 0; step < 400 && desk->courses_completed() < 3; ++step) {
    stipple::testing::CommandRecord record = desk->Step();
    ASSERT_TRUE(record.status.ok()) << record.rpc << ": " << record.status.error_message();
    // A new course means every booked session is still ahead: let a month pass.
    if (record.rpc == "RegisterArtist") clock_.Advance(absl::Hours(24 * 32));
  }
  EXPECT_GE(desk->courses_completed(), 3);
  EXPECT_EQ(desk->refusals(), 0);
}

const std::vector<std::string> kToFirstBookingWithTheLocationsArtists = {
    "RegisterClient", "RecordConsultation", "SignConsent",
    "WaivePatchTest", "AgreePlan",          "ScheduleSession"};

TEST_F(FrontDeskTest, DesksSharingTheLocationsArtistsBookAroundEachOthersSessions) {
  // Both desks book their first course's session for the same time, with the same first artist.
  auto first = Desk(/*cancel_share=*/0, {"a1", "a2"}, "desk-1");
  auto second = Desk(/*cancel_share=*/0, {"a1", "a2"}, "desk-2");
  EXPECT_EQ(Steps(*first, 6), kToFirstBookingWithTheLocationsArtists);
  EXPECT_EQ(Steps(*second, 5),
            std::vector<std::string>(kToFirstBookingWithTheLocationsArtists.begin(),
                                     kToFirstBookingWithTheLocationsArtists.end() - 1));
  stipple::testing::CommandRecord clash = second->Step();
  EXPECT_EQ(clash.rpc, "ScheduleSession");
  EXPECT_TRUE(clash.clash) << clash.status.error_message();
  EXPECT_EQ(clash.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Steps(*second, 1),
            std::vector<std::string>{"ScheduleSession"});  // With the other artist.
  // Both artists are now booked at that time (for hours): desk 1's next course is refused by
  // each, then tries an hour later, and so on, until one is free.
  EXPECT_EQ(Steps(*first, 5),
            std::vector<std::string>(kToFirstBookingWithTheLocationsArtists.begin(),
                                     kToFirstBookingWithTheLocationsArtists.end() - 1));
  bool booked = false;
  for (int attempt = 0; attempt < 30 && !booked; ++attempt) {
    stipple::testing::CommandRecord booking = first->Step();
    ASSERT_EQ(booking.rpc, "ScheduleSession");
    ASSERT_TRUE(booking.status.ok() || booking.clash) << booking.status.error_message();
    booked = booking.status.ok();
  }
  EXPECT_TRUE(booked);
  EXPECT_GE(first->clashes(), 2);
  EXPECT_EQ(second->clashes(), 1);
  EXPECT_EQ(first->refusals() + second->refusals(), 0);
  size_t bookings = 0;
  for (const char* artist : {"artist-a1", "artist-a2"}) {
    auto stream = store_->ReadStream(artist, 1, eventstore::ReadDirection::kForwards, 100);
    ASSERT_TRUE(stream.ok());
    bookings += stream->events.size() - 1;  // After its registration.
  }
  EXPECT_EQ(bookings, 3u);
}

}  // namespace
}  // namespace stipple::services::testing
