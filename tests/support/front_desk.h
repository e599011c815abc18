#ifndef STIPPLE_TESTS_SUPPORT_FRONT_DESK_H_
#define STIPPLE_TESTS_SUPPORT_FRONT_DESK_H_

// A synthetic front desk: it drives its own clients through realistic courses over the gRPC
// command API (register, consult, consent, plan, schedule, complete, cancel), one command per
// Step. Used by the crash torture and by the end-to-end benchmark. Not thread-safe: one thread
// per desk.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "stipple/api/v1/studio.grpc.pb.h"

namespace stipple::testing {

// What one call did.
struct CommandRecord {
  std::string rpc;
  std::string request_id;
  grpc::Status status;
  api::v1::CommandResult result;  // Set when status is OK.
  absl::Duration latency;
  bool retry = false;  // A resend of a call that got no answer.
  // A booking refused because the artist is booked then (by a desk sharing the location's
  // artists, this one included): the course tries again with the next artist, not dropped.
  bool clash = false;
};

struct FrontDeskOptions {
  std::string name;         // Unique per desk: prefixes every id it makes.
  std::string location_id;  // An open location (see OpenLocations).
  // The server's clock: a session is completed once it has started by this clock.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // How far ahead the first session of a course is booked at the earliest.
  absl::Duration schedule_lead = absl::Seconds(5);
  // Each booking is placed at a random time up to this much after its earliest start, as
  // clients choose their dates: desks sharing artists then clash only as often as the artists'
  // calendars fill. 0: always the earliest start.
  absl::Duration booking_spread = absl::ZeroDuration();
  // Share of booked sessions that are cancelled (and booked again) instead of completed.
  double cancel_share = 0.2;
  // The location's artists, registered beforehand (RegisterArtists) and shared with its other
  // desks: each new course takes the next in turn, starting at `seed` (so desks do not move
  // through the pool in step). Empty: each course registers an artist of its own, so no booking
  // ever clashes (for runs that expect no refusal at all).
  std::vector<std::string> artist_ids;
  absl::Duration call_deadline = absl::Seconds(30);
  uint64_t seed = 1;
};

class FrontDesk {
 public:
  explicit FrontDesk(FrontDeskOptions options);

  // Uses `channel` for the calls from now on (after a server restart, say).
  void Connect(std::shared_ptr<grpc::ChannelInterface> channel);

  // Sends one command: the last one again, with the same request id, when it got no answer
  // (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED); otherwise the next step of a course that can
  // move on now, starting a new course when every course waits for a session to start. A
  // course whose command is refused is dropped, unless its booking clashed (CommandRecord::clash).
  CommandRecord Step();

  // Courses finished, and commands refused by a rule or validation (none are expected).
  int64_t courses_completed() const { return courses_completed_; }
  int64_t refusals() const { return refusals_; }
  // Bookings refused because the artist was booked then, and tried again.
  int64_t clashes() const { return clashes_; }

 private:
  enum class Stage {
    kRegisterArtist,
    kRegisterClient,
    kConsult,
    kConsent,
    kWaivePatchTest,
    kAgreePlan,
    kSchedule,
    kFinishSession,  // Cancel or complete the booked session.
  };
  struct Course {
    std::string client_id;
    std::string artist_id;
    Stage stage = Stage::kRegisterArtist;
    int planned_sessions = 0;
    int session_number = 0;
    absl::Time session_start;
    absl::Time earliest_next;  // The location's minimum gap after a completed session.
    int clashes = 0;           // Bookings of the current session refused as clashes.
    bool finished = false;
  };
  using Call = std::function<grpc::Status(grpc::ClientContext*, api::v1::CommandResult*)>;

  // The number of a course that can take its next step now, starting a new one when every
  // course waits for its session to start.
  int64_t ReadyCourse();
  // Files a course after a successful step: waiting for its booked session, or ready.
  void File(int64_t number);
  // The call for `course`'s next step, and what the step does to the course when it succeeds
  // (given the call's result).
  Call NextCall(Course& course, std::string* rpc, std::function<void()>* on_success);
  CommandRecord Send(const std::string& rpc, const std::string& request_id, const Call& call);
  api::v1::CommandContext Context(const std::string& actor);
  // After a clash: the course books with the pool's next artist; once every artist has refused
  // it, its earliest start moves an hour later.
  void BookElsewhere(Course& course);

  FrontDeskOptions options_;
  std::mt19937_64 random_;
  std::unique_ptr<api::v1::ArtistService::Stub> artists_;
  std::unique_ptr<api::v1::ClientService::Stub> clients_;
  std::unique_ptr<api::v1::SessionService::Stub> sessions_;
  std::map<int64_t, Course> courses_;  // By course number.
  // Course numbers that can move on now, lowest first; and those waiting for a booked session,
  // by its start. A long run leaves tens of thousands of courses waiting weeks for a second
  // session, so a step must not scan them all.
  std::set<int64_t> ready_;
  std::multimap<absl::Time, int64_t> waiting_;
  int64_t next_course_ = 0;
  size_t next_artist_ = 0;  // In `artist_ids`, for the next new course.
  int64_t next_request_ = 0;

  // The call that got no answer, resent by the next Step.
  struct Pending {
    std::string rpc;
    std::string request_id;
    Call call;
    std::function<void()> on_success;
    int64_t course;
    int sends = 0;
  };
  std::optional<Pending> pending_;
  int64_t courses_completed_ = 0;
  int64_t refusals_ = 0;
  int64_t clashes_ = 0;
};

// Opens each location (Europe/London) with fixed request ids, so a second call replays.
grpc::Status OpenLocations(grpc::ChannelInterface& channel,
                           const std::vector<std::string>& location_ids);
// Registers each artist at `location_id`, with fixed request ids, so a second call replays.
grpc::Status RegisterArtists(grpc::ChannelInterface& channel, const std::string& location_id,
                             const std::vector<std::string>& artist_ids);

}  // namespace stipple::testing

#endif  // STIPPLE_TESTS_SUPPORT_FRONT_DESK_H_
