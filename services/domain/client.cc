#include "services/domain/client.h"

#include "absl/strings/str_cat.h"
#include "services/domain/errors.h"
#include "services/domain/policy.h"
#include "services/domain/recommendation.h"
#include "services/domain/time_convert.h"

namespace stipple::domain {
namespace {

constexpr int kMaxPlannedSessions = 12;
constexpr int kMaxSessionMinutes = 10 * 60;
constexpr absl::Duration kPatchTestReadAfter = absl::Hours(72);

ClientEvents One(ev::ClientEvent event) { return ClientEvents{std::move(event)}; }

// The checks every command on an existing client starts with.
absl::Status Active(const ClientState& state) {
  if (!state.exists) return absl::NotFoundError("client does not exist");
  if (state.discontinued) return RuleBroken("CLIENT_DISCONTINUED", "the client has discontinued");
  return absl::OkStatus();
}

absl::Status Required(const std::string& field, const std::string& value) {
  return value.empty() ? InvalidField(field, "must not be empty") : absl::OkStatus();
}

bool Known(const google::protobuf::EnumDescriptor* descriptor, int value) {
  return value != 0 && descriptor->FindValueByNumber(value) != nullptr;
}

absl::Status KnownEnum(const std::string& field, const google::protobuf::EnumDescriptor* descriptor,
                       int value) {
  if (Known(descriptor, value)) return absl::OkStatus();
  return InvalidField(field, absl::StrCat(value, " is not a known ", descriptor->name()));
}

absl::Status ValidateAssessment(const ev::Assessment& a) {
  if (absl::Status s =
          KnownEnum("assessment.hair_loss_type", ev::HairLossType_descriptor(), a.hair_loss_type());
      !s.ok()) {
    return s;
  }
  if (a.norwood() < 0 || a.norwood() > 7) {
    return InvalidField("assessment.norwood", absl::StrCat(a.norwood(), " is outside 1..7"));
  }
  if (a.ludwig() < 0 || a.ludwig() > 3) {
    return InvalidField("assessment.ludwig", absl::StrCat(a.ludwig(), " is outside 1..3"));
  }
  if (a.norwood() != 0 && a.ludwig() != 0) {
    return InvalidField("assessment.ludwig", "give a Norwood or a Ludwig grade, not both");
  }
  if (a.areas().empty()) return InvalidField("assessment.areas", "name at least one area");
  for (int area : a.areas()) {
    if (absl::Status s = KnownEnum("assessment.areas", ev::TreatmentArea_descriptor(), area);
        !s.ok()) {
      return s;
    }
  }
  for (auto [field, descriptor, value] : {
           std::tuple{"assessment.scar_tissue", ev::ScarTissue_descriptor(),
                      static_cast<int>(a.scar_tissue())},
           std::tuple{"assessment.skin_type", ev::SkinType_descriptor(),
                      static_cast<int>(a.skin_type())},
           std::tuple{"assessment.density_goal", ev::DensityGoal_descriptor(),
                      static_cast<int>(a.density_goal())},
       }) {
    if (absl::Status s = KnownEnum(field, descriptor, value); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// The first contraindication that forbids treatment at `when`, or null.
const std::string* ContraindicationInForce(const ClientState& state, absl::Time when) {
  for (const auto& [id, c] : state.contraindications) {
    if (c.cleared) continue;
    if (c.kind == ev::CONTRAINDICATION_KIND_TEMPORARY && c.until <= when) continue;
    return &id;
  }
  return nullptr;
}

absl::Status OpenSessionNumbered(const ClientState& state, int session_number) {
  if (!state.open_session.has_value()) {
    return RuleBroken("NO_OPEN_SESSION", "no session is scheduled");
  }
  if (state.open_session->number != session_number) {
    return RuleBroken("WRONG_SESSION", absl::StrCat("session ", state.open_session->number,
                                                    " is scheduled, not session ", session_number));
  }
  return absl::OkStatus();
}

ev::ClientEvent CourseCompletedEvent(const ClientState& state, int sessions_completed,
                                     absl::Time last_session_start,
                                     const ev::LocationPolicy& policy) {
  ev::ClientEvent event;
  auto* completed = event.mutable_course_completed();
  completed->set_course_number(state.course_number);
  completed->set_sessions_completed(sessions_completed);
  *completed->mutable_touch_up_due_at() =
      ToProto(last_session_start + absl::Hours(24) * policy.touch_up_interval_days());
  return event;
}

}  // namespace

void Evolve(ClientState& state, const ev::ClientEvent& event, const std::string& event_id) {
  state.event_ids.insert(event_id);
  switch (event.event_case()) {
    case ev::ClientEvent::kRegistered:
      state.exists = true;
      state.client_id = event.registered().client_id();
      state.home_location_id = event.registered().home_location_id();
      break;
    case ev::ClientEvent::kConsultationRecorded:
      state.consulted = true;
      state.recommended_sessions = event.consultation_recorded().recommended_sessions();
      break;
    case ev::ClientEvent::kConsentSigned:
      state.consents.insert(event.consent_signed().kind());
      break;
    case ev::ClientEvent::kContraindicationRecorded: {
      const auto& recorded = event.contraindication_recorded();
      Contraindication& c = state.contraindications[recorded.contraindication_id()];
      c.kind = recorded.kind();
      c.until = recorded.has_until() ? FromProto(recorded.until()) : absl::InfinitePast();
      break;
    }
    case ev::ClientEvent::kContraindicationCleared:
      state.contraindications[event.contraindication_cleared().contraindication_id()].cleared =
          true;
      break;
    case ev::ClientEvent::kPatchTestApplied:
      state.patch_test_applied = true;
      state.patch_test_applied_at = FromProto(event.patch_test_applied().applied_at());
      state.patch_test_result = ev::PATCH_TEST_RESULT_UNSPECIFIED;
      break;
    case ev::ClientEvent::kPatchTestRead:
      state.patch_test_result = event.patch_test_read().result();
      state.patch_test_failed = state.patch_test_result == ev::PATCH_TEST_RESULT_FAILED;
      break;
    case ev::ClientEvent::kPatchTestWaived:
      state.patch_test_waived = true;
      break;
    case ev::ClientEvent::kPlanAgreed:
      state.course_number = event.plan_agreed().course_number();
      state.plan_active = true;
      state.course_complete = false;
      state.planned_sessions = event.plan_agreed().planned_sessions();
      state.completed_sessions = 0;
      break;
    case ev::ClientEvent::kPlanRevised:
      state.planned_sessions = event.plan_revised().planned_sessions();
      break;
    case ev::ClientEvent::kSessionScheduled: {
      const auto& s = event.session_scheduled();
      state.open_session = OpenSession{s.session_number(),
                                       FromProto(s.start_time()),
                                       s.expected_duration_minutes(),
                                       s.location_id(),
                                       s.artist_id(),
                                       s.booking_id()};
      break;
    }
    case ev::ClientEvent::kSessionCompleted:
      if (state.open_session.has_value()) {
        state.last_completed_start = state.open_session->start;
        state.last_session_location_id = state.open_session->location_id;
      }
      state.completed_sessions = event.session_completed().session_number();
      state.open_session.reset();
      break;
    case ev::ClientEvent::kSessionCancelled:
    case ev::ClientEvent::kSessionNoShow:
      state.open_session.reset();
      break;
    case ev::ClientEvent::kCourseCompleted:
      state.plan_active = false;
      state.course_complete = true;
      state.touch_up_due_at = FromProto(event.course_completed().touch_up_due_at());
      break;
    case ev::ClientEvent::kPutOnHold:
      state.on_hold = true;
      break;
    case ev::ClientEvent::kResumed:
      state.on_hold = false;
      break;
    case ev::ClientEvent::kDiscontinued:
      state.discontinued = true;
      state.plan_active = false;
      break;
    case ev::ClientEvent::kHomeLocationChanged:
      state.home_location_id = event.home_location_changed().to_location_id();
      break;
    case ev::ClientEvent::kRecordAmended:
    case ev::ClientEvent::EVENT_NOT_SET:
      break;  // Amendments are read by projections; unknown events change nothing here.
  }
}

absl::StatusOr<ClientState> FoldClient(const History& history) {
  return Fold<ClientState, ev::ClientEvent>(
      history, [](ClientState& state, const ev::ClientEvent& event, const std::string& id) {
        Evolve(state, event, id);
      });
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const RegisterClient& command) {
  if (absl::Status s = Required("client_id", command.client_id); !s.ok()) return s;
  if (absl::Status s = Required("home_location_id", command.home_location_id); !s.ok()) return s;
  if (absl::Status s = Required("personal.full_name", command.personal.full_name()); !s.ok()) {
    return s;
  }
  const std::string& birth = command.personal.date_of_birth();
  absl::Time parsed;
  std::string error;
  if (!birth.empty() && !absl::ParseTime("%Y-%m-%d", birth, &parsed, &error)) {
    return InvalidField("personal.date_of_birth", "'" + birth + "' is not YYYY-MM-DD");
  }
  if (state.exists) return AlreadyExists("client", command.client_id);
  ev::ClientEvent event;
  auto* registered = event.mutable_registered();
  registered->set_client_id(command.client_id);
  registered->set_home_location_id(command.home_location_id);
  *registered->mutable_personal() = command.personal;
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const RecordConsultation& command) {
  if (absl::Status s = Required("location_id", command.location_id); !s.ok()) return s;
  if (absl::Status s = Required("artist_id", command.artist_id); !s.ok()) return s;
  if (absl::Status s = ValidateAssessment(command.assessment); !s.ok()) return s;
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (state.plan_active) {
    return RuleBroken("COURSE_IN_PROGRESS", "a course is under way; revise its plan instead");
  }
  Recommendation recommendation = Recommend(command.assessment, command.policy);
  ev::ClientEvent event;
  auto* consultation = event.mutable_consultation_recorded();
  consultation->set_location_id(command.location_id);
  consultation->set_artist_id(command.artist_id);
  *consultation->mutable_assessment() = command.assessment;
  consultation->set_recommended_sessions(recommendation.sessions);
  for (ev::ExtraSessionReason reason : recommendation.reasons) consultation->add_reasons(reason);
  *consultation->mutable_consulted_at() = ToProto(command.now);
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const SignConsent& command) {
  if (absl::Status s = KnownEnum("kind", ev::ConsentKind_descriptor(), command.kind); !s.ok()) {
    return s;
  }
  if (absl::Status s = Required("template_version", command.template_version); !s.ok()) return s;
  if (absl::Status s = Active(state); !s.ok()) return s;
  ev::ClientEvent event;
  event.mutable_consent_signed()->set_kind(command.kind);
  event.mutable_consent_signed()->set_template_version(command.template_version);
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state,
                                    const RecordContraindication& command) {
  if (absl::Status s = Required("contraindication_id", command.contraindication_id); !s.ok()) {
    return s;
  }
  if (absl::Status s = KnownEnum("kind", ev::ContraindicationKind_descriptor(), command.kind);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Required("description", command.description); !s.ok()) return s;
  const bool temporary = command.kind == ev::CONTRAINDICATION_KIND_TEMPORARY;
  if (temporary && (!command.until.has_value() || *command.until <= command.now)) {
    return InvalidField("until", "a temporary contraindication needs an end in the future");
  }
  if (!temporary && command.until.has_value()) {
    return InvalidField("until", "only a temporary contraindication has an end date");
  }
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (state.contraindications.contains(command.contraindication_id)) {
    return AlreadyExists("contraindication", command.contraindication_id);
  }
  ev::ClientEvent event;
  auto* recorded = event.mutable_contraindication_recorded();
  recorded->set_contraindication_id(command.contraindication_id);
  recorded->set_kind(command.kind);
  recorded->set_description(command.description);
  if (command.until.has_value()) *recorded->mutable_until() = ToProto(*command.until);
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state,
                                    const ClearContraindication& command) {
  if (absl::Status s = Required("contraindication_id", command.contraindication_id); !s.ok()) {
    return s;
  }
  if (absl::Status s = Required("cleared_by", command.cleared_by); !s.ok()) return s;
  if (absl::Status s = Active(state); !s.ok()) return s;
  auto it = state.contraindications.find(command.contraindication_id);
  if (it == state.contraindications.end()) {
    return NotFound("contraindication", command.contraindication_id);
  }
  if (it->second.kind != ev::CONTRAINDICATION_KIND_NEEDS_CLEARANCE) {
    return RuleBroken("NOT_CLEARABLE",
                      "only a contraindication that needs a doctor's clearance "
                      "can be cleared; amend a wrong record instead");
  }
  if (it->second.cleared) return RuleBroken("ALREADY_CLEARED", "already cleared");
  ev::ClientEvent event;
  auto* cleared = event.mutable_contraindication_cleared();
  cleared->set_contraindication_id(command.contraindication_id);
  cleared->set_cleared_by(command.cleared_by);
  cleared->set_note(command.note);
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const ApplyPatchTest& command) {
  if (absl::Status s = Required("location_id", command.location_id); !s.ok()) return s;
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (state.patch_test_result == ev::PATCH_TEST_RESULT_PASSED) {
    return RuleBroken("PATCH_TEST_ALREADY_PASSED", "the client has passed a patch test");
  }
  if (state.patch_test_applied && state.patch_test_result == ev::PATCH_TEST_RESULT_UNSPECIFIED) {
    return RuleBroken("PATCH_TEST_PENDING", "a patch test is waiting to be read");
  }
  ev::ClientEvent event;
  event.mutable_patch_test_applied()->set_location_id(command.location_id);
  *event.mutable_patch_test_applied()->mutable_applied_at() = ToProto(command.now);
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const ReadPatchTest& command) {
  if (absl::Status s = KnownEnum("result", ev::PatchTestResult_descriptor(), command.result);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (!state.patch_test_applied || state.patch_test_result != ev::PATCH_TEST_RESULT_UNSPECIFIED) {
    return RuleBroken("NO_PATCH_TEST_PENDING", "no patch test is waiting to be read");
  }
  if (command.now < state.patch_test_applied_at + kPatchTestReadAfter) {
    return RuleBroken("PATCH_TEST_TOO_EARLY",
                      absl::StrCat("a patch test is read at least 72 h after it was applied (at ",
                                   absl::FormatTime(state.patch_test_applied_at), ")"));
  }
  ev::ClientEvent event;
  event.mutable_patch_test_read()->set_result(command.result);
  *event.mutable_patch_test_read()->mutable_read_at() = ToProto(command.now);
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const WaivePatchTest& command) {
  if (absl::Status s = Required("reason", command.reason); !s.ok()) return s;
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (state.patch_test_failed) {
    return RuleBroken("PATCH_TEST_FAILED", "a failed patch test cannot be waived");
  }
  if (state.patch_test_applied && state.patch_test_result == ev::PATCH_TEST_RESULT_UNSPECIFIED) {
    return RuleBroken("PATCH_TEST_PENDING", "a patch test is waiting to be read");
  }
  ev::ClientEvent event;
  event.mutable_patch_test_waived()->set_reason(command.reason);
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const AgreePlan& command) {
  if (command.planned_sessions < 0 || command.planned_sessions > kMaxPlannedSessions) {
    return InvalidField("planned_sessions", absl::StrCat(command.planned_sessions,
                                                         " is outside 1..", kMaxPlannedSessions));
  }
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (!state.consulted) return RuleBroken("CONSULTATION_REQUIRED", "record a consultation first");
  if (state.plan_active) return RuleBroken("PLAN_ALREADY_AGREED", "a course is already agreed");
  if (state.course_complete) {
    return RuleBroken("COURSE_COMPLETE", "the course is complete; start a touch-up instead");
  }
  const int planned =
      command.planned_sessions == 0 ? state.recommended_sessions : command.planned_sessions;
  if (planned != state.recommended_sessions && command.deviation_reason.empty()) {
    return InvalidField("deviation_reason",
                        absl::StrCat("required when planning ", planned, " sessions against the ",
                                     state.recommended_sessions, " recommended"));
  }
  ev::ClientEvent event;
  auto* plan = event.mutable_plan_agreed();
  plan->set_course_number(state.course_number + 1);
  plan->set_planned_sessions(planned);
  plan->set_recommended_sessions(state.recommended_sessions);
  plan->set_deviation_reason(command.deviation_reason);
  *plan->mutable_agreed_at() = ToProto(command.now);
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const RevisePlan& command) {
  if (command.planned_sessions < 1 || command.planned_sessions > kMaxPlannedSessions) {
    return InvalidField("planned_sessions", absl::StrCat(command.planned_sessions,
                                                         " is outside 1..", kMaxPlannedSessions));
  }
  if (absl::Status s = KnownEnum("reason", ev::PlanRevisionReason_descriptor(), command.reason);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (!state.plan_active) return RuleBroken("NO_ACTIVE_PLAN", "no course is under way");
  if (command.planned_sessions == state.planned_sessions) {
    return RuleBroken("PLAN_UNCHANGED", "the plan already has that many sessions");
  }
  const int floor = state.open_session.has_value() ? state.open_session->number
                                                   : std::max(state.completed_sessions, 1);
  if (command.planned_sessions < floor) {
    return RuleBroken("PLAN_BELOW_PROGRESS",
                      absl::StrCat("sessions up to ", floor, " are done or booked"));
  }
  ClientEvents events(1);
  auto* revised = events[0].mutable_plan_revised();
  revised->set_planned_sessions(command.planned_sessions);
  revised->set_reason(command.reason);
  revised->set_note(command.note);
  // Cutting the plan to the sessions already done ends the course now.
  if (command.planned_sessions == state.completed_sessions && state.last_completed_start) {
    events.push_back(CourseCompletedEvent(
        state, state.completed_sessions, *state.last_completed_start, command.last_session_policy));
  }
  return events;
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const StartTouchUp& command) {
  if (command.planned_sessions < 1 || command.planned_sessions > 2) {
    return InvalidField("planned_sessions", "a touch-up has 1 or 2 sessions");
  }
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (!state.course_complete) {
    return RuleBroken("COURSE_NOT_COMPLETE", "a touch-up follows a completed course");
  }
  ev::ClientEvent event;
  auto* plan = event.mutable_plan_agreed();
  plan->set_course_number(state.course_number + 1);
  plan->set_touch_up(true);
  plan->set_planned_sessions(command.planned_sessions);
  plan->set_recommended_sessions(command.planned_sessions);
  *plan->mutable_agreed_at() = ToProto(command.now);
  return One(std::move(event));
}

absl::StatusOr<ScheduleDecision> Decide(const ClientState& state, const ScheduleSession& command) {
  if (absl::Status s = Required("location_id", command.location_id); !s.ok()) return s;
  if (command.start <= command.now) {
    return InvalidField("start_time", "must be in the future");
  }
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (state.on_hold) return RuleBroken("CLIENT_ON_HOLD", "the client is on hold");
  if (!state.plan_active) return RuleBroken("PLAN_REQUIRED", "agree a plan first");
  if (!state.consents.contains(ev::CONSENT_KIND_TREATMENT)) {
    return RuleBroken("CONSENT_REQUIRED", "the client has not signed treatment consent");
  }
  // A failed test blocks treatment until a later one passes, whatever was waived before.
  if (state.patch_test_failed) {
    return RuleBroken("PATCH_TEST_FAILED", "the client failed the patch test");
  }
  if (command.policy.patch_test_required() && !state.patch_test_waived &&
      state.patch_test_result != ev::PATCH_TEST_RESULT_PASSED) {
    return RuleBroken("PATCH_TEST_REQUIRED",
                      "this location requires a passed or waived patch test");
  }
  if (const std::string* id = ContraindicationInForce(state, command.start)) {
    return RuleBroken("CONTRAINDICATION_IN_FORCE",
                      absl::StrCat("contraindication '", *id, "' is unresolved"));
  }
  if (state.open_session.has_value()) {
    return RuleBroken("SESSION_ALREADY_OPEN", absl::StrCat("session ", state.open_session->number,
                                                           " is already scheduled"));
  }
  if (state.completed_sessions >= state.planned_sessions) {
    return RuleBroken("PLAN_FULFILLED", "every planned session is done; revise the plan");
  }
  if (state.last_completed_start.has_value()) {
    const absl::Time earliest =
        *state.last_completed_start + absl::Hours(24) * command.policy.min_gap_days();
    if (command.start < earliest) {
      return RuleBroken("SESSION_TOO_SOON",
                        absl::StrCat("the next session may start from ", absl::FormatTime(earliest),
                                     " (", command.policy.min_gap_days(), " days after the last)"));
    }
  }
  if (command.artist == nullptr || !command.artist->exists) {
    return absl::NotFoundError("artist does not exist");
  }
  ScheduleDecision decision;
  decision.session_number = state.completed_sessions + 1;
  decision.expected_duration_minutes =
      ExpectedDurationMinutes(command.policy, decision.session_number);
  absl::StatusOr<ev::ArtistEvent> booking =
      DecideBooking(*command.artist, command.booking_id, state.client_id, command.location_id,
                    command.start, decision.expected_duration_minutes);
  if (!booking.ok()) return booking.status();
  decision.artist = *std::move(booking);
  ev::ClientEvent event;
  auto* scheduled = event.mutable_session_scheduled();
  scheduled->set_session_number(decision.session_number);
  scheduled->set_location_id(command.location_id);
  scheduled->set_artist_id(command.artist->artist_id);
  *scheduled->mutable_start_time() = ToProto(command.start);
  scheduled->set_expected_duration_minutes(decision.expected_duration_minutes);
  scheduled->set_booking_id(command.booking_id);
  decision.client.push_back(std::move(event));
  return decision;
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const CompleteSession& command) {
  const ev::SessionRecord& record = command.record;
  if (record.actual_duration_minutes() < 1 ||
      record.actual_duration_minutes() > kMaxSessionMinutes) {
    return InvalidField(
        "record.actual_duration_minutes",
        absl::StrCat(record.actual_duration_minutes(), " is outside 1..", kMaxSessionMinutes));
  }
  if (absl::Status s = Required("record.pigment.brand", record.pigment().brand()); !s.ok()) {
    return s;
  }
  if (absl::Status s = Required("record.pigment.lot", record.pigment().lot()); !s.ok()) return s;
  if (record.density_level() < 1 || record.density_level() > 10) {
    return InvalidField("record.density_level",
                        absl::StrCat(record.density_level(), " is outside 1..10"));
  }
  for (int area : record.areas()) {
    if (absl::Status s = KnownEnum("record.areas", ev::TreatmentArea_descriptor(), area); !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (absl::Status s = OpenSessionNumbered(state, command.session_number); !s.ok()) return s;
  if (command.now < state.open_session->start) {
    return RuleBroken("SESSION_NOT_STARTED", "a session is completed after it starts");
  }
  ClientEvents events(1);
  events[0].mutable_session_completed()->set_session_number(command.session_number);
  *events[0].mutable_session_completed()->mutable_record() = record;
  if (command.session_number >= state.planned_sessions) {
    events.push_back(CourseCompletedEvent(state, command.session_number, state.open_session->start,
                                          command.policy));
  }
  return events;
}

absl::StatusOr<CancelDecision> Decide(const ClientState& state, const CancelSession& command) {
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (absl::Status s = OpenSessionNumbered(state, command.session_number); !s.ok()) return s;
  const OpenSession& session = *state.open_session;
  CancelDecision decision;
  ev::ClientEvent event;
  auto* cancelled = event.mutable_session_cancelled();
  cancelled->set_session_number(command.session_number);
  cancelled->set_late(session.start - command.now <
                      absl::Hours(command.policy.notice_period_hours()));
  cancelled->set_reason(command.reason);
  decision.client.push_back(std::move(event));
  decision.artist.mutable_booking_released()->set_booking_id(session.booking_id);
  decision.artist.mutable_booking_released()->set_reason("session cancelled");
  decision.artist_id = session.artist_id;
  return decision;
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const MarkNoShow& command) {
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (absl::Status s = OpenSessionNumbered(state, command.session_number); !s.ok()) return s;
  if (command.now < state.open_session->start) {
    return RuleBroken("SESSION_NOT_STARTED", "a no-show is marked after the start time");
  }
  ev::ClientEvent event;
  event.mutable_session_no_show()->set_session_number(command.session_number);
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const AmendRecord& command) {
  if (absl::Status s = Required("amended_event_id", command.amended_event_id); !s.ok()) return s;
  if (absl::Status s = Required("field", command.field); !s.ok()) return s;
  if (absl::Status s = Required("reason", command.reason); !s.ok()) return s;
  if (!state.exists) return absl::NotFoundError("client does not exist");
  if (!state.event_ids.contains(command.amended_event_id)) {
    return RuleBroken("AMENDED_EVENT_NOT_FOUND",
                      "event '" + command.amended_event_id + "' is not in this client's history");
  }
  ev::ClientEvent event;
  auto* amended = event.mutable_record_amended();
  amended->set_amended_event_id(command.amended_event_id);
  amended->set_field(command.field);
  amended->set_corrected_value(command.corrected_value);
  amended->set_reason(command.reason);
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const PutOnHold& command) {
  if (absl::Status s = Required("reason", command.reason); !s.ok()) return s;
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (state.on_hold) return RuleBroken("ALREADY_ON_HOLD", "the client is already on hold");
  if (state.open_session.has_value()) {
    return RuleBroken("SESSION_OPEN", "cancel the scheduled session first");
  }
  ev::ClientEvent event;
  event.mutable_put_on_hold()->set_reason(command.reason);
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const Resume& /*command*/) {
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (!state.on_hold) return RuleBroken("NOT_ON_HOLD", "the client is not on hold");
  ev::ClientEvent event;
  event.mutable_resumed();
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const Discontinue& command) {
  if (absl::Status s = Required("reason", command.reason); !s.ok()) return s;
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (state.open_session.has_value()) {
    return RuleBroken("SESSION_OPEN", "cancel the scheduled session first");
  }
  ev::ClientEvent event;
  event.mutable_discontinued()->set_reason(command.reason);
  return One(std::move(event));
}

absl::StatusOr<ClientEvents> Decide(const ClientState& state, const ChangeHomeLocation& command) {
  if (absl::Status s = Required("location_id", command.location_id); !s.ok()) return s;
  if (absl::Status s = Active(state); !s.ok()) return s;
  if (command.location_id == state.home_location_id) {
    return RuleBroken("SAME_LOCATION", "that is already the home location");
  }
  ev::ClientEvent event;
  event.mutable_home_location_changed()->set_from_location_id(state.home_location_id);
  event.mutable_home_location_changed()->set_to_location_id(command.location_id);
  return One(std::move(event));
}

}  // namespace stipple::domain
