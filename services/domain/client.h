#ifndef STIPPLE_SERVICES_DOMAIN_CLIENT_H_
#define STIPPLE_SERVICES_DOMAIN_CLIENT_H_

// A client's treatment course: state folded from the client-<id> stream, and the decisions that
// turn a command into events. Pure: time and outside facts (policies, the artist's calendar) are
// arguments.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/domain/artist.h"
#include "services/domain/history.h"
#include "stipple/events/v1/events.pb.h"

namespace stipple::domain {

namespace ev = events::v1;

struct Contraindication {
  ev::ContraindicationKind kind = ev::CONTRAINDICATION_KIND_UNSPECIFIED;
  absl::Time until = absl::InfinitePast();
  bool cleared = false;
};

struct OpenSession {
  int number = 0;
  absl::Time start;
  int expected_duration_minutes = 0;
  std::string location_id;
  std::string artist_id;
  std::string booking_id;
};

struct ClientState {
  bool exists = false;
  std::string client_id;
  std::string home_location_id;
  bool consulted = false;
  int recommended_sessions = 0;
  absl::flat_hash_set<int> consents;  // ev::ConsentKind values signed.
  std::map<std::string, Contraindication> contraindications;
  bool patch_test_applied = false;
  absl::Time patch_test_applied_at;
  ev::PatchTestResult patch_test_result = ev::PATCH_TEST_RESULT_UNSPECIFIED;  // Latest test.
  bool patch_test_failed = false;  // A test failed and none has passed since: blocks treatment.
  bool patch_test_waived = false;
  int course_number = 0;     // Courses agreed so far (the first course, then touch-ups).
  bool plan_active = false;  // A course is agreed and not yet complete.
  int planned_sessions = 0;
  int completed_sessions = 0;  // In the current course.
  std::optional<OpenSession> open_session;
  std::optional<absl::Time> last_completed_start;
  std::string last_session_location_id;
  bool course_complete = false;
  absl::Time touch_up_due_at;
  bool on_hold = false;
  bool discontinued = false;
  absl::flat_hash_set<std::string> event_ids;  // Every event in the stream, for amendments.
};

void Evolve(ClientState& state, const ev::ClientEvent& event, const std::string& event_id);
absl::StatusOr<ClientState> FoldClient(const History& history);

using ClientEvents = std::vector<ev::ClientEvent>;

// --- Commands: each Decide validates its input (INVALID_ARGUMENT naming the field), then checks
// the rules against the state (FAILED_PRECONDITION with a reason; NOT_FOUND for a missing client).

struct RegisterClient {
  std::string client_id;
  std::string home_location_id;
  ev::PersonalDetails personal;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const RegisterClient& command);

struct RecordConsultation {
  std::string location_id;
  std::string artist_id;
  ev::Assessment assessment;
  ev::LocationPolicy policy;  // The consultation location's.
  absl::Time now;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const RecordConsultation& command);

struct SignConsent {
  ev::ConsentKind kind;
  std::string template_version;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const SignConsent& command);

struct RecordContraindication {
  std::string contraindication_id;
  ev::ContraindicationKind kind;
  std::string description;
  std::optional<absl::Time> until;
  absl::Time now;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state,
                                    const RecordContraindication& command);

struct ClearContraindication {
  std::string contraindication_id;
  std::string cleared_by;
  std::string note;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const ClearContraindication& command);

struct ApplyPatchTest {
  std::string location_id;
  absl::Time now;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const ApplyPatchTest& command);

struct ReadPatchTest {
  ev::PatchTestResult result;
  absl::Time now;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const ReadPatchTest& command);

struct WaivePatchTest {
  std::string reason;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const WaivePatchTest& command);

struct AgreePlan {
  int planned_sessions = 0;  // 0: the recommendation.
  std::string deviation_reason;
  absl::Time now;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const AgreePlan& command);

struct RevisePlan {
  int planned_sessions = 0;
  ev::PlanRevisionReason reason;
  std::string note;
  ev::LocationPolicy last_session_policy;  // For the touch-up date if this ends the course.
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const RevisePlan& command);

struct StartTouchUp {
  int planned_sessions = 0;
  absl::Time now;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const StartTouchUp& command);

// Scheduling books the artist too: both events are appended atomically by the caller.
struct ScheduleSession {
  std::string location_id;
  ev::LocationPolicy policy;  // The session location's.
  const ArtistState* artist = nullptr;
  absl::Time start;
  absl::Time now;
  std::string booking_id;
};
struct ScheduleDecision {
  ClientEvents client;
  ev::ArtistEvent artist;
  int session_number = 0;
  int expected_duration_minutes = 0;
};
absl::StatusOr<ScheduleDecision> Decide(const ClientState& state, const ScheduleSession& command);

struct CompleteSession {
  int session_number = 0;
  ev::SessionRecord record;
  ev::LocationPolicy policy;  // The session location's (for the touch-up interval).
  absl::Time now;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const CompleteSession& command);

// Cancelling frees the artist's time: the caller appends the release to the artist's stream.
struct CancelSession {
  int session_number = 0;
  std::string reason;
  ev::LocationPolicy policy;  // The session location's (for the notice period).
  absl::Time now;
};
struct CancelDecision {
  ClientEvents client;
  ev::ArtistEvent artist;
  std::string artist_id;
};
absl::StatusOr<CancelDecision> Decide(const ClientState& state, const CancelSession& command);

struct MarkNoShow {
  int session_number = 0;
  absl::Time now;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const MarkNoShow& command);

struct AmendRecord {
  std::string amended_event_id;
  std::string field;
  std::string corrected_value;
  std::string reason;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const AmendRecord& command);

struct PutOnHold {
  std::string reason;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const PutOnHold& command);

struct Resume {};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const Resume& command);

struct Discontinue {
  std::string reason;
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const Discontinue& command);

struct ChangeHomeLocation {
  std::string location_id;  // Checked to exist by the caller.
};
absl::StatusOr<ClientEvents> Decide(const ClientState& state, const ChangeHomeLocation& command);

}  // namespace stipple::domain

#endif  // STIPPLE_SERVICES_DOMAIN_CLIENT_H_
