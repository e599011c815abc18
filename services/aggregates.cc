#include "services/aggregates.h"

#include "services/domain/errors.h"
#include "services/domain/event_names.h"
#include "services/status_macros.h"

namespace stipple::services {

absl::StatusOr<domain::LocationState> ReadLocation(StreamReader& reader, const std::string& field,
                                                   const std::string& location_id) {
  if (location_id.empty()) return domain::InvalidField(field, "must not be empty");
  STIPPLE_ASSIGN_OR_RETURN(const domain::History* history,
                           reader.Read(domain::LocationStream(location_id)));
  STIPPLE_ASSIGN_OR_RETURN(domain::LocationState state, domain::FoldLocation(*history));
  if (!state.exists) return domain::NotFound("location", location_id);
  return state;
}

absl::StatusOr<domain::ArtistState> ReadArtist(StreamReader& reader, const std::string& field,
                                               const std::string& artist_id) {
  if (artist_id.empty()) return domain::InvalidField(field, "must not be empty");
  STIPPLE_ASSIGN_OR_RETURN(const domain::History* history,
                           reader.Read(domain::ArtistStream(artist_id)));
  STIPPLE_ASSIGN_OR_RETURN(domain::ArtistState state, domain::FoldArtist(*history));
  if (!state.exists) return domain::NotFound("artist", artist_id);
  return state;
}

absl::StatusOr<domain::ClientState> ReadClient(StreamReader& reader, const std::string& client_id) {
  if (client_id.empty()) return domain::InvalidField("client_id", "must not be empty");
  STIPPLE_ASSIGN_OR_RETURN(const domain::History* history,
                           reader.Read(domain::ClientStream(client_id)));
  return domain::FoldClient(*history);
}

}  // namespace stipple::services
