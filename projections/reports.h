#ifndef STIPPLE_PROJECTIONS_REPORTS_H_
#define STIPPLE_PROJECTIONS_REPORTS_H_

// Dashboard counters per location and for the whole chain ("*"), per day, ISO week and month in
// each location's own time zone. Events count where and when they happened: a session at its
// location and start time, a consultation at its location when recorded.

#include <string>

#include "absl/time/time.h"
#include "projections/projection.h"

namespace stipple::projections {

inline constexpr char kChainLocation[] = "*";

enum class Period { kDay, kWeek, kMonth };

// "2026-03-02", "2026-W10" (ISO 8601 week) or "2026-03" for `time` in `zone`.
std::string PeriodKey(Period period, absl::Time time, absl::TimeZone zone);

std::string ReportKey(const std::string& location_id, Period period, const std::string& key);
// Keys of the period's ArtistMinutes entries: this prefix, then the artist id.
std::string ArtistMinutesPrefix(const std::string& location_id, Period period,
                                const std::string& key);

class ReportsProjection : public Projection {
 public:
  std::string name() const override { return "reports"; }
  absl::Status Apply(const eventstore::RecordedEvent& event, ModelWriter& model) override;
};

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_REPORTS_H_
