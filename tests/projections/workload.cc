#include "tests/projections/workload.h"

#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/domain/event_names.h"
#include "services/domain/policy.h"
#include "services/domain/time_convert.h"

namespace stipple::testing {
namespace {

namespace ev = events::v1;

class Writer {
 public:
  Writer(eventstore::EventStore& store, std::string prefix)
      : store_(store), prefix_(std::move(prefix)) {}

  template <typename Event>
  void Append(const std::string& stream, const Event& event) {
    AppendMany({{stream, {domain::TypeName(event), event.SerializeAsString()}}});
  }

  // Several streams in one atomic append, as a booking does.
  void AppendMany(
      const std::vector<std::pair<std::string, std::pair<std::string, std::string>>>& writes) {
    std::vector<eventstore::StreamAppend> parts;
    for (const auto& [stream, typed] : writes) {
      eventstore::ProposedEvent event;
      event.event_id = absl::StrCat(prefix_, "w", ++count_);
      event.type = typed.first;
      event.payload = typed.second;
      event.metadata.actor = absl::StrCat("staff-", count_ % 5);
      event.metadata.location = "loc-0";
      parts.push_back({stream, eventstore::ExpectedVersion::Any(), {event}});
    }
    auto result = store_.AppendMulti(parts);
    if (!result.ok()) std::abort();
  }

  size_t count() const { return count_; }

