#ifndef STIPPLE_SERVICES_STORED_EVENT_H_
#define STIPPLE_SERVICES_STORED_EVENT_H_

#include "eventstore/event.h"
#include "stipple/api/v1/queries.pb.h"

namespace stipple::services {

// The wire form of a stored event, envelope and hash included.
api::v1::StoredEvent ToProto(const eventstore::RecordedEvent& event);

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_STORED_EVENT_H_
