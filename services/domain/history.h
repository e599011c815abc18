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

// Applies `history` to `state` with `evolve(state, event, event_id)`; DATA_LOSS when a payload
// does not parse as `Wrapper`.
template <typename Wrapper, typename State, typename Evolve>
absl::Status EvolveAll(const History& history, State& state, Evolve evolve) {
  for (const PastEvent& past : history) {
    Wrapper event;
    if (!event.ParseFromString(past.payload)) {
      return absl::DataLossError(absl::StrCat("event ", past.event_id, " does not parse as ",
                                              Wrapper::descriptor()->full_name()));
    }
    evolve(state, event, past.event_id);
  }
  return absl::OkStatus();
}

// Folds `history` into a new State.
template <typename State, typename Wrapper, typename Evolve>
absl::StatusOr<State> Fold(const History& history, Evolve evolve) {
  State state;
  if (absl::Status s = EvolveAll<Wrapper>(history, state, evolve); !s.ok()) return s;
  return state;
}

}  // namespace stipple::domain

#endif  // STIPPLE_SERVICES_DOMAIN_HISTORY_H_
