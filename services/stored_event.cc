#include "services/stored_event.h"

#include "services/domain/time_convert.h"

namespace stipple::services {

api::v1::StoredEvent ToProto(const eventstore::RecordedEvent& event) {
  api::v1::StoredEvent out;
  out.set_event_id(event.event_id);
  out.set_type(event.type);
  out.set_stream(event.stream);
  out.set_stream_version(event.stream_version);
  out.set_position(event.position);
  *out.mutable_recorded_at() = domain::ToProto(event.recorded_at);
  out.set_payload(event.payload);
  out.set_actor(event.metadata.actor);
  out.set_location_id(event.metadata.location);
  out.set_correlation_id(event.metadata.correlation_id);
  out.set_causation_id(event.metadata.causation_id);
  out.set_schema_version(event.metadata.schema_version);
  out.set_hash(std::string(event.hash.begin(), event.hash.end()));
  return out;
}

}  // namespace stipple::services
