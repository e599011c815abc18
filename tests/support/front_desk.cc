#include "tests/support/front_desk.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "stipple/api/v1/errors.pb.h"
#include "stipple/api/v1/studio.grpc.pb.h"

namespace stipple::testing {
namespace {

namespace api = stipple::api::v1;
namespace ev = stipple::events::v1;

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(time));
}

// The rule a refusal names (see api.v1.ErrorInfo), or "".
std::string ReasonOf(const grpc::Status& status) {
  api::RpcStatus details;
  api::ErrorInfo info;
  if (details.ParseFromString(status.error_details()) && details.details_size() > 0) {
    info.ParseFromString(details.details(0).value());
  }
  return info.reason();
}

bool NoAnswer(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         status.error_code() == grpc::StatusCode::CANCELLED;
}

ev::Assessment AssessmentFor(std::mt19937_64& random) {
  ev::Assessment a;
  a.set_hair_loss_type(ev::HAIR_LOSS_TYPE_MALE_PATTERN);
  a.set_norwood(static_cast<int>(2 + random() % 6));
  a.add_areas(ev::TREATMENT_AREA_HAIRLINE);
  if (random() % 2 == 0) a.add_areas(ev::TREATMENT_AREA_CROWN);
  a.set_scar_tissue(random() % 4 == 0 ? ev::SCAR_TISSUE_FUT_STRIP : ev::SCAR_TISSUE_NONE);
  a.set_skin_type(ev::SKIN_TYPE_NORMAL);
  a.set_density_goal(random() % 3 == 0 ? ev::DENSITY_GOAL_HIGH : ev::DENSITY_GOAL_MEDIUM);
  return a;
}

// For set-up calls, made as the server may still be starting.
void WaitForServer(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  context.set_wait_for_ready(true);
}

std::shared_ptr<grpc::ChannelInterface> Unowned(grpc::ChannelInterface& channel) {
  return std::shared_ptr<grpc::ChannelInterface>(&channel, [](grpc::ChannelInterface*) {});
}

}  // namespace

FrontDesk::FrontDesk(FrontDeskOptions options)
    : options_(std::move(options)), random_(options_.seed), next_artist_(options_.seed) {}

void FrontDesk::Connect(std::shared_ptr<grpc::ChannelInterface> channel) {
  artists_ = api::ArtistService::NewStub(channel);
  clients_ = api::ClientService::NewStub(channel);
  sessions_ = api::SessionService::NewStub(channel);
}

api::CommandContext FrontDesk::Context(const std::string& actor) {
  api::CommandContext context;
  context.set_request_id(absl::StrCat(options_.name, "-r", ++next_request_));
  context.set_actor(actor);
  context.set_location_id(options_.location_id);
  return context;
}

