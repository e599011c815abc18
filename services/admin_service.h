#ifndef STIPPLE_SERVICES_ADMIN_SERVICE_H_
#define STIPPLE_SERVICES_ADMIN_SERVICE_H_

#include "eventstore/event_store.h"
#include "projections/read_models.h"
#include "stipple/api/v1/queries.grpc.pb.h"

namespace stipple::services {

// Reads of the log for auditors, and projection status and rebuilds for operators.
class AdminService final : public api::v1::AdminService::Service {
 public:
  AdminService(eventstore::EventStore& store, projections::ReadModels& models)
      : store_(store), models_(models) {}

  grpc::Status ReadStream(grpc::ServerContext*, const api::v1::ReadStreamRequest*,
                          api::v1::ReadEventsResponse*) override;
  grpc::Status ReadAll(grpc::ServerContext*, const api::v1::ReadAllRequest*,
                       api::v1::ReadEventsResponse*) override;
  grpc::Status GetProjectionStatus(grpc::ServerContext*, const api::v1::GetProjectionStatusRequest*,
                                   api::v1::GetProjectionStatusResponse*) override;
  grpc::Status RebuildProjection(grpc::ServerContext*, const api::v1::RebuildProjectionRequest*,
                                 api::v1::RebuildProjectionResponse*) override;

 private:
  eventstore::EventStore& store_;
  projections::ReadModels& models_;
};

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_ADMIN_SERVICE_H_
