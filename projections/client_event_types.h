#ifndef STIPPLE_PROJECTIONS_CLIENT_EVENT_TYPES_H_
#define STIPPLE_PROJECTIONS_CLIENT_EVENT_TYPES_H_

// The kinds of client event a projection folds, by stored type name. A projection checks an
// event's type before decoding its payload: most of a log's events are of kinds that a given
// projection ignores, and decoding is a large part of applying an event (RESULTS.md, "Type before
// payload"). The stored type is derived from the payload when the event is written
// (domain::TypeName), so it names the payload's kind.

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "services/domain/event_names.h"
#include "stipple/events/v1/events.pb.h"

namespace stipple::projections {

class ClientEventTypes {
 public:
  ClientEventTypes(std::initializer_list<events::v1::ClientEvent::EventCase> kinds) {
    for (events::v1::ClientEvent::EventCase kind : kinds) names_.push_back(domain::TypeName(kind));
  }

  // Whether an event of stored type `type` is of one of these kinds.
  bool Contains(const std::string& type) const {
    return std::find(names_.begin(), names_.end(), type) != names_.end();
  }

 private:
  std::vector<std::string> names_;  // A handful: a scan beats a hash.
};

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_CLIENT_EVENT_TYPES_H_