int64_t FrontDesk::ReadyCourse() {
  const absl::Time now = options_.clock();
  while (!waiting_.empty() && waiting_.begin()->first <= now) {
    ready_.insert(waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
  }
  if (!ready_.empty()) return *ready_.begin();
  const int64_t number = ++next_course_;
  Course course;
  course.client_id = absl::StrCat(options_.name, "-c", number);
  if (options_.artist_ids.empty()) {
    course.artist_id = absl::StrCat(options_.name, "-a", number);
  } else {
    course.artist_id = options_.artist_ids[next_artist_++ % options_.artist_ids.size()];
    course.stage = Stage::kRegisterClient;
  }
  courses_.emplace(number, std::move(course));
  ready_.insert(number);
  return number;
}

void FrontDesk::BookElsewhere(Course& course) {
  const std::vector<std::string>& pool = options_.artist_ids;
  const size_t at = std::find(pool.begin(), pool.end(), course.artist_id) - pool.begin();
  course.artist_id = pool[(at + 1) % pool.size()];
  if (++course.clashes % pool.size() == 0) {
    course.earliest_next =
        std::max(course.earliest_next, options_.clock() + options_.schedule_lead) + absl::Hours(1);
  }
}

void FrontDesk::File(int64_t number) {
  auto course = courses_.find(number);
  if (course->second.finished) {
    ready_.erase(number);
    courses_.erase(course);
  } else if (course->second.stage == Stage::kFinishSession) {
    ready_.erase(number);
    waiting_.emplace(course->second.session_start, number);
  }
}

FrontDesk::Call FrontDesk::NextCall(Course& course, std::string* rpc,
                                    std::function<void()>* on_success) {
  const std::string& client = course.client_id;
  const std::string& artist = course.artist_id;
  switch (course.stage) {
    case Stage::kRegisterArtist: {
      *rpc = "RegisterArtist";
      api::RegisterArtistRequest request;
      *request.mutable_context() = Context("owner");
      request.set_artist_id(artist);
      request.set_name("Artist " + artist);
      request.add_location_ids(options_.location_id);
      *on_success = [&course] { course.stage = Stage::kRegisterClient; };
      return [this, request](grpc::ClientContext* c, api::CommandResult* out) {
        return artists_->RegisterArtist(c, request, out);
      };
    }
    case Stage::kRegisterClient: {
      *rpc = "RegisterClient";
      api::RegisterClientRequest request;
      *request.mutable_context() = Context("desk");
      request.set_client_id(client);
      request.set_home_location_id(options_.location_id);
      request.mutable_personal()->set_full_name("Client " + client);
      request.mutable_personal()->set_phone("+44 20 7946 0000");
      *on_success = [&course] { course.stage = Stage::kConsult; };
      return [this, request](grpc::ClientContext* c, api::CommandResult* out) {
        return clients_->RegisterClient(c, request, out);
      };
    }
    case Stage::kConsult: {
      *rpc = "RecordConsultation";
      api::RecordConsultationRequest request;
      *request.mutable_context() = Context(artist);
      request.set_client_id(client);
      request.set_location_id(options_.location_id);
      request.set_artist_id(artist);
      *request.mutable_assessment() = AssessmentFor(random_);
      auto response = std::make_shared<api::RecordConsultationResponse>();
      *on_success = [&course, response] {
        course.planned_sessions = response->recommended_sessions();
        course.stage = Stage::kConsent;
      };
      return [this, request, response](grpc::ClientContext* c, api::CommandResult* out) {
        grpc::Status status = clients_->RecordConsultation(c, request, response.get());
        *out = response->result();
        return status;
      };
    }
    case Stage::kConsent: {
      *rpc = "SignConsent";
      api::SignConsentRequest request;
      *request.mutable_context() = Context("desk");
      request.set_client_id(client);
      request.set_kind(ev::CONSENT_KIND_TREATMENT);
      request.set_template_version("2026-01");
      *on_success = [&course] { course.stage = Stage::kWaivePatchTest; };
      return [this, request](grpc::ClientContext* c, api::CommandResult* out) {
        return clients_->SignConsent(c, request, out);
      };
    }
    case Stage::kWaivePatchTest: {
      *rpc = "WaivePatchTest";
      api::WaivePatchTestRequest request;
      *request.mutable_context() = Context(artist);
      request.set_client_id(client);
      request.set_reason("earlier SMP without reaction");
      *on_success = [&course] { course.stage = Stage::kAgreePlan; };
      return [this, request](grpc::ClientContext* c, api::CommandResult* out) {
        return clients_->WaivePatchTest(c, request, out);
      };
    }
    case Stage::kAgreePlan: {
      *rpc = "AgreePlan";
      api::AgreePlanRequest request;
      *request.mutable_context() = Context(artist);
      request.set_client_id(client);
      *on_success = [&course] { course.stage = Stage::kSchedule; };
      return [this, request](grpc::ClientContext* c, api::CommandResult* out) {
        return clients_->AgreePlan(c, request, out);
      };
    }
    case Stage::kSchedule: {
      *rpc = "ScheduleSession";
      api::ScheduleSessionRequest request;
      *request.mutable_context() = Context("desk");
      request.set_client_id(client);
      request.set_location_id(options_.location_id);
      request.set_artist_id(artist);
      absl::Time start = std::max(options_.clock() + options_.schedule_lead, course.earliest_next);
      if (options_.booking_spread > absl::ZeroDuration()) {
        start += options_.booking_spread * std::uniform_real_distribution<double>(0, 1)(random_);
      }
      *request.mutable_start_time() = ToTimestamp(start);
      auto response = std::make_shared<api::ScheduleSessionResponse>();
      *on_success = [&course, response, start] {
        course.session_number = response->session_number();
        course.session_start = start;
        course.stage = Stage::kFinishSession;
        course.clashes = 0;
      };
      return [this, request, response](grpc::ClientContext* c, api::CommandResult* out) {
        grpc::Status status = sessions_->ScheduleSession(c, request, response.get());
        *out = response->result();
        return status;
      };
    }
    case Stage::kFinishSession:
      break;
  }
  if (std::uniform_real_distribution<double>(0, 1)(random_) < options_.cancel_share) {
    *rpc = "CancelSession";
    api::CancelSessionRequest request;
    *request.mutable_context() = Context("desk");
    request.set_client_id(client);
    request.set_session_number(course.session_number);
    request.set_reason("client rescheduled");
    *on_success = [&course] { course.stage = Stage::kSchedule; };
    return [this, request](grpc::ClientContext* c, api::CommandResult* out) {
      return sessions_->CancelSession(c, request, out);
    };
  }
  *rpc = "CompleteSession";
  api::CompleteSessionRequest request;
  *request.mutable_context() = Context(artist);
  request.set_client_id(client);
  request.set_session_number(course.session_number);
  ev::SessionRecord* record = request.mutable_record();
  record->set_actual_duration_minutes(static_cast<int>(150 + random_() % 150));
  record->mutable_pigment()->set_brand("Ink Co");
  record->mutable_pigment()->set_lot(absl::StrCat("LOT-", random_() % 1000));
  record->mutable_pigment()->set_shade_step(course.session_number);
  record->set_needle("3RL 0.18");
  record->add_areas(ev::TREATMENT_AREA_HAIRLINE);
  record->set_density_level(std::min(10, 3 + 2 * course.session_number));
  record->set_notes("even take, no irritation");
  // Studios' minimum gap is at most 30 days; booking a day beyond it always fits.
  *on_success = [this, &course] {
    if (course.session_number >= course.planned_sessions) {
      ++courses_completed_;
      course.finished = true;
      return;
    }
    course.earliest_next = course.session_start + absl::Hours(24 * 31);
    course.stage = Stage::kSchedule;
  };
  return [this, request](grpc::ClientContext* c, api::CommandResult* out) {
    return sessions_->CompleteSession(c, request, out);
  };
}

CommandRecord FrontDesk::Send(const std::string& rpc, const std::string& request_id,
                              const Call& call) {
  CommandRecord record;
  record.rpc = rpc;
  record.request_id = request_id;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMicroseconds(options_.call_deadline));
  const absl::Time sent = absl::Now();
  record.status = call(&context, &record.result);
  record.latency = absl::Now() - sent;
  return record;
}

