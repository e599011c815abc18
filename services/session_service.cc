#include "services/session_service.h"

#include "services/client_commands.h"
#include "services/domain/errors.h"
#include "services/domain/time_convert.h"
#include "services/rpc_support.h"

namespace stipple::services {

using domain::ClientEvents;
using domain::ClientState;

namespace {

// The policy of the location where the client's open session takes place.
absl::StatusOr<events::v1::LocationPolicy> OpenSessionPolicy(StreamReader& reader,
                                                             const ClientState& state) {
  if (!state.open_session.has_value()) return events::v1::LocationPolicy();  // Domain says why.
  STIPPLE_ASSIGN_OR_RETURN(domain::LocationState location,
                           ReadLocation(reader, "location_id", state.open_session->location_id));
  return location.policy;
}

}  // namespace

grpc::Status SessionService::ScheduleSession(grpc::ServerContext*,
                                             const api::v1::ScheduleSessionRequest* request,
                                             api::v1::ScheduleSessionResponse* response) {
  if (!request->has_start_time()) {
    return Reply(domain::InvalidField("start_time", "required"), response->mutable_result());
  }
  domain::ScheduleSession command{request->location_id(),
                                  {},
                                  nullptr,
                                  domain::FromProto(request->start_time()),
                                  handler_.Now(),
                                  "booking-" + request->context().request_id()};
  const std::string client_id = request->client_id();
  const std::string artist_id = request->artist_id();
  auto decide = [&](StreamReader& reader) -> absl::StatusOr<std::vector<StreamWrite>> {
    STIPPLE_ASSIGN_OR_RETURN(ClientState client, ReadClient(reader, client_id));
    STIPPLE_ASSIGN_OR_RETURN(domain::LocationState location,
                             ReadLocation(reader, "location_id", command.location_id));
    STIPPLE_ASSIGN_OR_RETURN(std::shared_ptr<const domain::ArtistState> artist,
                             ReadArtist(reader, "artist_id", artist_id));
    domain::ScheduleSession with_facts = command;
    with_facts.policy = location.policy;
    with_facts.artist = artist.get();
    STIPPLE_ASSIGN_OR_RETURN(domain::ScheduleDecision decision, domain::Decide(client, with_facts));
    return std::vector<StreamWrite>{
        Write(domain::ClientStream(client_id), decision.client),
        Write(domain::ArtistStream(artist_id), std::vector{decision.artist})};
  };
  absl::StatusOr<CommandOutcome> outcome = handler_.Handle(ContextOf(*request), decide);
  grpc::Status status = Reply(outcome, response->mutable_result());
  if (status.ok()) {
    const events::v1::ClientEvent event = FirstClientEvent(*outcome);
    const events::v1::SessionScheduled& scheduled = event.session_scheduled();
    response->set_session_number(scheduled.session_number());
    response->set_expected_duration_minutes(scheduled.expected_duration_minutes());
  }
  return status;
}

grpc::Status SessionService::CompleteSession(grpc::ServerContext*,
                                             const api::v1::CompleteSessionRequest* request,
                                             api::v1::CommandResult* result) {
  domain::CompleteSession command{request->session_number(), request->record(), {}, handler_.Now()};
  return Reply(
      handler_.Handle(ContextOf(*request),
                      OnClient(request->client_id(),
                               [command](StreamReader& reader,
                                         const ClientState& state) -> absl::StatusOr<ClientEvents> {
                                 domain::CompleteSession with_policy = command;
                                 STIPPLE_ASSIGN_OR_RETURN(with_policy.policy,
                                                          OpenSessionPolicy(reader, state));
                                 return domain::Decide(state, with_policy);
                               })),
      result);
}

grpc::Status SessionService::CancelSession(grpc::ServerContext*,
                                           const api::v1::CancelSessionRequest* request,
                                           api::v1::CommandResult* result) {
  domain::CancelSession command{request->session_number(), request->reason(), {}, handler_.Now()};
  const std::string client_id = request->client_id();
  auto decide = [&](StreamReader& reader) -> absl::StatusOr<std::vector<StreamWrite>> {
    STIPPLE_ASSIGN_OR_RETURN(ClientState client, ReadClient(reader, client_id));
    domain::CancelSession with_facts = command;
    STIPPLE_ASSIGN_OR_RETURN(with_facts.policy, OpenSessionPolicy(reader, client));
    STIPPLE_ASSIGN_OR_RETURN(domain::CancelDecision decision, domain::Decide(client, with_facts));
    // Read the artist so the release is appended at the version it was decided on.
    STIPPLE_RETURN_IF_ERROR(ReadArtist(reader, "artist_id", decision.artist_id).status());
    return std::vector<StreamWrite>{
        Write(domain::ClientStream(client_id), decision.client),
        Write(domain::ArtistStream(decision.artist_id), std::vector{decision.artist})};
  };
  return Reply(handler_.Handle(ContextOf(*request), decide), result);
}

grpc::Status SessionService::MarkNoShow(grpc::ServerContext*,
                                        const api::v1::MarkNoShowRequest* request,
                                        api::v1::CommandResult* result) {
  return Reply(
      handler_.Handle(ContextOf(*request),
                      Simple(request->client_id(),
                             domain::MarkNoShow{request->session_number(), handler_.Now()})),
      result);
}

}  // namespace stipple::services
