#include "projections/reports.h"

#include <array>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "projections/client_event_types.h"
#include "services/domain/time_convert.h"
#include "stipple/events/v1/events.pb.h"
#include "stipple/projections/v1/read_models.pb.h"

namespace stipple::projections {
namespace {

namespace ev = events::v1;
namespace rm = projections::v1;

std::string ZoneKey(const std::string& location_id) { return "tz/" + location_id; }
std::string FactsKey(const std::string& client_id) { return "f/" + client_id; }
std::string SessionKey(const std::string& client_id) { return "s/" + client_id; }
std::string BookingKey(const std::string& booking_id) { return "b/" + booking_id; }

const char* PeriodName(Period period) {
  switch (period) {
    case Period::kDay:
      return "day";
    case Period::kWeek:
      return "week";
    case Period::kMonth:
      return "month";
  }
  return "?";
}

// Every event the reports count formats three period keys: the digits are written directly, as
// absl::StrFormat was a large part of a rebuild's work (RESULTS.md, "The rebuild: three cuts").
// `value` is 0..99.
void AppendTwoDigits(int value, std::string& key) {
  key.push_back(static_cast<char>('0' + value / 10));
  key.push_back(static_cast<char>('0' + value % 10));
}

void AppendYear(int64_t year, std::string& key) {
  if (year < 0 || year > 9999) {
    absl::StrAppendFormat(&key, "%04d", year);
    return;
  }
  AppendTwoDigits(static_cast<int>(year / 100), key);
  AppendTwoDigits(static_cast<int>(year % 100), key);
}

// PeriodKey of the period containing `day`.
std::string PeriodKeyOf(Period period, absl::CivilDay day) {
  std::string key;
  switch (period) {
    case Period::kDay:
      AppendYear(day.year(), key);
      key.push_back('-');
      AppendTwoDigits(day.month(), key);
      key.push_back('-');
      AppendTwoDigits(day.day(), key);
      break;
    case Period::kMonth:
      AppendYear(day.year(), key);
      key.push_back('-');
      AppendTwoDigits(day.month(), key);
      break;
    case Period::kWeek: {
      // ISO 8601: the week belongs to the year of its Thursday.
      const int weekday = (static_cast<int>(absl::GetWeekday(day)) + 7) % 7;  // Monday = 0.
      const absl::CivilDay thursday = day - weekday + 3;
      AppendYear(thursday.year(), key);
      key.append("-W");
      AppendTwoDigits((absl::GetYearDay(thursday) - 1) / 7 + 1, key);
      break;
    }
  }
  return key;
}

// Between a period's report key and an artist id, in the keys of that artist's minutes.
constexpr char kArtistInfix[] = "/artist/";

// Appends ReportKey(location_id, period, key) to `out`.
void AppendReportKey(const std::string& location_id, Period period, const std::string& key,
                     std::string& out) {
  out.append("r/")
      .append(location_id)
      .append("/")
      .append(PeriodName(period))
      .append("/")
      .append(key);
}

absl::StatusOr<absl::TimeZone> ZoneOf(ModelWriter& model, const std::string& location_id) {
  absl::StatusOr<std::optional<std::string>> name = model.Get(ZoneKey(location_id));
  if (!name.ok()) return name.status();
  absl::TimeZone zone = absl::UTCTimeZone();
  if (name->has_value()) absl::LoadTimeZone(**name, &zone);
  return zone;
}

// What the reports keep across a fold's events (ModelWriter::memo): each location's time zone, and
// the entries counted in at a location on a day, so that an event finds its six entries with one
// small look-up rather than by building six keys and looking each up in the model.
struct CountingMemo {
  absl::flat_hash_map<std::string, absl::TimeZone> zones;
  // By location and day (the days since 1970-01-01 in the location's zone).
  absl::flat_hash_map<std::pair<std::string, int64_t>, std::array<rm::ReportCounters*, 6>> counters;
  // By location, day and artist.
  absl::flat_hash_map<std::tuple<std::string, int64_t, std::string>,
                      std::array<rm::ArtistMinutes*, 6>>
      artist_minutes;
};

int64_t DayNumber(absl::CivilDay day) { return day - absl::CivilDay(1970, 1, 1); }

// The day containing `when` in the location's time zone.
absl::StatusOr<absl::CivilDay> DayAt(ModelWriter& model, const std::string& location_id,
                                     absl::Time when) {
  CountingMemo& memo = model.memo<CountingMemo>();
  auto zone = memo.zones.find(location_id);
  if (zone == memo.zones.end()) {
    absl::StatusOr<absl::TimeZone> loaded = ZoneOf(model, location_id);
    if (!loaded.ok()) return loaded.status();
    zone = memo.zones.emplace(location_id, *loaded).first;
  }
  return absl::ToCivilDay(when, zone->second);
}

// Holds decoded the six `Message` entries an event at the location on `day` counts in: the
// location's and the chain's, for the day, ISO week and month; each at its report key followed by
// `suffix`.
template <typename Message>
absl::Status HoldEntries(ModelWriter& model, const std::string& location_id, absl::CivilDay day,
                         std::string_view suffix, std::array<Message*, 6>& entries) {
  static const std::string chain = kChainLocation;
  size_t next = 0;
  std::string key;  // One buffer for the six keys.
  for (Period period : {Period::kDay, Period::kWeek, Period::kMonth}) {
    const std::string period_key = PeriodKeyOf(period, day);
    for (const std::string* where : {&location_id, &chain}) {
      key.clear();
      AppendReportKey(*where, period, period_key, key);
      key.append(suffix);
      absl::StatusOr<Message*> entry = model.Mutable<Message>(key);
      if (!entry.ok()) return entry.status();
      entries[next++] = *entry;
    }
  }
  return absl::OkStatus();
}

// The entries of `memo_key` in `held` (a map of the memo), held first if the memo lacks them (with
// `suffix()` after their report keys). Valid until the next insert into `held`.
template <typename Message, typename MemoKey, typename Suffix>
absl::StatusOr<const std::array<Message*, 6>*> EntriesOf(
    ModelWriter& model, absl::flat_hash_map<MemoKey, std::array<Message*, 6>>& held,
    MemoKey memo_key, const std::string& location_id, absl::CivilDay day, Suffix suffix) {
  auto [it, inserted] = held.try_emplace(std::move(memo_key));
  if (inserted) {
    if (absl::Status status = HoldEntries(model, location_id, day, suffix(), it->second);
        !status.ok()) {
      held.erase(it);
      return status;
    }
  }
  return &it->second;
}

// Applies `change` to the counters an event at the location on `day` counts in.
template <typename Change>
absl::Status CountOn(ModelWriter& model, const std::string& location_id, absl::CivilDay day,
                     Change change) {
  absl::StatusOr<const std::array<rm::ReportCounters*, 6>*> entries =
      EntriesOf(model, model.memo<CountingMemo>().counters,
                std::pair<std::string, int64_t>(location_id, DayNumber(day)), location_id, day,
                [] { return std::string(); });
  if (!entries.ok()) return entries.status();
  for (rm::ReportCounters* counters : **entries) change(*counters);
  return absl::OkStatus();
}

template <typename Change>
absl::Status Count(ModelWriter& model, const std::string& location_id, absl::Time when,
                   Change change) {
  absl::StatusOr<absl::CivilDay> day = DayAt(model, location_id, when);
  if (!day.ok()) return day.status();
  return CountOn(model, location_id, *day, change);
}

// The same for the artist's minutes.
template <typename Change>
absl::Status CountArtistOn(ModelWriter& model, const std::string& location_id, absl::CivilDay day,
                           const std::string& artist_id, Change change) {
  absl::StatusOr<const std::array<rm::ArtistMinutes*, 6>*> entries = EntriesOf(
      model, model.memo<CountingMemo>().artist_minutes,
      std::tuple<std::string, int64_t, std::string>(location_id, DayNumber(day), artist_id),
      location_id, day, [&artist_id] { return kArtistInfix + artist_id; });
  if (!entries.ok()) return entries.status();
  for (rm::ArtistMinutes* minutes : **entries) change(*minutes);
  return absl::OkStatus();
}

template <typename Change>
absl::Status CountArtist(ModelWriter& model, const std::string& location_id, absl::Time when,
                         const std::string& artist_id, Change change) {
  absl::StatusOr<absl::CivilDay> day = DayAt(model, location_id, when);
  if (!day.ok()) return day.status();
  return CountArtistOn(model, location_id, *day, artist_id, change);
}

// The client events the reports do not count (gates, amendments, moves, ...): not worth decoding
// nor reading the client's entries for.
const ClientEventTypes& UncountedTypes() {
  static const ClientEventTypes uncounted = ClientEventTypes::AllBut(
      {ev::ClientEvent::kConsultationRecorded, ev::ClientEvent::kPlanAgreed,
       ev::ClientEvent::kSessionScheduled, ev::ClientEvent::kSessionCompleted,
       ev::ClientEvent::kSessionNoShow, ev::ClientEvent::kSessionCancelled,
       ev::ClientEvent::kCourseCompleted});
  return uncounted;
}

absl::Status ApplyClientEvent(const ev::ClientEvent& event, const eventstore::RecordedEvent& meta,
                              const std::string& client_id, ModelWriter& model) {
  // Each kind reads only the client's entries it needs.
  rm::ReportClientFacts facts;
  auto read_facts = [&]() -> absl::Status {
    return model.GetProto(FactsKey(client_id), &facts).status();
  };
  rm::ScheduleEntry session;  // The open session, if any.
  // Whether the client has an open session; it is closed (forgotten) as the event ends it.
  auto take_session = [&]() -> absl::StatusOr<bool> {
    absl::StatusOr<bool> open = model.GetProto(SessionKey(client_id), &session);
    if (open.ok() && *open) model.Delete(SessionKey(client_id));
    return open;
  };

  switch (event.event_case()) {
    case ev::ClientEvent::kConsultationRecorded: {
      if (absl::Status read = read_facts(); !read.ok()) return read;
      const auto& c = event.consultation_recorded();
      facts.set_consultation_location_id(c.location_id());
      model.PutProto(FactsKey(client_id), facts);
      const absl::Time when =
          c.has_consulted_at() ? domain::FromProto(c.consulted_at()) : meta.recorded_at;
      return Count(model, c.location_id(), when, [&c](rm::ReportCounters& r) {
        r.set_consultations(r.consultations() + 1);
        for (int reason : c.reasons()) (*r.mutable_extra_session_reasons())[reason]++;
      });
    }
    case ev::ClientEvent::kPlanAgreed: {
      if (absl::Status read = read_facts(); !read.ok()) return read;
      facts.set_touch_up(event.plan_agreed().touch_up());
      facts.clear_last_completed_start();
      model.PutProto(FactsKey(client_id), facts);
      if (event.plan_agreed().touch_up()) return absl::OkStatus();
      const std::string& where = facts.consultation_location_id().empty()
                                     ? meta.metadata.location
                                     : facts.consultation_location_id();
      const absl::Time when = event.plan_agreed().has_agreed_at()
                                  ? domain::FromProto(event.plan_agreed().agreed_at())
                                  : meta.recorded_at;
      return Count(model, where, when,
                   [](rm::ReportCounters& r) { r.set_plans_agreed(r.plans_agreed() + 1); });
    }
    case ev::ClientEvent::kSessionScheduled: {
      const auto& s = event.session_scheduled();
      rm::ScheduleEntry entry;
      entry.set_location_id(s.location_id());
      entry.set_artist_id(s.artist_id());
      *entry.mutable_start_time() = s.start_time();
      entry.set_session_number(s.session_number());
      model.PutProto(SessionKey(client_id), entry);
      return absl::OkStatus();
    }
    case ev::ClientEvent::kSessionCompleted: {
      absl::StatusOr<bool> open = take_session();
      if (!open.ok() || !*open) return open.status();
      if (absl::Status read = read_facts(); !read.ok()) return read;
      const absl::Time start = domain::FromProto(session.start_time());
      const int number = event.session_completed().session_number();
      const int minutes = event.session_completed().record().actual_duration_minutes();
      int gap_days = -1;
      if (facts.has_last_completed_start()) {
        gap_days = static_cast<int>((start - domain::FromProto(facts.last_completed_start())) /
                                    absl::Hours(24));
      }
      *facts.mutable_last_completed_start() = session.start_time();
      facts.set_last_session_location_id(session.location_id());
      model.PutProto(FactsKey(client_id), facts);
      // Touch-up sessions count as sessions and artist time, but not in the statistics of a
      // course by session number (their session 1 is no foundation session).
      const bool course_session = !facts.touch_up();
      // The counters and the artist's minutes count at the same place and time.
      absl::StatusOr<absl::CivilDay> day = DayAt(model, session.location_id(), start);
      if (!day.ok()) return day.status();
      absl::Status counted =
          CountOn(model, session.location_id(), *day, [&](rm::ReportCounters& r) {
            if (course_session) {
              (*r.mutable_sessions_completed_by_number())[number]++;
              (*r.mutable_duration_minutes_by_number())[number] += minutes;
              if (gap_days >= 0) (*r.mutable_days_between_sessions())[gap_days]++;
            }
            r.set_sessions_due(r.sessions_due() + 1);
          });
      if (!counted.ok()) return counted;
      return CountArtistOn(model, session.location_id(), *day, session.artist_id(),
                           [&](rm::ArtistMinutes& a) { a.set_completed(a.completed() + minutes); });
    }
    case ev::ClientEvent::kSessionNoShow: {
      absl::StatusOr<bool> open = take_session();
      if (!open.ok() || !*open) return open.status();
      return Count(model, session.location_id(), domain::FromProto(session.start_time()),
                   [](rm::ReportCounters& r) {
                     r.set_sessions_due(r.sessions_due() + 1);
                     r.set_no_shows(r.no_shows() + 1);
                   });
    }
    case ev::ClientEvent::kSessionCancelled: {
      absl::StatusOr<bool> open = take_session();
      if (!open.ok() || !*open) return open.status();
      const bool late = event.session_cancelled().late();
      return Count(model, session.location_id(), domain::FromProto(session.start_time()),
                   [late](rm::ReportCounters& r) {
                     r.set_cancellations(r.cancellations() + 1);
                     if (late) r.set_late_cancellations(r.late_cancellations() + 1);
                   });
    }
    case ev::ClientEvent::kCourseCompleted: {
      if (absl::Status read = read_facts(); !read.ok()) return read;
      if (facts.touch_up() || !facts.has_last_completed_start()) return absl::OkStatus();
      const int sessions = event.course_completed().sessions_completed();
      return Count(model, facts.last_session_location_id(),
                   domain::FromProto(facts.last_completed_start()),
                   [sessions](rm::ReportCounters& r) {
                     r.set_courses_completed(r.courses_completed() + 1);
                     r.set_course_sessions_total(r.course_sessions_total() + sessions);
                     if (sessions >= 4) {
                       r.set_courses_with_four_or_more(r.courses_with_four_or_more() + 1);
                     }
                   });
    }
    default:
      return absl::OkStatus();
  }
}

absl::Status ApplyArtistEvent(const ev::ArtistEvent& event, const std::string& artist_id,
                              ModelWriter& model) {
  if (event.has_booked()) {
    const ev::ArtistBooked& booked = event.booked();
    rm::ScheduleEntry entry;
    entry.set_artist_id(artist_id);
    entry.set_location_id(booked.location_id());
    *entry.mutable_start_time() = booked.start_time();
    entry.set_duration_minutes(booked.duration_minutes());
    model.PutProto(BookingKey(booked.booking_id()), entry);
    return CountArtist(
        model, booked.location_id(), domain::FromProto(booked.start_time()), artist_id,
        [&](rm::ArtistMinutes& a) { a.set_booked(a.booked() + booked.duration_minutes()); });
  }
  if (event.has_booking_released()) {
    rm::ScheduleEntry entry;
    const std::string key = BookingKey(event.booking_released().booking_id());
    absl::StatusOr<bool> found = model.GetProto(key, &entry);
    if (!found.ok() || !*found) return found.status();
    model.Delete(key);
    return CountArtist(
        model, entry.location_id(), domain::FromProto(entry.start_time()), artist_id,
        [&](rm::ArtistMinutes& a) { a.set_booked(a.booked() - entry.duration_minutes()); });
  }
  return absl::OkStatus();
}

}  // namespace

std::string PeriodKey(Period period, absl::Time time, absl::TimeZone zone) {
  return PeriodKeyOf(period, absl::ToCivilDay(time, zone));
}

std::string ReportKey(const std::string& location_id, Period period, const std::string& key) {
  std::string out;
  AppendReportKey(location_id, period, key, out);
  return out;
}

std::string ArtistMinutesPrefix(const std::string& location_id, Period period,
                                const std::string& key) {
  return ReportKey(location_id, period, key) + kArtistInfix;
}

absl::Status ReportsProjection::Apply(const eventstore::RecordedEvent& event, ModelWriter& model) {
  if (absl::StartsWith(event.stream, "location-")) {
    ev::LocationEvent location_event;
    if (!location_event.ParseFromString(event.payload)) {
      return absl::DataLossError("location event does not parse");
    }
    if (location_event.has_opened()) {
      model.Put(ZoneKey(location_event.opened().location_id()),
                location_event.opened().time_zone());
      model.memo<CountingMemo>().zones.erase(location_event.opened().location_id());
    }
    return absl::OkStatus();
  }
  if (absl::StartsWith(event.stream, "artist-")) {
    ev::ArtistEvent artist_event;
    if (!artist_event.ParseFromString(event.payload)) {
      return absl::DataLossError("artist event does not parse");
    }
    return ApplyArtistEvent(artist_event, event.stream.substr(7), model);
  }
  if (absl::StartsWith(event.stream, "client-")) {
    if (UncountedTypes().Contains(event.type)) return absl::OkStatus();
    ev::ClientEvent client_event;
    if (!client_event.ParseFromString(event.payload)) {
      return absl::DataLossError("client event does not parse");
    }
    return ApplyClientEvent(client_event, event, event.stream.substr(7), model);
  }
  return absl::OkStatus();
}

}  // namespace stipple::projections
