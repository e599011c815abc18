#include "services/aggregates.h"

#include "services/domain/errors.h"
#include "services/domain/event_names.h"
#include "services/status_macros.h"

namespace stipple::services {
namespace {

// A folded artist forgets bookings that ended a day before the decision that folded it. New
// bookings start in the future; the day is for the decisions that use the state after it was
// cached, whose clock may read a little earlier (taken before, or stepped back). One that still
// asks for a time before the cutoff is refused (DecideBooking), never decided without the
// bookings it may clash with.
constexpr absl::Duration kClockStepAllowance = absl::Hours(24);

void ForgetPastBookings(domain::ArtistState& state, absl::Time now) {
  domain::ForgetBookingsEndedBefore(state, now - kClockStepAllowance);
}

}  // namespace

absl::StatusOr<domain::LocationState> ReadLocation(StreamReader& reader, const std::string& field,
                                                   const std::string& location_id) {
  if (location_id.empty()) return domain::InvalidField(field, "must not be empty");
  STIPPLE_ASSIGN_OR_RETURN(std::shared_ptr<const domain::LocationState> state,
                           (reader.ReadFolded<domain::LocationState, events::v1::LocationEvent>(
                               domain::LocationStream(location_id), &domain::Evolve)));
  if (!state->exists) return domain::NotFound("location", location_id);
  return *state;
}

absl::StatusOr<std::shared_ptr<const domain::ArtistState>> ReadArtistState(
    StreamReader& reader, const std::string& artist_id) {
  return reader.ReadFolded<domain::ArtistState, events::v1::ArtistEvent>(
      domain::ArtistStream(artist_id), &domain::Evolve, &ForgetPastBookings);
}

absl::StatusOr<std::shared_ptr<const domain::ArtistState>> ReadArtist(
    StreamReader& reader, const std::string& field, const std::string& artist_id) {
  if (artist_id.empty()) return domain::InvalidField(field, "must not be empty");
  STIPPLE_ASSIGN_OR_RETURN(std::shared_ptr<const domain::ArtistState> state,
                           ReadArtistState(reader, artist_id));
  if (!state->exists) return domain::NotFound("artist", artist_id);
  return state;
}

absl::StatusOr<domain::ClientState> ReadClient(StreamReader& reader, const std::string& client_id) {
  if (client_id.empty()) return domain::InvalidField("client_id", "must not be empty");
  STIPPLE_ASSIGN_OR_RETURN(std::shared_ptr<const domain::ClientState> state,
                           (reader.ReadFolded<domain::ClientState, events::v1::ClientEvent>(
                               domain::ClientStream(client_id), &domain::Evolve)));
  return *state;
}

}  // namespace stipple::services
