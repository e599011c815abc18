#include "services/artist_service.h"

#include "absl/strings/str_cat.h"
#include "services/aggregates.h"
#include "services/domain/errors.h"
#include "services/rpc_support.h"
#include "services/status_macros.h"

namespace stipple::services {

grpc::Status ArtistService::RegisterArtist(grpc::ServerContext*,
                                           const api::v1::RegisterArtistRequest* request,
                                           api::v1::CommandResult* result) {
  domain::RegisterArtist command{request->artist_id(),
                                 request->name(),
                                 {request->location_ids().begin(), request->location_ids().end()}};
  auto decide = [&command](StreamReader& reader) -> absl::StatusOr<std::vector<StreamWrite>> {
    if (command.artist_id.empty()) return domain::InvalidField("artist_id", "must not be empty");
    for (size_t i = 0; i < command.location_ids.size(); ++i) {
      STIPPLE_RETURN_IF_ERROR(
          ReadLocation(reader, absl::StrCat("location_ids[", i, "]"), command.location_ids[i])
              .status());
    }
    const std::string stream = domain::ArtistStream(command.artist_id);
    STIPPLE_ASSIGN_OR_RETURN(std::shared_ptr<const domain::ArtistState> state,
                             ReadArtistState(reader, command.artist_id));
    STIPPLE_ASSIGN_OR_RETURN(events::v1::ArtistEvent event, domain::Decide(*state, command));
    return std::vector<StreamWrite>{Write(stream, std::vector{event})};
  };
  return Reply(handler_.Handle(ContextOf(*request), decide), result);
}

}  // namespace stipple::services
