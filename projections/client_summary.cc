#include "projections/client_summary.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "eventstore/keys.h"
#include "projections/client_event_types.h"
#include "services/domain/time_convert.h"

namespace stipple::projections {
namespace {

namespace ev = events::v1;
namespace rm = projections::v1;

rm::Stage StageOf(int session_number) {
  if (session_number <= 0) return rm::STAGE_UNSPECIFIED;
  if (session_number == 1) return rm::STAGE_FOUNDATION;
  if (session_number == 2) return rm::STAGE_REFINEMENT;
  return rm::STAGE_DENSITY;
}

// While a client is on hold their phase stays ON_HOLD; what happens meanwhile sets the phase they
// return to.
void SetPhase(ClientSummary& summary, rm::Phase phase) {
  if (summary.phase() == rm::PHASE_ON_HOLD) {
    summary.set_phase_before_hold(phase);
  } else {
    summary.set_phase(phase);
  }
}

void Visit(ClientSummary& summary, const std::string& location) {
  if (location.empty()) return;
  const auto& visited = summary.locations_visited();
  if (std::find(visited.begin(), visited.end(), location) == visited.end()) {
    summary.add_locations_visited(location);
  }
}

void SetNext(ClientSummary& summary, int next_number) {
  const bool more = next_number <= summary.planned_sessions();
  summary.set_current_session_number(more ? next_number : 0);
  // A touch-up refreshes density; only a first course goes foundation → refinement → density.
  summary.set_stage(!more                ? rm::STAGE_UNSPECIFIED
                    : summary.touch_up() ? rm::STAGE_DENSITY
                                         : StageOf(next_number));
  summary.set_remaining_sessions(
      std::max(0, summary.planned_sessions() - summary.completed_sessions()));
}

const ClientEventTypes& PositionOnlyTypes() {
  static const ClientEventTypes position_only(kPositionOnlyKinds);
  return position_only;
}

}  // namespace

std::vector<std::string> SummaryIndexKeys(const ClientSummary& s) {
  const std::string id = std::string(1, '\0') + s.client_id();
  std::vector<std::string> keys = {
      kByLocation + s.home_location_id() + id,
      kByPhase + PhaseSortPart(s.phase()) + id,
      kByName + NameSortPart(s.full_name()) + id,
  };
  if (s.phase() == rm::PHASE_COURSE_COMPLETE && s.has_touch_up_due_at()) {
    keys.push_back(kByTouchUpDue + TimeSortPart(domain::FromProto(s.touch_up_due_at())) + id);
  }
  if (s.phase() == rm::PHASE_IN_TREATMENT && !s.has_next_session() && s.completed_sessions() > 0 &&
      s.has_last_completed_session()) {
    keys.push_back(kByIdleSince +
                   TimeSortPart(domain::FromProto(s.last_completed_session().start_time())) + id);
  }
  return keys;
}

namespace {

// SummaryIndexKeys as ModelCache::ImpliedKeys: the model keeps the index in step.
std::vector<std::string> ImpliedIndexKeys(const google::protobuf::MessageLite& summary) {
  return SummaryIndexKeys(static_cast<const ClientSummary&>(summary));
}

}  // namespace

std::string SummaryKey(const std::string& client_id) { return "c/" + client_id; }

std::string PhaseSortPart(projections::v1::Phase phase) {
  return absl::StrCat(absl::Dec(static_cast<int>(phase), absl::kZeroPad2));
}

std::string TimeSortPart(absl::Time time) {
  return eventstore::EncodeU64(static_cast<uint64_t>(absl::ToUnixSeconds(time)) + (1ull << 62));
}

std::string NameSortPart(const std::string& name) { return absl::AsciiStrToLower(name); }

void ApplyToSummary(const ev::ClientEvent& event, const eventstore::RecordedEvent& meta,
                    ClientSummary& summary) {
  summary.set_last_position(meta.position);
  switch (event.event_case()) {
    case ev::ClientEvent::kRegistered:
      summary.set_client_id(event.registered().client_id());
      summary.set_full_name(event.registered().personal().full_name());
      summary.set_home_location_id(event.registered().home_location_id());
      summary.set_phase(rm::PHASE_REGISTERED);
      *summary.mutable_registered_at() = domain::ToProto(meta.recorded_at);
      Visit(summary, event.registered().home_location_id());
      break;
    case ev::ClientEvent::kConsultationRecorded: {
      const auto& c = event.consultation_recorded();
      summary.set_recommended_sessions(c.recommended_sessions());
      *summary.mutable_recommendation_reasons() = c.reasons();
      if (summary.phase() == rm::PHASE_REGISTERED) summary.set_phase(rm::PHASE_CONSULTED);
      if (summary.phase() == rm::PHASE_ON_HOLD &&
          summary.phase_before_hold() == rm::PHASE_REGISTERED) {
        summary.set_phase_before_hold(rm::PHASE_CONSULTED);
      }
      Visit(summary, c.location_id());
      break;
    }
    case ev::ClientEvent::kPlanAgreed: {
      const auto& p = event.plan_agreed();
      SetPhase(summary, rm::PHASE_PLAN_AGREED);
      summary.set_course_number(p.course_number());
      summary.set_touch_up(p.touch_up());
      summary.set_agreed_sessions(p.planned_sessions());
      summary.set_deviation_reason(p.deviation_reason());
      summary.set_planned_sessions(p.planned_sessions());
      summary.set_completed_sessions(0);
      summary.clear_next_session();
      summary.clear_touch_up_due_at();
      SetNext(summary, 1);
      break;
    }
    case ev::ClientEvent::kPlanRevised:
      summary.set_planned_sessions(event.plan_revised().planned_sessions());
      SetNext(summary, summary.completed_sessions() + 1);
      break;
    case ev::ClientEvent::kSessionScheduled: {
      const auto& s = event.session_scheduled();
      SetPhase(summary, rm::PHASE_IN_TREATMENT);
      rm::SessionRef* next = summary.mutable_next_session();
      next->set_session_number(s.session_number());
      next->set_location_id(s.location_id());
      next->set_artist_id(s.artist_id());
      *next->mutable_start_time() = s.start_time();
      next->set_duration_minutes(s.expected_duration_minutes());
      SetNext(summary, s.session_number());
      Visit(summary, s.location_id());
      break;
    }
    case ev::ClientEvent::kSessionCompleted: {
      const int number = event.session_completed().session_number();
      rm::SessionRef done = summary.next_session();
      done.set_session_number(number);
      done.set_duration_minutes(event.session_completed().record().actual_duration_minutes());
      *summary.mutable_last_completed_session() = done;
      summary.clear_next_session();
      summary.set_completed_sessions(number);
      SetNext(summary, number + 1);
      break;
    }
    case ev::ClientEvent::kSessionCancelled:
    case ev::ClientEvent::kSessionNoShow:
      summary.clear_next_session();
      break;
    case ev::ClientEvent::kCourseCompleted:
      SetPhase(summary, rm::PHASE_COURSE_COMPLETE);
      *summary.mutable_touch_up_due_at() = event.course_completed().touch_up_due_at();
      summary.set_remaining_sessions(0);
      summary.set_current_session_number(0);
      summary.set_stage(rm::STAGE_UNSPECIFIED);
      break;
    case ev::ClientEvent::kPutOnHold:
      summary.set_phase_before_hold(summary.phase());
      summary.set_phase(rm::PHASE_ON_HOLD);
      summary.set_on_hold_reason(event.put_on_hold().reason());
      break;
    case ev::ClientEvent::kResumed:
      summary.set_phase(summary.phase_before_hold());
      summary.clear_on_hold_reason();
      break;
    case ev::ClientEvent::kDiscontinued:
      summary.set_phase(rm::PHASE_DISCONTINUED);
      summary.clear_next_session();
      break;
    case ev::ClientEvent::kHomeLocationChanged:
      summary.set_home_location_id(event.home_location_changed().to_location_id());
      Visit(summary, summary.home_location_id());
      break;
    default:
      break;  // Gates and amendments do not change the summary.
  }
}

ClientSummary AsSeenAt(ClientSummary summary, absl::Time now) {
  if (summary.phase() == rm::PHASE_COURSE_COMPLETE && summary.has_touch_up_due_at() &&
      domain::FromProto(summary.touch_up_due_at()) <= now) {
    summary.set_phase(rm::PHASE_TOUCH_UP_DUE);
  }
  return summary;
}

absl::Status ClientSummaryProjection::Apply(const eventstore::RecordedEvent& event,
                                            ModelWriter& model) {
  if (!absl::StartsWith(event.stream, "client-")) return absl::OkStatus();
  const std::string client_id = event.stream.substr(7);
  // A client's summary changes with each of their events: it stays decoded between them, and its
  // index keys are worked out when it is encoded, not at every event.
  absl::StatusOr<ClientSummary*> held =
      model.MutableIfPresent<ClientSummary>(SummaryKey(client_id), &ImpliedIndexKeys);
  if (!held.ok()) return held.status();
  const bool found = *held != nullptr;
  if (found && PositionOnlyTypes().Contains(event.type)) {
    (*held)->set_last_position(event.position);  // As ApplyToSummary would, without decoding.
    return absl::OkStatus();
  }
  ev::ClientEvent client_event;
  if (!client_event.ParseFromString(event.payload)) {
    return absl::DataLossError("client event does not parse");
  }
  if (!found) {
    held = model.Mutable<ClientSummary>(SummaryKey(client_id), &ImpliedIndexKeys);
    if (!held.ok()) return held.status();
  }
  ClientSummary& summary = **held;
  ApplyToSummary(client_event, event, summary);
  if (summary.client_id().empty()) summary.set_client_id(client_id);
  return absl::OkStatus();
}

}  // namespace stipple::projections
