#ifndef STIPPLE_PROJECTIONS_CLIENT_SUMMARY_H_
#define STIPPLE_PROJECTIONS_CLIENT_SUMMARY_H_

// Each client's current phase, remaining sessions and next session, with indexes for lists (by
// home location, phase, name, touch-up due date, and clients idle mid-course).

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "projections/projection.h"
#include "stipple/events/v1/events.pb.h"
#include "stipple/projections/v1/read_models.pb.h"

namespace stipple::projections {

using ClientSummary = projections::v1::ClientSummary;

// Folds one client event into a summary: shared by the projection and "as of" queries.
void ApplyToSummary(const events::v1::ClientEvent& event, const eventstore::RecordedEvent& meta,
                    ClientSummary& summary);

// The kinds of client event that change nothing in a summary but its position (ApplyToSummary's
// default case): gates and amendments. The projection does not decode them.
inline constexpr events::v1::ClientEvent::EventCase kPositionOnlyKinds[] = {
    events::v1::ClientEvent::kConsentSigned,
    events::v1::ClientEvent::kContraindicationRecorded,
    events::v1::ClientEvent::kContraindicationCleared,
    events::v1::ClientEvent::kPatchTestApplied,
    events::v1::ClientEvent::kPatchTestRead,
    events::v1::ClientEvent::kPatchTestWaived,
    events::v1::ClientEvent::kRecordAmended};

// TOUCH_UP_DUE replaces COURSE_COMPLETE once the due date has passed.
ClientSummary AsSeenAt(ClientSummary summary, absl::Time now);

// Read-model keys.
std::string SummaryKey(const std::string& client_id);
// Index key prefixes; each index key is prefix + sort part + '\0' + client id.
inline constexpr char kByLocation[] = "l/";
inline constexpr char kByPhase[] = "p/";
inline constexpr char kByName[] = "n/";
inline constexpr char kByTouchUpDue[] = "t/";  // Sort part: due time, 8 bytes big-endian.
inline constexpr char kByIdleSince[] = "i/";   // In treatment, nothing booked; since last session.
// The index keys of a summary (each stored with an empty value).
std::vector<std::string> SummaryIndexKeys(const ClientSummary& summary);
std::string PhaseSortPart(projections::v1::Phase phase);
std::string TimeSortPart(absl::Time time);          // Seconds since 1970 + 2^62, big-endian.
std::string NameSortPart(const std::string& name);  // Lower-cased ASCII.

class ClientSummaryProjection : public Projection {
 public:
  std::string name() const override { return "client_summary"; }
  absl::Status Apply(const eventstore::RecordedEvent& event, ModelWriter& model) override;
};

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_CLIENT_SUMMARY_H_
