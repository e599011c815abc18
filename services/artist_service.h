#ifndef STIPPLE_SERVICES_ARTIST_SERVICE_H_
#define STIPPLE_SERVICES_ARTIST_SERVICE_H_

#include "services/command_handler.h"
#include "stipple/api/v1/studio.grpc.pb.h"

namespace stipple::services {

class ArtistService final : public api::v1::ArtistService::Service {
 public:
  explicit ArtistService(CommandHandler& handler) : handler_(handler) {}

  grpc::Status RegisterArtist(grpc::ServerContext*, const api::v1::RegisterArtistRequest* request,
                              api::v1::CommandResult* result) override;

 private:
  CommandHandler& handler_;
};

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_ARTIST_SERVICE_H_
