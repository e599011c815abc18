#include "services/report_figures.h"

#include <cstdio>

#include "services/domain/errors.h"

namespace stipple::services {
namespace {

double Ratio(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / denominator;
}

// The median of a days → count histogram (the mean of the two middle values for an even count).
double Median(const google::protobuf::Map<int32_t, int64_t>& histogram) {
  std::map<int32_t, int64_t> sorted(histogram.begin(), histogram.end());
  int64_t total = 0;
  for (const auto& [days, count] : sorted) total += count;
  if (total == 0) return 0;
  auto value_at = [&sorted](int64_t index) {  // 0-based index in sorted order.
    for (const auto& [days, count] : sorted) {
      if (index < count) return days;
      index -= count;
    }
    return sorted.rbegin()->first;
  };
  if (total % 2 == 1) return value_at(total / 2);
  return (value_at(total / 2 - 1) + value_at(total / 2)) / 2.0;
}

}  // namespace

absl::Status ValidatePeriodKey(projections::Period period, const std::string& key) {
  int a = 0, b = 0, c = 0;
  char tail = 0;
  bool ok = false;
  switch (period) {
    case projections::Period::kDay:
      ok = key.size() == 10 && std::sscanf(key.c_str(), "%4d-%2d-%2d%c", &a, &b, &c, &tail) == 3 &&
           b >= 1 && b <= 12 && c >= 1 && c <= 31;
      break;
    case projections::Period::kWeek:
      ok = key.size() == 8 && std::sscanf(key.c_str(), "%4d-W%2d%c", &a, &b, &tail) == 2 &&
           b >= 1 && b <= 53;
      break;
    case projections::Period::kMonth:
      ok = key.size() == 7 && std::sscanf(key.c_str(), "%4d-%2d%c", &a, &b, &tail) == 2 && b >= 1 &&
           b <= 12;
      break;
  }
  if (ok) return absl::OkStatus();
  return domain::InvalidField("period", "'" + key + "' is not YYYY-MM-DD, YYYY-Www or YYYY-MM");
}

void FillFigures(const projections::v1::ReportCounters& counters, api::v1::Report* report) {
  *report->mutable_counters() = counters;
  report->set_consultation_to_plan_rate(Ratio(counters.plans_agreed(), counters.consultations()));
  for (const auto& [number, completed] : counters.sessions_completed_by_number()) {
    auto minutes = counters.duration_minutes_by_number().find(number);
    (*report->mutable_average_minutes_by_session_number())[number] = Ratio(
        minutes == counters.duration_minutes_by_number().end() ? 0 : minutes->second, completed);
  }
  report->set_no_show_rate(Ratio(counters.no_shows(), counters.sessions_due()));
  report->set_late_cancel_rate(
      Ratio(counters.late_cancellations(), counters.sessions_due() + counters.cancellations()));
  report->set_average_sessions_per_course(
      Ratio(counters.course_sessions_total(), counters.courses_completed()));
  report->set_share_needing_four_or_more(
      Ratio(counters.courses_with_four_or_more(), counters.courses_completed()));
  report->set_median_days_between_sessions(Median(counters.days_between_sessions()));
  for (const auto& [artist, minutes] : counters.artist_minutes_booked()) {
    (*report->mutable_artist_hours_booked())[artist] = minutes / 60.0;
  }
  for (const auto& [artist, minutes] : counters.artist_minutes_completed()) {
    (*report->mutable_artist_hours_completed())[artist] = minutes / 60.0;
  }
}

}  // namespace stipple::services
