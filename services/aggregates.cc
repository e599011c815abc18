#include "services/aggregates.h"

#include "services/domain/errors.h"
#include "services/domain/event_names.h"
#include "services/status_macros.h"

namespace stipple::services {
namespace {

// A cached artist forgets bookings that ended a day before the decision that cached it: a new
// booking starts after its decision's now, and a day covers a clock stepped back.
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

absl::StatusOr<std::shared_ptr<const domain::ArtistState>> ReadArtist(
    StreamReader& reader, const std::string& field, const std::string& artist_id) {
  if (artist_id.empty()) return domain::InvalidField(field, "must not be empty");
  STIPPLE_ASSIGN_OR_RETURN(
      std::shared_ptr<const domain::ArtistState> state,
      (reader.ReadFolded<domain::ArtistState, events::v1::ArtistEvent>(
          domain::ArtistStream(artist_id), &domain::Evolve, &ForgetPastBookings)));
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
