#ifndef STIPPLE_SERVICES_DOMAIN_EVENT_NAMES_H_
#define STIPPLE_SERVICES_DOMAIN_EVENT_NAMES_H_

// Stable stored type names ("client.SessionCompleted.v1"), apart from the C++ and proto names so
// either can be renamed without touching the log.

#include <string>

#include "stipple/events/v1/events.pb.h"

namespace stipple::domain {

std::string TypeName(const events::v1::LocationEvent& event);
std::string TypeName(const events::v1::ArtistEvent& event);
std::string TypeName(const events::v1::ClientEvent& event);
// The type name of a client event of this kind, without an event at hand.
std::string TypeName(events::v1::ClientEvent::EventCase event_case);

// Stream names: "<category>-<id>".
inline std::string LocationStream(const std::string& id) { return "location-" + id; }
inline std::string ArtistStream(const std::string& id) { return "artist-" + id; }
inline std::string ClientStream(const std::string& id) { return "client-" + id; }

}  // namespace stipple::domain

#endif  // STIPPLE_SERVICES_DOMAIN_EVENT_NAMES_H_
