#include "services/admin_service.h"

#include "services/domain/errors.h"
#include "services/grpc_status.h"
#include "services/stored_event.h"

namespace stipple::services {
namespace {

constexpr uint32_t kDefaultLimit = 100;
constexpr uint32_t kMaxLimit = 1000;

absl::StatusOr<uint32_t> Limit(uint32_t requested) {
  if (requested > kMaxLimit) return domain::InvalidField("limit", "at most 1000");
  return requested == 0 ? kDefaultLimit : requested;
}

}  // namespace

grpc::Status AdminService::ReadStream(grpc::ServerContext*,
                                      const api::v1::ReadStreamRequest* request,
                                      api::v1::ReadEventsResponse* response) {
  absl::StatusOr<uint32_t> limit = Limit(request->limit());
  if (!limit.ok()) return ToGrpcStatus(limit.status());
  eventstore::StreamVersion from = request->from_version();
  if (request->backwards() && from == 0) from = eventstore::EventStore::kEndOfStream;
  absl::StatusOr<eventstore::StreamSlice> slice =
      store_.ReadStream(request->stream(), from,
                        request->backwards() ? eventstore::ReadDirection::kBackwards
                                             : eventstore::ReadDirection::kForwards,
                        *limit);
  if (!slice.ok()) return ToGrpcStatus(slice.status());
  for (const eventstore::RecordedEvent& event : slice->events) {
    *response->add_events() = ToProto(event);
  }
  response->set_end(slice->end_of_stream);
  return grpc::Status::OK;
}

grpc::Status AdminService::ReadAll(grpc::ServerContext*, const api::v1::ReadAllRequest* request,
                                   api::v1::ReadEventsResponse* response) {
  absl::StatusOr<uint32_t> limit = Limit(request->limit());
  if (!limit.ok()) return ToGrpcStatus(limit.status());
  eventstore::EventFilter filter{request->stream_prefix(),
                                 {request->event_types().begin(), request->event_types().end()}};
  absl::StatusOr<eventstore::LogSlice> slice =
      store_.ReadAll(request->from_position(), *limit, filter);
  if (!slice.ok()) return ToGrpcStatus(slice.status());
  for (const eventstore::RecordedEvent& event : slice->events) {
    *response->add_events() = ToProto(event);
  }
  response->set_next_position(slice->next_position);
  response->set_end(slice->end_of_log);
  return grpc::Status::OK;
}

grpc::Status AdminService::GetProjectionStatus(grpc::ServerContext*,
                                               const api::v1::GetProjectionStatusRequest*,
                                               api::v1::GetProjectionStatusResponse* response) {
  response->set_head_position(store_.HeadPosition());
  for (const projections::Lag& lag : models_.Status()) {
    api::v1::ProjectionStatus* status = response->add_projections();
    status->set_name(lag.name);
    status->set_checkpoint(lag.checkpoint);
    status->set_lag(lag.lag);
    status->set_rebuilding(lag.rebuilding);
    status->set_compacting(lag.compacting);
    if (!lag.health.ok()) status->set_error(lag.health.ToString());
    if (!lag.compaction_failure.ok()) {
      status->set_compaction_error(lag.compaction_failure.ToString());
    }
  }
  return grpc::Status::OK;
}

grpc::Status AdminService::RebuildProjection(grpc::ServerContext*,
                                             const api::v1::RebuildProjectionRequest* request,
                                             api::v1::RebuildProjectionResponse*) {
  return ToGrpcStatus(models_.Rebuild(request->name()));
}

}  // namespace stipple::services
