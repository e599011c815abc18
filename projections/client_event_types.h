#ifndef STIPPLE_PROJECTIONS_CLIENT_EVENT_TYPES_H_
#define STIPPLE_PROJECTIONS_CLIENT_EVENT_TYPES_H_

// The kinds of client event a projection folds, by stored type name. A projection checks an
// event's type before decoding its payload: most of a log's events are of kinds that a given
// projection ignores, and decoding is a large part of applying an event (RESULTS.md, "The rebuild:
// type before payload, keys once, a memo"). The stored type is derived from the payload when the
// event is written (domain::TypeName), so it names the payload's kind.

#include <algorithm>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "services/domain/event_names.h"
#include "stipple/events/v1/events.pb.h"

namespace stipple::projections {

class ClientEventTypes {
 public:
  ClientEventTypes(std::initializer_list<events::v1::ClientEvent::EventCase> kinds)
      : ClientEventTypes(std::span(kinds.begin(), kinds.size())) {}
  explicit ClientEventTypes(std::span<const events::v1::ClientEvent::EventCase> kinds) {
    for (events::v1::ClientEvent::EventCase kind : kinds) names_.push_back(domain::TypeName(kind));
  }

  // Every kind of client event but `kinds`. A projection skips these, the kinds it knows it
  // ignores, rather than decode only the kinds it folds: an event of a type it does not know (a
  // later version, say) is decoded, and its payload decides.
  static ClientEventTypes AllBut(std::initializer_list<events::v1::ClientEvent::EventCase> kinds) {
    ClientEventTypes others;
    const google::protobuf::OneofDescriptor* oneof =
        events::v1::ClientEvent::descriptor()->oneof_decl(0);
    for (int i = 0; i < oneof->field_count(); ++i) {
      const auto kind = static_cast<events::v1::ClientEvent::EventCase>(oneof->field(i)->number());
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
        others.names_.push_back(domain::TypeName(kind));
      }
    }
    return others;
  }

  // Whether an event of stored type `type` is of one of these kinds.
  bool Contains(const std::string& type) const {
    return std::find(names_.begin(), names_.end(), type) != names_.end();
  }

 private:
  ClientEventTypes() = default;

  std::vector<std::string> names_;  // A handful: a scan beats a hash.
};

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_CLIENT_EVENT_TYPES_H_
