#ifndef STIPPLE_SERVICES_LOCATION_SERVICE_H_
#define STIPPLE_SERVICES_LOCATION_SERVICE_H_

#include "services/command_handler.h"
#include "stipple/api/v1/studio.grpc.pb.h"

namespace stipple::services {

class LocationService final : public api::v1::LocationService::Service {
 public:
  explicit LocationService(CommandHandler& handler) : handler_(handler) {}

  grpc::Status OpenLocation(grpc::ServerContext*, const api::v1::OpenLocationRequest* request,
                            api::v1::CommandResult* result) override;
  grpc::Status ChangeLocationPolicy(grpc::ServerContext*,
                                    const api::v1::ChangeLocationPolicyRequest* request,
                                    api::v1::CommandResult* result) override;

 private:
  CommandHandler& handler_;
};

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_LOCATION_SERVICE_H_
