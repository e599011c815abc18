#ifndef STIPPLE_SERVICES_SESSION_SERVICE_H_
#define STIPPLE_SERVICES_SESSION_SERVICE_H_

#include "services/command_handler.h"
#include "stipple/api/v1/studio.grpc.pb.h"

namespace stipple::services {

// Booking, completing, cancelling sessions. Booking and cancelling write the client's and the
// artist's streams in one atomic append, so an artist is never double-booked.
class SessionService final : public api::v1::SessionService::Service {
 public:
  explicit SessionService(CommandHandler& handler) : handler_(handler) {}

  grpc::Status ScheduleSession(grpc::ServerContext*, const api::v1::ScheduleSessionRequest*,
                               api::v1::ScheduleSessionResponse*) override;
  grpc::Status CompleteSession(grpc::ServerContext*, const api::v1::CompleteSessionRequest*,
                               api::v1::CommandResult*) override;
  grpc::Status CancelSession(grpc::ServerContext*, const api::v1::CancelSessionRequest*,
                             api::v1::CommandResult*) override;
  grpc::Status MarkNoShow(grpc::ServerContext*, const api::v1::MarkNoShowRequest*,
                          api::v1::CommandResult*) override;

 private:
  CommandHandler& handler_;
};

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_SESSION_SERVICE_H_
