#ifndef STIPPLE_PROJECTIONS_ARTIST_SCHEDULE_H_
#define STIPPLE_PROJECTIONS_ARTIST_SCHEDULE_H_

// Every artist's bookings by start time, across locations, with what became of each.

#include <string>

#include "absl/time/time.h"
#include "projections/projection.h"

namespace stipple::projections {

// Entries of one artist sort by start time under this prefix.
std::string SchedulePrefix(const std::string& artist_id);
std::string ScheduleKey(const std::string& artist_id, absl::Time start,
                        const std::string& booking_id);

class ArtistScheduleProjection : public Projection {
 public:
  std::string name() const override { return "artist_schedule"; }
  absl::Status Apply(const eventstore::RecordedEvent& event, ModelWriter& model) override;
};

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_ARTIST_SCHEDULE_H_
