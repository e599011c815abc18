// A folded artist forgets the bookings that ended more than a day before the decision that folded
// it, and keeps the rest: the day covers decisions whose clock reads a little earlier.

#include "services/aggregates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/domain/time_convert.h"
#include "stipple/events/v1/events.pb.h"
#include "tests/eventstore/store_fixture.h"

namespace stipple::services {
namespace {

using ::testing::UnorderedElementsAre;

class ArtistStateTest : public eventstore::testing::StoreTest {
 protected:
  // Appends to artist a1's stream.
  void Append(const std::string& id, const events::v1::ArtistEvent& event) {
    eventstore::StreamAppend append{
        domain::ArtistStream("a1"),
        eventstore::ExpectedVersion::Any(),
        {eventstore::testing::Event(id, "Artist.Event", event.SerializeAsString())}};
    ASSERT_TRUE(store_->Append(append).ok());
  }
  void Book(const std::string& booking_id, absl::Time start, int minutes) {
    events::v1::ArtistEvent event;
    events::v1::ArtistBooked& booked = *event.mutable_booked();
    booked.set_booking_id(booking_id);
    booked.set_client_id("c1");
    booked.set_location_id("leeds");
    *booked.mutable_start_time() = domain::ToProto(start);
    booked.set_duration_minutes(minutes);
    Append(booking_id, event);
  }
};

TEST_F(ArtistStateTest, BookingsThatEndedMoreThanADayBeforeTheDecisionAreForgotten) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  events::v1::ArtistEvent registered;
  registered.mutable_registered()->set_artist_id("a1");
  registered.mutable_registered()->add_location_ids("leeds");
  Append("registered", registered);
  Book("ended-25h-ago", now - absl::Hours(26), 60);
  Book("ended-23h-ago", now - absl::Hours(24), 60);
  Book("ahead", now + absl::Hours(48), 60);

  CommandHandler handler(*store_, [now] { return now; });
  std::vector<std::string> kept;
  absl::Time forgotten_before;
  CommandContext context;
  context.request_id = "r1";
  context.actor = "desk";
  const absl::Status decided =
      handler
          .Handle(context,
                  [&](StreamReader& reader) -> absl::StatusOr<std::vector<StreamWrite>> {
                    absl::StatusOr<std::shared_ptr<const domain::ArtistState>> artist =
                        ReadArtist(reader, "artist_id", "a1");
                    if (!artist.ok()) return artist.status();
                    for (const auto& [id, booking] : (*artist)->active_bookings) kept.push_back(id);
                    forgotten_before = (*artist)->forgotten_before;
                    return absl::CancelledError("read only");
                  })
          .status();
  EXPECT_EQ(decided.code(), absl::StatusCode::kCancelled) << decided;
  EXPECT_THAT(kept, UnorderedElementsAre("ended-23h-ago", "ahead"));
  EXPECT_EQ(forgotten_before, now - absl::Hours(24));
}

}  // namespace
}  // namespace stipple::services