 private:
  eventstore::EventStore& store_;
  const std::string prefix_;
  size_t count_ = 0;
};

template <typename Event>
std::pair<std::string, std::string> Typed(const Event& event) {
  return {domain::TypeName(event), event.SerializeAsString()};
}

}  // namespace

size_t AppendWorkload(eventstore::EventStore& store, const WorkloadOptions& options) {
  std::mt19937 random(options.seed);
  auto chance = [&random](int percent) {
    return std::uniform_int_distribution<int>(0, 99)(random) < percent;
  };
  Writer writer(store, options.prefix);
  const char* zones[] = {"Europe/London", "America/New_York", "Asia/Tokyo"};
  for (int l = 0; l < options.locations && options.open_locations_and_artists; ++l) {
    ev::LocationEvent opened;
    opened.mutable_opened()->set_location_id(absl::StrCat("loc-", l));
    opened.mutable_opened()->set_name(absl::StrCat("Studio ", l));
    opened.mutable_opened()->set_time_zone(zones[l % 3]);
    *opened.mutable_opened()->mutable_policy() = domain::DefaultPolicy();
    writer.Append(absl::StrCat("location-loc-", l), opened);
    if (l == 0) {
      ev::LocationEvent changed;
      *changed.mutable_policy_changed()->mutable_policy() = domain::DefaultPolicy();
      changed.mutable_policy_changed()->mutable_policy()->set_min_gap_days(14);
      changed.mutable_policy_changed()->set_reason("clinical review");
      writer.Append("location-loc-0", changed);
    }
  }
  for (int a = 0; a < options.artists && options.open_locations_and_artists; ++a) {
    ev::ArtistEvent registered;
    registered.mutable_registered()->set_artist_id(absl::StrCat("art-", a));
    registered.mutable_registered()->set_name(absl::StrCat("Artist ", a));
    for (int l = 0; l < options.locations; ++l) {
      registered.mutable_registered()->add_location_ids(absl::StrCat("loc-", l));
    }
    writer.Append(absl::StrCat("artist-art-", a), registered);
  }

  // Each client advances one step per round, so streams interleave in the log.
  struct Client {
    std::string id;
    int step = 0;
    int session = 0;
    int planned = 0;
    absl::Time next_start;
    std::string location;
    std::string artist;
    bool done = false;
    bool awaiting_outcome = false;  // A session is scheduled.
  };
  std::vector<Client> clients(options.clients);
  for (int c = 0; c < options.clients; ++c) {
    clients[c].id = absl::StrCat(options.prefix, "cl-", c);
    clients[c].location = absl::StrCat("loc-", c % options.locations);
    clients[c].artist = absl::StrCat("art-", c % options.artists);
    clients[c].next_start = options.start + absl::Hours(24 * (c % 20)) + absl::Hours(c % 7);
    clients[c].planned = 3 + c % 3;
  }
  int booking = 0;
  bool any = true;
  while (any) {
    any = false;
    for (Client& client : clients) {
      if (client.done) continue;
      any = true;
      const std::string stream = "client-" + client.id;
      ev::ClientEvent e;
      switch (client.step++) {
        case 0:
          e.mutable_registered()->set_client_id(client.id);
          e.mutable_registered()->set_home_location_id(client.location);
          e.mutable_registered()->mutable_personal()->set_full_name(
              absl::StrCat(chance(50) ? "Alex " : "Sam ", client.id));
          break;
        case 1: {
          auto* c = e.mutable_consultation_recorded();
          c->set_location_id(client.location);
          c->set_artist_id(client.artist);
          c->mutable_assessment()->set_hair_loss_type(ev::HAIR_LOSS_TYPE_MALE_PATTERN);
          c->mutable_assessment()->set_norwood(2 + client.planned);
          c->set_recommended_sessions(client.planned);
          if (client.planned > 3) c->add_reasons(ev::EXTRA_SESSION_REASON_SCAR_TISSUE);
          if (client.planned > 4) c->add_reasons(ev::EXTRA_SESSION_REASON_LARGE_AREA);
          break;
        }
        case 2:
          e.mutable_consent_signed()->set_kind(ev::CONSENT_KIND_TREATMENT);
          e.mutable_consent_signed()->set_template_version("v1");
          break;
        case 3:
          e.mutable_contraindication_recorded()->set_contraindication_id("ci");
          e.mutable_contraindication_recorded()->set_kind(
              ev::CONTRAINDICATION_KIND_NEEDS_CLEARANCE);
          e.mutable_contraindication_recorded()->set_description("medication");
          break;
        case 4:
          e.mutable_contraindication_cleared()->set_contraindication_id("ci");
          e.mutable_contraindication_cleared()->set_cleared_by("Dr A");
          break;
        case 5:
          if (chance(30)) {
            e.mutable_patch_test_waived()->set_reason("declined");
          } else {
            e.mutable_patch_test_applied()->set_location_id(client.location);
            *e.mutable_patch_test_applied()->mutable_applied_at() =
                domain::ToProto(client.next_start - absl::Hours(100));
          }
          break;
        case 6:
          e.mutable_patch_test_read()->set_result(ev::PATCH_TEST_RESULT_PASSED);
          break;
        case 7:
          e.mutable_plan_agreed()->set_course_number(1);
          e.mutable_plan_agreed()->set_planned_sessions(client.planned);
          e.mutable_plan_agreed()->set_recommended_sessions(client.planned);
          break;
        default: {
          // Sessions: schedule, then complete / cancel / no-show; occasional extras.
          if (!client.awaiting_outcome) {
            if (client.session >= client.planned) {
              if (chance(20)) {
                ev::ClientEvent amended;
                amended.mutable_record_amended()->set_amended_event_id("w1");
                amended.mutable_record_amended()->set_field("notes");
                amended.mutable_record_amended()->set_reason("typo");
                writer.Append(stream, amended);
              }
              e.mutable_course_completed()->set_course_number(1);
              e.mutable_course_completed()->set_sessions_completed(client.planned);
              *e.mutable_course_completed()->mutable_touch_up_due_at() =
                  domain::ToProto(client.next_start + absl::Hours(24 * 1095));
              writer.Append(stream, e);
              if (chance(30)) {
                ev::ClientEvent touch_up;
                touch_up.mutable_plan_agreed()->set_course_number(2);
                touch_up.mutable_plan_agreed()->set_touch_up(true);
                touch_up.mutable_plan_agreed()->set_planned_sessions(1);
                writer.Append(stream, touch_up);
              } else if (chance(20)) {
                ev::ClientEvent moved;
                moved.mutable_home_location_changed()->set_from_location_id(client.location);
                moved.mutable_home_location_changed()->set_to_location_id("loc-0");
                writer.Append(stream, moved);
              }
              client.done = true;
              continue;
            }
            const std::string booking_id = absl::StrCat("bk-", ++booking);
            const int number = client.session + 1;
            e.mutable_session_scheduled()->set_session_number(number);
            e.mutable_session_scheduled()->set_location_id(client.location);
            e.mutable_session_scheduled()->set_artist_id(client.artist);
            *e.mutable_session_scheduled()->mutable_start_time() =
                domain::ToProto(client.next_start);
            e.mutable_session_scheduled()->set_expected_duration_minutes(number == 1 ? 300 : 180);
            e.mutable_session_scheduled()->set_booking_id(booking_id);
            ev::ArtistEvent booked;
            booked.mutable_booked()->set_booking_id(booking_id);
            booked.mutable_booked()->set_client_id(client.id);
            booked.mutable_booked()->set_location_id(client.location);
            *booked.mutable_booked()->mutable_start_time() = domain::ToProto(client.next_start);
            booked.mutable_booked()->set_duration_minutes(number == 1 ? 300 : 180);
            writer.AppendMany({{stream, Typed(e)}, {"artist-" + client.artist, Typed(booked)}});
            client.awaiting_outcome = true;
            continue;
          }
          const int roll = std::uniform_int_distribution<int>(0, 99)(random);
          if (roll < 10) {
            e.mutable_session_cancelled()->set_session_number(client.session + 1);
            e.mutable_session_cancelled()->set_late(roll < 4);
            ev::ArtistEvent released;
            released.mutable_booking_released()->set_booking_id(absl::StrCat("bk-", booking));
            writer.AppendMany({{stream, Typed(e)}, {"artist-" + client.artist, Typed(released)}});
          } else if (roll < 18) {
            e.mutable_session_no_show()->set_session_number(client.session + 1);
            writer.Append(stream, e);
          } else {
            ++client.session;
            e.mutable_session_completed()->set_session_number(client.session);
            auto* record = e.mutable_session_completed()->mutable_record();
            record->set_actual_duration_minutes(150 + roll);
            record->mutable_pigment()->set_brand("Ink");
            record->mutable_pigment()->set_lot("L1");
            record->set_density_level(3);
            writer.Append(stream, e);
            if (roll > 90) {
              ev::ClientEvent revised;
              revised.mutable_plan_revised()->set_planned_sessions(++client.planned);
              revised.mutable_plan_revised()->set_reason(ev::PLAN_REVISION_REASON_FADING);
              writer.Append(stream, revised);
            } else if (roll == 42) {
              ev::ClientEvent hold;
              hold.mutable_put_on_hold()->set_reason("travel");
              writer.Append(stream, hold);
              ev::ClientEvent resumed;
              resumed.mutable_resumed();
              writer.Append(stream, resumed);
            }
          }
          client.next_start += absl::Hours(24 * (14 + roll % 10));
          client.awaiting_outcome = false;
          continue;
        }
      }
      writer.Append(stream, e);
      if (client.step == 6 && e.has_patch_test_waived()) client.step = 7;  // Nothing to read.
      if (client.id == "cl-7" && client.step == 4) {
        ev::ClientEvent discontinued;
        discontinued.mutable_discontinued()->set_reason("moved abroad");
        writer.Append(stream, discontinued);
        client.done = true;
      }
    }
  }
  return writer.count();
}

}  // namespace stipple::testing