CommandRecord FrontDesk::Step() {
  if (!pending_.has_value()) {
    Pending next;
    next.course = ReadyCourse();
    next.call = NextCall(courses_.at(next.course), &next.rpc, &next.on_success);
    next.request_id = absl::StrCat(options_.name, "-r", next_request_);
    pending_ = std::move(next);
  }
  CommandRecord record = Send(pending_->rpc, pending_->request_id, pending_->call);
  record.retry = pending_->sends++ > 0;
  if (NoAnswer(record.status)) return record;  // Stays pending: resent by the next Step.

  record.clash = pending_->rpc == "ScheduleSession" && !options_.artist_ids.empty() &&
                 ReasonOf(record.status) == "ARTIST_DOUBLE_BOOKED";
  if (record.status.ok()) {
    pending_->on_success();
    File(pending_->course);
  } else if (record.clash) {
    ++clashes_;
    BookElsewhere(courses_.at(pending_->course));  // Still ready: booked again next.
  } else {
    ++refusals_;
    ready_.erase(pending_->course);
    courses_.erase(pending_->course);
  }
  pending_.reset();
  return record;
}

grpc::Status OpenLocations(grpc::ChannelInterface& channel,
                           const std::vector<std::string>& location_ids) {
  auto stub = api::LocationService::NewStub(Unowned(channel));
  for (const std::string& id : location_ids) {
    api::OpenLocationRequest request;
    request.mutable_context()->set_request_id("open-location-" + id);
    request.mutable_context()->set_actor("owner");
    request.set_location_id(id);
    request.set_name("Studio " + id);
    request.set_time_zone("Europe/London");
    api::CommandResult result;
    grpc::ClientContext context;
    WaitForServer(context);
    grpc::Status status = stub->OpenLocation(&context, request, &result);
    if (!status.ok()) return status;
  }
  return grpc::Status::OK;
}

grpc::Status RegisterArtists(grpc::ChannelInterface& channel, const std::string& location_id,
                             const std::vector<std::string>& artist_ids) {
  auto stub = api::ArtistService::NewStub(Unowned(channel));
  for (const std::string& id : artist_ids) {
    api::RegisterArtistRequest request;
    request.mutable_context()->set_request_id("register-artist-" + id);
    request.mutable_context()->set_actor("owner");
    request.mutable_context()->set_location_id(location_id);
    request.set_artist_id(id);
    request.set_name("Artist " + id);
    request.add_location_ids(location_id);
    api::CommandResult result;
    grpc::ClientContext context;
    WaitForServer(context);
    grpc::Status status = stub->RegisterArtist(&context, request, &result);
    if (!status.ok()) return status;
  }
  return grpc::Status::OK;
}

}  // namespace stipple::testing
