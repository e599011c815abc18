#ifndef STIPPLE_PROJECTIONS_CLIENT_HISTORY_H_
#define STIPPLE_PROJECTIONS_CLIENT_HISTORY_H_

// Each client's timeline as readable entries: what happened, who, where, when. The audit view.

#include <string>

#include "projections/projection.h"
#include "stipple/events/v1/events.pb.h"
#include "stipple/projections/v1/read_models.pb.h"

namespace stipple::projections {

// "Session 2 completed: 245 min, Scalp Ink lot L-77 shade 2, needle 3RL, density 4".
std::string Describe(const events::v1::ClientEvent& event);

// Entries of one client sort by stream version under this prefix.
std::string HistoryPrefix(const std::string& client_id);

class ClientHistoryProjection : public Projection {
 public:
  std::string name() const override { return "client_history"; }
  absl::Status Apply(const eventstore::RecordedEvent& event, ModelWriter& model) override;
};

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_CLIENT_HISTORY_H_
