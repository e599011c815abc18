#ifndef STIPPLE_SERVICES_QUERY_SERVICE_H_
#define STIPPLE_SERVICES_QUERY_SERVICE_H_

#include <atomic>
#include <functional>

#include "absl/time/time.h"
#include "projections/read_models.h"
#include "stipple/api/v1/queries.grpc.pb.h"

namespace stipple::services {

// Queries over the read models, reports and the report watch stream.
class QueryService final : public api::v1::QueryService::Service {
 public:
  QueryService(projections::ReadModels& models, std::function<absl::Time()> clock,
               const std::atomic<bool>& shutting_down)
      : models_(models), clock_(std::move(clock)), shutting_down_(shutting_down) {}

  grpc::Status GetClientSummary(grpc::ServerContext*, const api::v1::GetClientSummaryRequest*,
                                projections::v1::ClientSummary*) override;
  grpc::Status GetClientSummaryAsOf(grpc::ServerContext*,
                                    const api::v1::GetClientSummaryAsOfRequest*,
                                    projections::v1::ClientSummary*) override;
  grpc::Status GetClientHistory(grpc::ServerContext*, const api::v1::GetClientHistoryRequest*,
                                api::v1::ClientHistory*) override;
  grpc::Status ListClients(grpc::ServerContext*, const api::v1::ListClientsRequest*,
                           api::v1::ListClientsResponse*) override;
  grpc::Status GetArtistSchedule(grpc::ServerContext*, const api::v1::GetArtistScheduleRequest*,
                                 api::v1::ArtistSchedule*) override;
  grpc::Status GetReport(grpc::ServerContext*, const api::v1::GetReportRequest*,
                         api::v1::Report*) override;
  grpc::Status WatchReport(grpc::ServerContext*, const api::v1::WatchReportRequest*,
                           grpc::ServerWriter<api::v1::Report>*) override;

 private:
  absl::Status BuildReport(const std::string& location_id, api::v1::Granularity granularity,
                           const std::string& period, uint64_t min_position, absl::Time deadline,
                           api::v1::Report* report);

  projections::ReadModels& models_;
  std::function<absl::Time()> clock_;
  const std::atomic<bool>& shutting_down_;
};

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_QUERY_SERVICE_H_
