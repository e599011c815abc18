#include "services/location_service.h"

#include "services/domain/errors.h"
#include "services/domain/event_names.h"
#include "services/domain/location.h"
#include "services/rpc_support.h"
#include "services/status_macros.h"

namespace stipple::services {
namespace {

// Decides a command on the location's stream and writes the result there.
template <typename Command>
Decider OnLocation(const std::string& location_id, Command command) {
  return [location_id, command](StreamReader& reader) -> absl::StatusOr<std::vector<StreamWrite>> {
    if (location_id.empty()) return domain::InvalidField("location_id", "must not be empty");
    const std::string stream = domain::LocationStream(location_id);
    STIPPLE_ASSIGN_OR_RETURN(std::shared_ptr<const domain::LocationState> state,
                             (reader.ReadFolded<domain::LocationState, events::v1::LocationEvent>(
                                 stream, &domain::Evolve)));
    STIPPLE_ASSIGN_OR_RETURN(events::v1::LocationEvent event, domain::Decide(*state, command));
    return std::vector<StreamWrite>{Write(stream, std::vector{event})};
  };
}

}  // namespace

grpc::Status LocationService::OpenLocation(grpc::ServerContext*,
                                           const api::v1::OpenLocationRequest* request,
                                           api::v1::CommandResult* result) {
  domain::OpenLocation command{request->location_id(), request->name(), request->time_zone(),
                               request->policy(), request->has_policy()};
  return Reply(handler_.Handle(ContextOf(*request), OnLocation(request->location_id(), command)),
               result);
}

grpc::Status LocationService::ChangeLocationPolicy(
    grpc::ServerContext*, const api::v1::ChangeLocationPolicyRequest* request,
    api::v1::CommandResult* result) {
  domain::ChangeLocationPolicy command{request->policy(), request->reason()};
  return Reply(handler_.Handle(ContextOf(*request), OnLocation(request->location_id(), command)),
               result);
}

}  // namespace stipple::services
