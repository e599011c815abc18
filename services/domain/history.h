#ifndef STIPPLE_SERVICES_DOMAIN_HISTORY_H_
#define STIPPLE_SERVICES_DOMAIN_HISTORY_H_

// A stream's past as the domain sees it: the events' ids and payload bytes, oldest first.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace stipple::domain {

struct PastEvent {
  std::string event_id;
  std::string payload;  // A serialized LocationEvent, ArtistEvent or ClientEvent.
};

using History = std::vector<PastEvent>;

// Folds `history` into State with `evolve(state, event, event_id)`; DATA_LOSS when a payload does
// not parse as `Wrapper`.
template <typename State, typename Wrapper, typename Evolve>
absl::StatusOr<State> Fold(const History& history, Evolve evolve) {
  State state;
  for (const PastEvent& past : history) {
    Wrapper event;
    if (!event.ParseFromString(past.payload)) {
      return absl::DataLossError(absl::StrCat("event ", past.event_id, " does not parse as ",
                                              Wrapper::descriptor()->full_name()));
    }
    evolve(state, event, past.event_id);
  }
  return state;
}

}  // namespace stipple::domain

#endif  // STIPPLE_SERVICES_DOMAIN_HISTORY_H_
