#ifndef STIPPLE_SERVICES_CLIENT_COMMANDS_H_
#define STIPPLE_SERVICES_CLIENT_COMMANDS_H_

// Deciders for commands on one client's stream.

#include <string>
#include <utility>

#include "services/aggregates.h"
#include "services/command_handler.h"
#include "services/domain/event_names.h"
#include "services/status_macros.h"

namespace stipple::services {

// Reads the client, runs `decide(reader, state)` → ClientEvents, and writes them to the client's
// stream. `decide` may read other streams (locations, artists) through the reader.
template <typename Fn>
Decider OnClient(std::string client_id, Fn decide) {
  return [client_id = std::move(client_id), decide = std::move(decide)](
             StreamReader& reader) -> absl::StatusOr<std::vector<StreamWrite>> {
    STIPPLE_ASSIGN_OR_RETURN(domain::ClientState state, ReadClient(reader, client_id));
    STIPPLE_ASSIGN_OR_RETURN(domain::ClientEvents events, decide(reader, state));
    return std::vector<StreamWrite>{Write(domain::ClientStream(client_id), events)};
  };
}

// OnClient for a command that needs nothing but the client's state.
template <typename Command>
Decider Simple(std::string client_id, Command command) {
  return OnClient(std::move(client_id),
                  [command = std::move(command)](StreamReader&, const domain::ClientState& state) {
                    return domain::Decide(state, command);
                  });
}

// Simple, for a command that names a location which must exist (NOT_FOUND naming `field`).
template <typename Command>
Decider AtLocation(std::string client_id, std::string field, std::string location_id,
                   Command command) {
  return OnClient(std::move(client_id),
                  [field = std::move(field), location_id = std::move(location_id),
                   command = std::move(command)](
                      StreamReader& reader,
                      const domain::ClientState& state) -> absl::StatusOr<domain::ClientEvents> {
                    STIPPLE_RETURN_IF_ERROR(ReadLocation(reader, field, location_id).status());
                    return domain::Decide(state, command);
                  });
}

// The first event a command wrote to the client's stream (for responses that echo a decision).
inline events::v1::ClientEvent FirstClientEvent(const CommandOutcome& outcome) {
  events::v1::ClientEvent event;
  if (!outcome.payloads.empty()) event.ParseFromString(outcome.payloads.front());
  return event;
}

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_CLIENT_COMMANDS_H_
