#ifndef STIPPLE_SERVICES_AGGREGATES_H_
#define STIPPLE_SERVICES_AGGREGATES_H_

// Reads an aggregate's stream through a StreamReader and folds it into domain state.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/command_handler.h"
#include "services/domain/artist.h"
#include "services/domain/client.h"
#include "services/domain/location.h"

namespace stipple::services {

// NOT_FOUND (naming `field`) when the location or artist does not exist; INVALID_ARGUMENT when
// the id is empty. An artist's state holds their bookings ahead (and of the last day): shared,
// not copied.
absl::StatusOr<domain::LocationState> ReadLocation(StreamReader& reader, const std::string& field,
                                                   const std::string& location_id);
// The artist's state, whether or not they are registered; bookings that ended before the decision
// are forgotten (domain::ForgetBookingsEndedBefore).
absl::StatusOr<std::shared_ptr<const domain::ArtistState>> ReadArtistState(
    StreamReader& reader, const std::string& artist_id);
absl::StatusOr<std::shared_ptr<const domain::ArtistState>> ReadArtist(StreamReader& reader,
                                                                      const std::string& field,
                                                                      const std::string& artist_id);
// The client's state, which may not exist yet (the domain decides what that means).
absl::StatusOr<domain::ClientState> ReadClient(StreamReader& reader, const std::string& client_id);

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_AGGREGATES_H_
