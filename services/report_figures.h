#ifndef STIPPLE_SERVICES_REPORT_FIGURES_H_
#define STIPPLE_SERVICES_REPORT_FIGURES_H_

// Derived dashboard figures (rates, averages, medians) from a period's counters.

#include <string>

#include "absl/status/status.h"
#include "projections/reports.h"
#include "stipple/api/v1/queries.pb.h"

namespace stipple::services {

// INVALID_ARGUMENT naming "period" unless `key` has the form of `period` ("2026-03-02",
// "2026-W10", "2026-03").
absl::Status ValidatePeriodKey(projections::Period period, const std::string& key);

// Copies the counters into `report` and computes every derived figure (0 where undefined).
void FillFigures(const projections::v1::ReportCounters& counters, api::v1::Report* report);

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_REPORT_FIGURES_H_
