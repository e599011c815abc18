#ifndef STIPPLE_SERVICES_CLIENT_SERVICE_H_
#define STIPPLE_SERVICES_CLIENT_SERVICE_H_

#include "services/command_handler.h"
#include "stipple/api/v1/studio.grpc.pb.h"

namespace stipple::services {

// Registration, consultation, safety gates, plans and the client's standing.
class ClientService final : public api::v1::ClientService::Service {
 public:
  explicit ClientService(CommandHandler& handler) : handler_(handler) {}

  using Result = api::v1::CommandResult;
  grpc::Status RegisterClient(grpc::ServerContext*, const api::v1::RegisterClientRequest*,
                              Result*) override;
  grpc::Status RecordConsultation(grpc::ServerContext*, const api::v1::RecordConsultationRequest*,
                                  api::v1::RecordConsultationResponse*) override;
  grpc::Status SignConsent(grpc::ServerContext*, const api::v1::SignConsentRequest*,
                           Result*) override;
  grpc::Status RecordContraindication(grpc::ServerContext*,
                                      const api::v1::RecordContraindicationRequest*,
                                      Result*) override;
  grpc::Status ClearContraindication(grpc::ServerContext*,
                                     const api::v1::ClearContraindicationRequest*,
                                     Result*) override;
  grpc::Status ApplyPatchTest(grpc::ServerContext*, const api::v1::ApplyPatchTestRequest*,
                              Result*) override;
  grpc::Status ReadPatchTest(grpc::ServerContext*, const api::v1::ReadPatchTestRequest*,
                             Result*) override;
  grpc::Status WaivePatchTest(grpc::ServerContext*, const api::v1::WaivePatchTestRequest*,
                              Result*) override;
  grpc::Status AgreePlan(grpc::ServerContext*, const api::v1::AgreePlanRequest*, Result*) override;
  grpc::Status RevisePlan(grpc::ServerContext*, const api::v1::RevisePlanRequest*,
                          Result*) override;
  grpc::Status StartTouchUp(grpc::ServerContext*, const api::v1::StartTouchUpRequest*,
                            Result*) override;
  grpc::Status AmendRecord(grpc::ServerContext*, const api::v1::AmendRecordRequest*,
                           Result*) override;
  grpc::Status PutOnHold(grpc::ServerContext*, const api::v1::PutOnHoldRequest*, Result*) override;
  grpc::Status Resume(grpc::ServerContext*, const api::v1::ResumeRequest*, Result*) override;
  grpc::Status Discontinue(grpc::ServerContext*, const api::v1::DiscontinueRequest*,
                           Result*) override;
  grpc::Status ChangeHomeLocation(grpc::ServerContext*, const api::v1::ChangeHomeLocationRequest*,
                                  Result*) override;

 private:
  grpc::Status Run(const CommandContext& context, const Decider& decide, Result* result);

  CommandHandler& handler_;
};

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_CLIENT_SERVICE_H_
