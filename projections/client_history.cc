#include "projections/client_history.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "eventstore/keys.h"
#include "services/domain/time_convert.h"

namespace stipple::projections {
namespace {

namespace ev = events::v1;

template <typename Enum>
std::string EnumName(const google::protobuf::EnumDescriptor* descriptor, Enum value) {
  const google::protobuf::EnumValueDescriptor* v = descriptor->FindValueByNumber(value);
  return v != nullptr ? v->name() : absl::StrCat(static_cast<int>(value));
}

std::string When(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", domain::FromProto(t), absl::UTCTimeZone());
}

}  // namespace

std::string HistoryPrefix(const std::string& client_id) {
  return "h/" + client_id + std::string(1, '\0');
}

std::string Describe(const ev::ClientEvent& e) {
  switch (e.event_case()) {
    case ev::ClientEvent::kRegistered:
      return absl::StrCat("Registered at ", e.registered().home_location_id());
    case ev::ClientEvent::kConsultationRecorded: {
      const auto& c = e.consultation_recorded();
      std::string reasons;
      for (int r : c.reasons()) {
        absl::StrAppend(&reasons, reasons.empty() ? "" : ", ",
                        EnumName(ev::ExtraSessionReason_descriptor(), r));
      }
      return absl::StrCat(
          "Consultation by ", c.artist_id(), ": ",
          EnumName(ev::HairLossType_descriptor(), c.assessment().hair_loss_type()),
          c.assessment().norwood() ? absl::StrCat(", Norwood ", c.assessment().norwood()) : "",
          c.assessment().ludwig() ? absl::StrCat(", Ludwig ", c.assessment().ludwig()) : "", "; ",
          c.recommended_sessions(), " sessions recommended",
          reasons.empty() ? "" : " (" + reasons + ")");
    }
    case ev::ClientEvent::kConsentSigned:
      return absl::StrCat(
          "Consent signed: ", EnumName(ev::ConsentKind_descriptor(), e.consent_signed().kind()),
          " (template ", e.consent_signed().template_version(), ")");
    case ev::ClientEvent::kContraindicationRecorded:
      return absl::StrCat(
          "Contraindication ", e.contraindication_recorded().contraindication_id(), " recorded: ",
          EnumName(ev::ContraindicationKind_descriptor(), e.contraindication_recorded().kind()),
          ", ", e.contraindication_recorded().description());
    case ev::ClientEvent::kContraindicationCleared:
      return absl::StrCat("Contraindication ", e.contraindication_cleared().contraindication_id(),
                          " cleared by ", e.contraindication_cleared().cleared_by());
    case ev::ClientEvent::kPatchTestApplied:
      return absl::StrCat("Patch test applied at ", e.patch_test_applied().location_id());
    case ev::ClientEvent::kPatchTestRead:
      return absl::StrCat("Patch test read: ",
                          EnumName(ev::PatchTestResult_descriptor(), e.patch_test_read().result()));
    case ev::ClientEvent::kPatchTestWaived:
      return absl::StrCat("Patch test waived: ", e.patch_test_waived().reason());
    case ev::ClientEvent::kPlanAgreed:
      return absl::StrCat(e.plan_agreed().touch_up() ? "Touch-up" : "Plan",
                          " agreed: ", e.plan_agreed().planned_sessions(), " sessions (course ",
                          e.plan_agreed().course_number(), ")",
                          e.plan_agreed().deviation_reason().empty()
                              ? ""
                              : "; " + e.plan_agreed().deviation_reason());
    case ev::ClientEvent::kPlanRevised:
      return absl::StrCat("Plan revised to ", e.plan_revised().planned_sessions(), " sessions: ",
                          EnumName(ev::PlanRevisionReason_descriptor(), e.plan_revised().reason()));
    case ev::ClientEvent::kSessionScheduled: {
      const auto& s = e.session_scheduled();
      return absl::StrCat("Session ", s.session_number(), " scheduled at ", s.location_id(),
                          " with ", s.artist_id(), " for ", When(s.start_time()), " (",
                          s.expected_duration_minutes(), " min)");
    }
    case ev::ClientEvent::kSessionCompleted: {
      const auto& r = e.session_completed().record();
      return absl::StrCat(
          "Session ", e.session_completed().session_number(),
          " completed: ", r.actual_duration_minutes(), " min, ", r.pigment().brand(), " lot ",
          r.pigment().lot(), " shade ", r.pigment().shade_step(),
          r.needle().empty() ? "" : ", needle " + r.needle(), ", density ", r.density_level());
    }
    case ev::ClientEvent::kSessionCancelled:
      return absl::StrCat("Session ", e.session_cancelled().session_number(), " cancelled",
                          e.session_cancelled().late() ? " late" : "", ": ",
                          e.session_cancelled().reason());
    case ev::ClientEvent::kSessionNoShow:
      return absl::StrCat("No-show for session ", e.session_no_show().session_number());
    case ev::ClientEvent::kCourseCompleted:
      return absl::StrCat("Course ", e.course_completed().course_number(), " complete after ",
                          e.course_completed().sessions_completed(), " sessions; touch-up due ",
                          When(e.course_completed().touch_up_due_at()));
    case ev::ClientEvent::kRecordAmended:
      return absl::StrCat("Amended ", e.record_amended().field(), " to '",
                          e.record_amended().corrected_value(), "': ", e.record_amended().reason());
    case ev::ClientEvent::kPutOnHold:
      return absl::StrCat("Put on hold: ", e.put_on_hold().reason());
    case ev::ClientEvent::kResumed:
      return "Resumed";
    case ev::ClientEvent::kDiscontinued:
      return absl::StrCat("Discontinued: ", e.discontinued().reason());
    case ev::ClientEvent::kHomeLocationChanged:
      return absl::StrCat("Home location moved from ", e.home_location_changed().from_location_id(),
                          " to ", e.home_location_changed().to_location_id());
    case ev::ClientEvent::EVENT_NOT_SET:
      break;
  }
  return "Unknown event";
}

absl::Status ClientHistoryProjection::Apply(const eventstore::RecordedEvent& event,
                                            ModelWriter& model) {
  if (!absl::StartsWith(event.stream, "client-")) return absl::OkStatus();
  ev::ClientEvent client_event;
  if (!client_event.ParseFromString(event.payload)) {
    return absl::DataLossError("client event does not parse");
  }
  projections::v1::HistoryEntry entry;
  entry.set_position(event.position);
  entry.set_stream_version(event.stream_version);
  entry.set_event_id(event.event_id);
  entry.set_type(event.type);
  entry.set_description(Describe(client_event));
  entry.set_actor(event.metadata.actor);
  entry.set_location_id(event.metadata.location);
  *entry.mutable_recorded_at() = domain::ToProto(event.recorded_at);
  if (client_event.has_record_amended()) {
    entry.set_amends_event_id(client_event.record_amended().amended_event_id());
  }
  model.PutWriteOnly(
      HistoryPrefix(event.stream.substr(7)) + eventstore::EncodeU64(event.stream_version),
      DeterministicBytes(entry));
  return absl::OkStatus();
}

}  // namespace stipple::projections
