#ifndef STIPPLE_SERVICES_DOMAIN_ARTIST_H_
#define STIPPLE_SERVICES_DOMAIN_ARTIST_H_

// An artist: where they work and when they are booked, across every location and client.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/domain/history.h"
#include "stipple/events/v1/events.pb.h"

namespace stipple::domain {

struct Booking {
  absl::Time start;
  absl::Time end;
  std::string client_id;
  std::string location_id;
};

struct ArtistState {
  bool exists = false;
  std::string artist_id;
  absl::flat_hash_set<std::string> location_ids;
  absl::flat_hash_map<std::string, Booking> active_bookings;  // By booking id.
  // Bookings that ended before this were forgotten (ForgetBookingsEndedBefore): no booking that
  // starts before it is decided on this state.
  absl::Time forgotten_before = absl::InfinitePast();
};

void Evolve(ArtistState& state, const events::v1::ArtistEvent& event, const std::string& event_id);

// Forgets the bookings that ended before `cutoff`, so that a state kept for later decisions holds
// the artist's calendar ahead, not every booking of their career. Only a booking that starts
// before `cutoff` could clash with a forgotten one, and new bookings start in the future
// (Decide(ScheduleSession)); should one start before `cutoff` all the same, DecideBooking
// refuses it rather than decide without the bookings it may clash with.
void ForgetBookingsEndedBefore(ArtistState& state, absl::Time cutoff);

absl::StatusOr<ArtistState> FoldArtist(const History& history);

struct RegisterArtist {
  std::string artist_id;
  std::string name;
  std::vector<std::string> location_ids;  // Each checked to exist by the caller.
};
absl::StatusOr<events::v1::ArtistEvent> Decide(const ArtistState& state,
                                               const RegisterArtist& command);

// The booking event for [start, start + duration) at `location_id`, or ARTIST_NOT_AT_LOCATION /
// ARTIST_DOUBLE_BOOKED.
absl::StatusOr<events::v1::ArtistEvent> DecideBooking(const ArtistState& state,
                                                      const std::string& booking_id,
                                                      const std::string& client_id,
                                                      const std::string& location_id,
                                                      absl::Time start, int duration_minutes);

}  // namespace stipple::domain

#endif  // STIPPLE_SERVICES_DOMAIN_ARTIST_H_
