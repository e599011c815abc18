#include "services/query_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "projections/projection.h"
#include "services/domain/errors.h"
#include "services/domain/time_convert.h"
#include "services/grpc_status.h"
#include "services/report_figures.h"

namespace stipple::services {
namespace {

namespace api = api::v1;
namespace rm = projections::v1;

constexpr absl::Duration kDefaultQueryDeadline = absl::Seconds(30);

absl::Time DeadlineOf(const grpc::ServerContext* context) {
  const absl::Time deadline = absl::FromChrono(context->deadline());
  return std::min(deadline, absl::Now() + kDefaultQueryDeadline);
}

absl::Status Required(const char* field, const std::string& value) {
  return value.empty() ? domain::InvalidField(field, "must not be empty") : absl::OkStatus();
}

}  // namespace

grpc::Status QueryService::GetClientSummary(grpc::ServerContext* context,
                                            const api::GetClientSummaryRequest* request,
                                            rm::ClientSummary* response) {
  if (absl::Status s = Required("client_id", request->client_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<rm::ClientSummary> summary = models_.ClientSummary(
      request->client_id(), clock_(), request->min_position(), DeadlineOf(context));
  if (!summary.ok()) return ToGrpcStatus(summary.status());
  *response = *std::move(summary);
  return grpc::Status::OK;
}

grpc::Status QueryService::GetClientSummaryAsOf(grpc::ServerContext*,
                                                const api::GetClientSummaryAsOfRequest* request,
                                                rm::ClientSummary* response) {
  if (absl::Status s = Required("client_id", request->client_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  std::optional<eventstore::GlobalPosition> position;
  std::optional<absl::Time> time;
  if (request->has_time()) {
    time = domain::FromProto(request->time());
  } else if (request->position() > 0) {
    position = request->position();
  } else {
    return ToGrpcStatus(domain::InvalidField("as_of", "give a position or a time"));
  }
  absl::StatusOr<rm::ClientSummary> summary =
      models_.ClientSummaryAsOf(request->client_id(), position, time);
  if (!summary.ok()) return ToGrpcStatus(summary.status());
  *response = *std::move(summary);
  return grpc::Status::OK;
}

grpc::Status QueryService::GetClientHistory(grpc::ServerContext* context,
                                            const api::GetClientHistoryRequest* request,
                                            api::ClientHistory* response) {
  if (absl::Status s = Required("client_id", request->client_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<std::vector<rm::HistoryEntry>> entries =
      models_.ClientHistory(request->client_id(), request->min_position(), DeadlineOf(context));
  if (!entries.ok()) return ToGrpcStatus(entries.status());
  for (rm::HistoryEntry& entry : *entries) *response->add_entries() = std::move(entry);
  return grpc::Status::OK;
}

grpc::Status QueryService::ListClients(grpc::ServerContext* context,
                                       const api::ListClientsRequest* request,
                                       api::ListClientsResponse* response) {
  projections::ClientQuery query;
  using By = projections::ClientQuery::By;
  switch (request->by_case()) {
    case api::ListClientsRequest::kLocationId:
      query.by = By::kLocation;
      query.location_id = request->location_id();
      break;
    case api::ListClientsRequest::kPhase:
      if (request->phase() == rm::PHASE_UNSPECIFIED || !rm::Phase_IsValid(request->phase())) {
        return ToGrpcStatus(domain::InvalidField("phase", "not a known phase"));
      }
      query.by = By::kPhase;
      query.phase = request->phase();
      break;
    case api::ListClientsRequest::kNamePrefix:
      query.by = By::kNamePrefix;
      query.name_prefix = request->name_prefix();
      break;
    case api::ListClientsRequest::kTouchUpDueBefore:
      query.by = By::kTouchUpDueBefore;
      query.before = domain::FromProto(request->touch_up_due_before());
      break;
    case api::ListClientsRequest::kStalled:
      query.by = By::kStalled;
      break;
    case api::ListClientsRequest::BY_NOT_SET:
      return ToGrpcStatus(domain::InvalidField("by", "choose what to list by"));
  }
  if (request->page_size() < 0) {
    return ToGrpcStatus(domain::InvalidField("page_size", "must not be negative"));
  }
  absl::StatusOr<projections::ClientPage> page =
      models_.ListClients(query, clock_(), request->page_size(), request->page_token(),
                          request->min_position(), DeadlineOf(context));
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (rm::ClientSummary& client : page->clients) *response->add_clients() = std::move(client);
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status QueryService::GetArtistSchedule(grpc::ServerContext* context,
                                             const api::GetArtistScheduleRequest* request,
                                             api::ArtistSchedule* response) {
  if (absl::Status s = Required("artist_id", request->artist_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::TimeZone zone = absl::UTCTimeZone();
  if (!request->time_zone().empty() && !absl::LoadTimeZone(request->time_zone(), &zone)) {
    return ToGrpcStatus(domain::InvalidField("time_zone", "not an IANA time zone"));
  }
  absl::CivilDay day;
  if (!absl::ParseCivilTime(request->date(), &day)) {
    return ToGrpcStatus(domain::InvalidField("date", "not YYYY-MM-DD"));
  }
  absl::StatusOr<std::vector<rm::ScheduleEntry>> entries = models_.ArtistSchedule(
      request->artist_id(), absl::FromCivil(day, zone), absl::FromCivil(day + 1, zone),
      request->min_position(), DeadlineOf(context));
  if (!entries.ok()) return ToGrpcStatus(entries.status());
  for (rm::ScheduleEntry& entry : *entries) *response->add_entries() = std::move(entry);
  return grpc::Status::OK;
}

absl::Status QueryService::BuildReport(const std::string& location_id, api::Granularity granularity,
                                       const std::string& period, uint64_t min_position,
                                       absl::Time deadline, api::Report* report) {
  projections::Period kind;
  switch (granularity) {
    case api::GRANULARITY_DAY:
      kind = projections::Period::kDay;
      break;
    case api::GRANULARITY_WEEK:
      kind = projections::Period::kWeek;
      break;
    case api::GRANULARITY_MONTH:
      kind = projections::Period::kMonth;
      break;
    default:
      return domain::InvalidField("granularity", "choose day, week or month");
  }
  if (absl::Status s = ValidatePeriodKey(kind, period); !s.ok()) return s;
  absl::StatusOr<rm::ReportCounters> counters =
      models_.ReportCounters(location_id, kind, period, min_position, deadline);
  if (!counters.ok()) return counters.status();
  const absl::Time now = clock_();
  absl::StatusOr<int64_t> touch_ups =
      models_.TouchUpsDue(location_id, now, now + absl::Hours(24 * 90));
  if (!touch_ups.ok()) return touch_ups.status();
  report->set_location_id(location_id);
  report->set_granularity(granularity);
  report->set_period(period);
  FillFigures(*counters, report);
  report->set_touch_ups_due_next_90_days(*touch_ups);
  return absl::OkStatus();
}

grpc::Status QueryService::GetReport(grpc::ServerContext* context,
                                     const api::GetReportRequest* request, api::Report* response) {
  return ToGrpcStatus(BuildReport(request->location_id(), request->granularity(), request->period(),
                                  request->min_position(), DeadlineOf(context), response));
}

grpc::Status QueryService::WatchReport(grpc::ServerContext* context,
                                       const api::WatchReportRequest* request,
                                       grpc::ServerWriter<api::Report>* writer) {
  const projections::ProjectionRunner* reports = models_.runner("reports");
  std::string last_sent;
  uint64_t seen = 0;
  while (!context->IsCancelled() && !shutting_down_) {
    api::Report report;
    absl::Status built = BuildReport(request->location_id(), request->granularity(),
                                     request->period(), 0, absl::Now(), &report);
    if (!built.ok()) return ToGrpcStatus(built);
    std::string bytes = projections::DeterministicBytes(report);
    if (bytes != last_sent) {
      if (!writer->Write(report)) break;
      last_sent = std::move(bytes);
    }
    // Woken by every committed batch of the reports projection; re-checked each second so that a
    // cancelled watch or a shutdown ends promptly.
    seen = reports->WaitForChange(seen, absl::Now() + absl::Seconds(1));
  }
  return grpc::Status::OK;
}

}  // namespace stipple::services
