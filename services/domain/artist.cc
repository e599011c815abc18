#include "services/domain/artist.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/domain/errors.h"
#include "services/domain/time_convert.h"

namespace stipple::domain {

void Evolve(ArtistState& state, const events::v1::ArtistEvent& event,
            const std::string& /*event_id*/) {
  switch (event.event_case()) {
    case events::v1::ArtistEvent::kRegistered:
      state.exists = true;
      state.artist_id = event.registered().artist_id();
      state.location_ids.insert(event.registered().location_ids().begin(),
                                event.registered().location_ids().end());
      break;
    case events::v1::ArtistEvent::kBooked: {
      const auto& booked = event.booked();
      absl::Time start = FromProto(booked.start_time());
      state.active_bookings[booked.booking_id()] = {
          start, start + absl::Minutes(booked.duration_minutes()), booked.client_id(),
          booked.location_id()};
      break;
    }
    case events::v1::ArtistEvent::kBookingReleased:
      state.active_bookings.erase(event.booking_released().booking_id());
      break;
    case events::v1::ArtistEvent::EVENT_NOT_SET:
      break;
  }
}

void ForgetBookingsEndedBefore(ArtistState& state, absl::Time cutoff) {
  absl::erase_if(state.active_bookings,
                 [cutoff](const auto& booking) { return booking.second.end < cutoff; });
  state.forgotten_before = std::max(state.forgotten_before, cutoff);
}

absl::StatusOr<ArtistState> FoldArtist(const History& history) {
  return Fold<ArtistState, events::v1::ArtistEvent>(
      history, [](ArtistState& state, const events::v1::ArtistEvent& event, const std::string& id) {
        Evolve(state, event, id);
      });
}

absl::StatusOr<events::v1::ArtistEvent> Decide(const ArtistState& state,
                                               const RegisterArtist& command) {
  if (command.artist_id.empty()) return InvalidField("artist_id", "must not be empty");
  if (command.name.empty()) return InvalidField("name", "must not be empty");
  if (command.location_ids.empty()) return InvalidField("location_ids", "must name a location");
  if (state.exists) return AlreadyExists("artist", command.artist_id);
  events::v1::ArtistEvent event;
  auto* registered = event.mutable_registered();
  registered->set_artist_id(command.artist_id);
  registered->set_name(command.name);
  for (const std::string& location : command.location_ids) registered->add_location_ids(location);
  return event;
}

absl::StatusOr<events::v1::ArtistEvent> DecideBooking(const ArtistState& state,
                                                      const std::string& booking_id,
                                                      const std::string& client_id,
                                                      const std::string& location_id,
                                                      absl::Time start, int duration_minutes) {
  if (!state.location_ids.contains(location_id)) {
    return RuleBroken(
        "ARTIST_NOT_AT_LOCATION",
        absl::StrCat("artist '", state.artist_id, "' does not work at '", location_id, "'"));
  }
  if (start < state.forgotten_before) {
    return InvalidField("start_time", "must be in the future");
  }
  const absl::Time end = start + absl::Minutes(duration_minutes);
  for (const auto& [id, booking] : state.active_bookings) {
    if (start < booking.end && booking.start < end) {
      return RuleBroken(
          "ARTIST_DOUBLE_BOOKED",
          absl::StrCat("artist '", state.artist_id, "' is booked from ",
                       absl::FormatTime(booking.start), " to ", absl::FormatTime(booking.end),
                       " at '", booking.location_id, "'"));
    }
  }
  events::v1::ArtistEvent event;
  auto* booked = event.mutable_booked();
  booked->set_booking_id(booking_id);
  booked->set_client_id(client_id);
  booked->set_location_id(location_id);
  *booked->mutable_start_time() = ToProto(start);
  booked->set_duration_minutes(duration_minutes);
  return event;
}

}  // namespace stipple::domain
