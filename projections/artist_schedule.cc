#include "projections/artist_schedule.h"

#include "absl/strings/match.h"
#include "projections/client_event_types.h"
#include "projections/client_summary.h"
#include "services/domain/time_convert.h"
#include "stipple/events/v1/events.pb.h"
#include "stipple/projections/v1/read_models.pb.h"

namespace stipple::projections {
namespace {

namespace ev = events::v1;
namespace rm = projections::v1;

// booking id → its schedule key; client id → the booking of their open session.
std::string BookingKey(const std::string& booking_id) { return "b/" + booking_id; }
std::string OpenBookingKey(const std::string& client_id) { return "o/" + client_id; }

// Applies `change` to the entry of `booking_id`, if the booking is known.
template <typename Change>
absl::Status UpdateEntry(ModelWriter& model, const std::string& booking_id, Change change) {
  absl::StatusOr<std::optional<std::string>> key = model.Get(BookingKey(booking_id));
  if (!key.ok()) return key.status();
  if (!key->has_value()) return absl::OkStatus();
  rm::ScheduleEntry entry;
  absl::StatusOr<bool> found = model.GetProto(**key, &entry);
  if (!found.ok()) return found.status();
  if (!*found) return absl::OkStatus();
  change(entry);
  model.PutProto(**key, entry);
  return absl::OkStatus();
}

// The booking of the client's open session, read and forgotten.
absl::StatusOr<std::optional<std::string>> TakeOpenBooking(ModelWriter& model,
                                                           const std::string& client_id) {
  rm::ScheduleEntry open;
  absl::StatusOr<bool> found = model.GetProto(OpenBookingKey(client_id), &open);
  if (!found.ok()) return found.status();
  if (!*found) return std::nullopt;
  model.Delete(OpenBookingKey(client_id));
  return open.booking_id();
}

// The client events that leave the schedule as it is: all but those of a client's sessions.
const ClientEventTypes& UnscheduledTypes() {
  static const ClientEventTypes unscheduled = ClientEventTypes::AllBut(
      {ev::ClientEvent::kSessionScheduled, ev::ClientEvent::kSessionCompleted,
       ev::ClientEvent::kSessionNoShow, ev::ClientEvent::kSessionCancelled});
  return unscheduled;
}

}  // namespace

std::string SchedulePrefix(const std::string& artist_id) {
  return "s/" + artist_id + std::string(1, '\0');
}

std::string ScheduleKey(const std::string& artist_id, absl::Time start,
                        const std::string& booking_id) {
  return SchedulePrefix(artist_id) + TimeSortPart(start) + booking_id;
}

absl::Status ArtistScheduleProjection::Apply(const eventstore::RecordedEvent& event,
                                             ModelWriter& model) {
  if (absl::StartsWith(event.stream, "artist-")) {
    ev::ArtistEvent artist_event;
    if (!artist_event.ParseFromString(event.payload)) {
      return absl::DataLossError("artist event does not parse");
    }
    const std::string artist_id = event.stream.substr(7);
    if (artist_event.has_booked()) {
      const ev::ArtistBooked& booked = artist_event.booked();
      rm::ScheduleEntry entry;
      entry.set_booking_id(booked.booking_id());
      entry.set_artist_id(artist_id);
      entry.set_client_id(booked.client_id());
      entry.set_location_id(booked.location_id());
      *entry.mutable_start_time() = booked.start_time();
      entry.set_duration_minutes(booked.duration_minutes());
      entry.set_status(rm::BOOKING_STATUS_BOOKED);
      // The client's SessionScheduled comes first in the same append and left the number.
      rm::ScheduleEntry open;
      absl::StatusOr<bool> found = model.GetProto(OpenBookingKey(booked.client_id()), &open);
      if (!found.ok()) return found.status();
      if (*found && open.booking_id() == booked.booking_id()) {
        entry.set_session_number(open.session_number());
      }
      const std::string key =
          ScheduleKey(artist_id, domain::FromProto(booked.start_time()), booked.booking_id());
      model.PutProto(key, entry);
      model.Put(BookingKey(booked.booking_id()), key);
    } else if (artist_event.has_booking_released()) {
      return UpdateEntry(model, artist_event.booking_released().booking_id(),
                         [](rm::ScheduleEntry& e) { e.set_status(rm::BOOKING_STATUS_CANCELLED); });
    }
    return absl::OkStatus();
  }
  if (!absl::StartsWith(event.stream, "client-") || UnscheduledTypes().Contains(event.type)) {
    return absl::OkStatus();
  }
  ev::ClientEvent client_event;
  if (!client_event.ParseFromString(event.payload)) {
    return absl::DataLossError("client event does not parse");
  }
  const std::string client_id = event.stream.substr(7);
  switch (client_event.event_case()) {
    case ev::ClientEvent::kSessionScheduled: {
      rm::ScheduleEntry open;
      open.set_booking_id(client_event.session_scheduled().booking_id());
      open.set_session_number(client_event.session_scheduled().session_number());
      model.PutProto(OpenBookingKey(client_id), open);
      break;
    }
    case ev::ClientEvent::kSessionCompleted:
    case ev::ClientEvent::kSessionNoShow:
    case ev::ClientEvent::kSessionCancelled: {
      absl::StatusOr<std::optional<std::string>> booking = TakeOpenBooking(model, client_id);
      if (!booking.ok()) return booking.status();
      if (!booking->has_value()) break;
      const int actual = client_event.has_session_completed()
                             ? client_event.session_completed().record().actual_duration_minutes()
                             : 0;
      const rm::BookingStatus status =
          client_event.has_session_completed() ? rm::BOOKING_STATUS_COMPLETED
          : client_event.has_session_no_show() ? rm::BOOKING_STATUS_NO_SHOW
                                               : rm::BOOKING_STATUS_CANCELLED;
      return UpdateEntry(model, **booking, [status, actual](rm::ScheduleEntry& e) {
        e.set_status(status);
        e.set_actual_minutes(actual);
      });
    }
    default:
      break;
  }
  return absl::OkStatus();
}

}  // namespace stipple::projections
