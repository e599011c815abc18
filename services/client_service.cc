#include "services/client_service.h"

#include "services/client_commands.h"
#include "services/domain/time_convert.h"
#include "services/rpc_support.h"

namespace stipple::services {

using domain::ClientEvents;
using domain::ClientState;

grpc::Status ClientService::Run(const CommandContext& context, const Decider& decide,
                                Result* result) {
  return Reply(handler_.Handle(context, decide), result);
}

grpc::Status ClientService::RegisterClient(grpc::ServerContext*,
                                           const api::v1::RegisterClientRequest* request,
                                           Result* result) {
  domain::RegisterClient command{request->client_id(), request->home_location_id(),
                                 request->personal()};
  return Run(
      ContextOf(*request),
      AtLocation(request->client_id(), "home_location_id", request->home_location_id(), command),
      result);
}

grpc::Status ClientService::RecordConsultation(grpc::ServerContext*,
                                               const api::v1::RecordConsultationRequest* request,
                                               api::v1::RecordConsultationResponse* response) {
  domain::RecordConsultation command{
      request->location_id(), request->artist_id(), request->assessment(), {}, handler_.Now()};
  absl::StatusOr<CommandOutcome> outcome = handler_.Handle(
      ContextOf(*request),
      OnClient(request->client_id(),
               [command](StreamReader& reader,
                         const ClientState& state) -> absl::StatusOr<ClientEvents> {
                 STIPPLE_ASSIGN_OR_RETURN(domain::LocationState location,
                                          ReadLocation(reader, "location_id", command.location_id));
                 STIPPLE_RETURN_IF_ERROR(
                     ReadArtist(reader, "artist_id", command.artist_id).status());
                 domain::RecordConsultation with_policy = command;
                 with_policy.policy = location.policy;
                 return domain::Decide(state, with_policy);
               }));
  grpc::Status status = Reply(outcome, response->mutable_result());
  if (status.ok()) {
    events::v1::ClientEvent event = FirstClientEvent(*outcome);
    response->set_recommended_sessions(event.consultation_recorded().recommended_sessions());
    *response->mutable_reasons() = event.consultation_recorded().reasons();
  }
  return status;
}

grpc::Status ClientService::SignConsent(grpc::ServerContext*,
                                        const api::v1::SignConsentRequest* request,
                                        Result* result) {
  return Run(ContextOf(*request),
             Simple(request->client_id(),
                    domain::SignConsent{request->kind(), request->template_version()}),
             result);
}

grpc::Status ClientService::RecordContraindication(
    grpc::ServerContext*, const api::v1::RecordContraindicationRequest* request, Result* result) {
  domain::RecordContraindication command{
      request->contraindication_id(), request->kind(), request->description(),
      request->has_until() ? std::optional(domain::FromProto(request->until())) : std::nullopt,
      handler_.Now()};
  return Run(ContextOf(*request), Simple(request->client_id(), command), result);
}

grpc::Status ClientService::ClearContraindication(
    grpc::ServerContext*, const api::v1::ClearContraindicationRequest* request, Result* result) {
  return Run(ContextOf(*request),
             Simple(request->client_id(),
                    domain::ClearContraindication{request->contraindication_id(),
                                                  request->cleared_by(), request->note()}),
             result);
}

grpc::Status ClientService::ApplyPatchTest(grpc::ServerContext*,
                                           const api::v1::ApplyPatchTestRequest* request,
                                           Result* result) {
  domain::ApplyPatchTest command{request->location_id(), handler_.Now()};
  return Run(ContextOf(*request),
             AtLocation(request->client_id(), "location_id", request->location_id(), command),
             result);
}

grpc::Status ClientService::ReadPatchTest(grpc::ServerContext*,
                                          const api::v1::ReadPatchTestRequest* request,
                                          Result* result) {
  return Run(ContextOf(*request),
             Simple(request->client_id(), domain::ReadPatchTest{request->result(), handler_.Now()}),
             result);
}

grpc::Status ClientService::WaivePatchTest(grpc::ServerContext*,
                                           const api::v1::WaivePatchTestRequest* request,
                                           Result* result) {
  return Run(ContextOf(*request),
             Simple(request->client_id(), domain::WaivePatchTest{request->reason()}), result);
}

grpc::Status ClientService::AgreePlan(grpc::ServerContext*,
                                      const api::v1::AgreePlanRequest* request, Result* result) {
  return Run(
      ContextOf(*request),
      Simple(request->client_id(), domain::AgreePlan{request->planned_sessions(),
                                                     request->deviation_reason(), handler_.Now()}),
      result);
}

grpc::Status ClientService::RevisePlan(grpc::ServerContext*,
                                       const api::v1::RevisePlanRequest* request, Result* result) {
  domain::RevisePlan command{request->planned_sessions(), request->reason(), request->note(), {}};
  return Run(ContextOf(*request),
             OnClient(request->client_id(),
                      [command](StreamReader& reader,
                                const ClientState& state) -> absl::StatusOr<ClientEvents> {
                        if (!state.exists) return domain::Decide(state, command);
                        // The touch-up interval, if this revision ends the course, is the last
                        // session's location's.
                        const std::string& location = state.last_session_location_id.empty()
                                                          ? state.home_location_id
                                                          : state.last_session_location_id;
                        STIPPLE_ASSIGN_OR_RETURN(domain::LocationState policy_location,
                                                 ReadLocation(reader, "location_id", location));
                        domain::RevisePlan with_policy = command;
                        with_policy.last_session_policy = policy_location.policy;
                        return domain::Decide(state, with_policy);
                      }),
             result);
}

grpc::Status ClientService::StartTouchUp(grpc::ServerContext*,
                                         const api::v1::StartTouchUpRequest* request,
                                         Result* result) {
  return Run(ContextOf(*request),
             Simple(request->client_id(),
                    domain::StartTouchUp{request->planned_sessions(), handler_.Now()}),
             result);
}

grpc::Status ClientService::AmendRecord(grpc::ServerContext*,
                                        const api::v1::AmendRecordRequest* request,
                                        Result* result) {
  return Run(ContextOf(*request),
             Simple(request->client_id(),
                    domain::AmendRecord{request->amended_event_id(), request->field(),
                                        request->corrected_value(), request->reason()}),
             result);
}

grpc::Status ClientService::PutOnHold(grpc::ServerContext*,
                                      const api::v1::PutOnHoldRequest* request, Result* result) {
  return Run(ContextOf(*request),
             Simple(request->client_id(), domain::PutOnHold{request->reason()}), result);
}

grpc::Status ClientService::Resume(grpc::ServerContext*, const api::v1::ResumeRequest* request,
                                   Result* result) {
  return Run(ContextOf(*request), Simple(request->client_id(), domain::Resume{}), result);
}

grpc::Status ClientService::Discontinue(grpc::ServerContext*,
                                        const api::v1::DiscontinueRequest* request,
                                        Result* result) {
  return Run(ContextOf(*request),
             Simple(request->client_id(), domain::Discontinue{request->reason()}), result);
}

grpc::Status ClientService::ChangeHomeLocation(grpc::ServerContext*,
                                               const api::v1::ChangeHomeLocationRequest* request,
                                               Result* result) {
  return Run(ContextOf(*request),
             AtLocation(request->client_id(), "location_id", request->location_id(),
                        domain::ChangeHomeLocation{request->location_id()}),
             result);
}

}  // namespace stipple::services
