#include "projections/read_models.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "eventstore/rocksdb_status.h"
#include "projections/artist_schedule.h"
#include "projections/client_history.h"
#include "projections/client_summary.h"

namespace stipple::projections {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr absl::Duration kStalledAfter = absl::Hours(24 * 30);

// Calls `visit(key, value)` for keys in [lower, upper) in order until it returns false.
template <typename Visit>
absl::Status Scan(const Generation& generation, const std::string& lower, const std::string& upper,
                  Visit visit) {
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(generation.db()->NewIterator(read, generation.handle()));
  for (it->Seek(lower); it->Valid(); it->Next()) {
    if (!visit(it->key().ToString(), it->value())) break;
  }
  if (!it->status().ok()) return eventstore::FromRocksDb(it->status(), "scanning a read model");
  return absl::OkStatus();
}

// The smallest string greater than every string starting with `prefix`.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

template <typename Message>
absl::StatusOr<bool> GetProto(const Generation& generation, const std::string& key,
                              Message* message) {
  std::string value;
  rocksdb::Status s =
      generation.db()->Get(rocksdb::ReadOptions(), generation.handle(), key, &value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return eventstore::FromRocksDb(s, "reading a read model");
  if (!message->ParseFromString(value)) {
    return absl::DataLossError("read model entry " + key + " does not parse");
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReadModels>> ReadModels::Start(eventstore::EventStore& store,
                                                              const std::string& path,
                                                              RunnerOptions options) {
  absl::StatusOr<std::unique_ptr<ReadModelDb>> db = ReadModelDb::Open(path);
  if (!db.ok()) return db.status();
  std::unique_ptr<ReadModels> models(new ReadModels(store, *std::move(db)));
  auto make = [&](std::unique_ptr<Projection> projection) {
    return std::make_unique<ProjectionRunner>(store, *models->db_, std::move(projection), options);
  };
  models->summaries_ = make(std::make_unique<ClientSummaryProjection>());
  models->histories_ = make(std::make_unique<ClientHistoryProjection>());
  models->schedules_ = make(std::make_unique<ArtistScheduleProjection>());
  models->reports_ = make(std::make_unique<ReportsProjection>());
  for (ProjectionRunner* runner : {models->summaries_.get(), models->histories_.get(),
                                   models->schedules_.get(), models->reports_.get()}) {
    if (absl::Status s = runner->Start(); !s.ok()) return s;
  }
  return models;
}

ReadModels::~ReadModels() {
  for (auto* runner : {&summaries_, &histories_, &schedules_, &reports_}) runner->reset();
}

ProjectionRunner* ReadModels::runner(const std::string& name) const {
  for (ProjectionRunner* runner :
       {summaries_.get(), histories_.get(), schedules_.get(), reports_.get()}) {
    if (runner->name() == name) return runner;
  }
  return nullptr;
}

absl::Status ReadModels::WaitFor(const std::vector<const ProjectionRunner*>& runners,
                                 eventstore::GlobalPosition position, absl::Time deadline) const {
  if (position == 0) return absl::OkStatus();
  for (const ProjectionRunner* runner : runners) {
    if (absl::Status s = runner->WaitFor(position, deadline); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<rm::ClientSummary> ReadModels::ClientSummary(const std::string& client_id,
                                                            absl::Time now,
                                                            eventstore::GlobalPosition min_position,
                                                            absl::Time deadline) const {
  if (absl::Status s = WaitFor({summaries_.get()}, min_position, deadline); !s.ok()) return s;
  rm::ClientSummary summary;
  absl::StatusOr<bool> found = GetProto(*summaries_->serving(), SummaryKey(client_id), &summary);
  if (!found.ok()) return found.status();
  if (!*found) return absl::NotFoundError("client '" + client_id + "' does not exist");
  return AsSeenAt(std::move(summary), now);
}

absl::StatusOr<std::vector<rm::HistoryEntry>> ReadModels::ClientHistory(
    const std::string& client_id, eventstore::GlobalPosition min_position,
    absl::Time deadline) const {
  if (absl::Status s = WaitFor({histories_.get()}, min_position, deadline); !s.ok()) return s;
  std::vector<rm::HistoryEntry> entries;
  absl::Status parse_error;
  const std::string prefix = HistoryPrefix(client_id);
  absl::Status scanned = Scan(
      *histories_->serving(), prefix, PrefixEnd(prefix),
      [&](const std::string&, const rocksdb::Slice& value) {
        if (!entries.emplace_back().ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          parse_error = absl::DataLossError("history entry does not parse");
          return false;
        }
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!parse_error.ok()) return parse_error;
  if (entries.empty()) return absl::NotFoundError("client '" + client_id + "' does not exist");
  // Link each amendment to the entry it corrects.
  absl::flat_hash_map<std::string, rm::HistoryEntry*> by_id;
  for (rm::HistoryEntry& entry : entries) by_id[entry.event_id()] = &entry;
  for (const rm::HistoryEntry& entry : entries) {
    if (entry.amends_event_id().empty()) continue;
    if (auto it = by_id.find(entry.amends_event_id()); it != by_id.end()) {
      it->second->add_amended_by(entry.event_id());
    }
  }
  return entries;
}

absl::StatusOr<ClientPage> ReadModels::ListClients(const ClientQuery& query, absl::Time now,
                                                   int page_size, const std::string& page_token,
                                                   eventstore::GlobalPosition min_position,
                                                   absl::Time deadline) const {
  if (absl::Status s = WaitFor({summaries_.get()}, min_position, deadline); !s.ok()) return s;
  if (page_size <= 0) page_size = kDefaultPageSize;
  page_size = std::min(page_size, kMaxPageSize);
  std::string lower, upper;
  const std::string separator(1, '\0');
  rm::Phase want_phase = rm::PHASE_UNSPECIFIED;  // Re-checked when read (time-dependent phases).
  switch (query.by) {
    case ClientQuery::By::kLocation:
      lower = kByLocation + query.location_id + separator;
      upper = PrefixEnd(lower);
      break;
    case ClientQuery::By::kPhase:
      if (query.phase == rm::PHASE_TOUCH_UP_DUE) {
        lower = kByTouchUpDue;
        upper = kByTouchUpDue + TimeSortPart(now + absl::Seconds(1));
      } else {
        lower = kByPhase + PhaseSortPart(query.phase) + separator;
        upper = PrefixEnd(lower);
      }
      want_phase = query.phase;
      break;
    case ClientQuery::By::kNamePrefix:
      lower = kByName + NameSortPart(query.name_prefix);
      upper = PrefixEnd(lower);
      break;
    case ClientQuery::By::kTouchUpDueBefore:
      lower = kByTouchUpDue;
      upper = kByTouchUpDue + TimeSortPart(query.before);
      break;
    case ClientQuery::By::kStalled:
      lower = kByIdleSince;
      upper = kByIdleSince + TimeSortPart(now - kStalledAfter);
      break;
  }
  if (!page_token.empty()) {
    std::string after;
    if (!absl::WebSafeBase64Unescape(page_token, &after) || after < lower) {
      return absl::InvalidArgumentError("page_token: not a token this query returned");
    }
    lower = after + separator;  // Strictly after the last key of the previous page.
  }
  std::shared_ptr<Generation> generation = summaries_->serving();
  ClientPage page;
  std::string last_key;
  absl::Status read_error;
  absl::Status scanned =
      Scan(*generation, lower, upper, [&](const std::string& key, const rocksdb::Slice&) {
        const std::string client_id = key.substr(key.rfind('\0') + 1);
        rm::ClientSummary summary;
        absl::StatusOr<bool> found = GetProto(*generation, SummaryKey(client_id), &summary);
        if (!found.ok()) {
          read_error = found.status();
          return false;
        }
        summary = AsSeenAt(std::move(summary), now);
        if (*found && (want_phase == rm::PHASE_UNSPECIFIED || summary.phase() == want_phase)) {
          if (static_cast<int>(page.clients.size()) == page_size) {
            page.next_page_token = absl::WebSafeBase64Escape(last_key);
            return false;
          }
          page.clients.push_back(std::move(summary));
        }
        last_key = key;
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!read_error.ok()) return read_error;
  return page;
}

absl::StatusOr<std::vector<rm::ScheduleEntry>> ReadModels::ArtistSchedule(
    const std::string& artist_id, absl::Time from, absl::Time to,
    eventstore::GlobalPosition min_position, absl::Time deadline) const {
  if (absl::Status s = WaitFor({schedules_.get()}, min_position, deadline); !s.ok()) return s;
  std::vector<rm::ScheduleEntry> entries;
  const std::string prefix = SchedulePrefix(artist_id);
  absl::Status scanned =
      Scan(*schedules_->serving(), prefix + TimeSortPart(from), prefix + TimeSortPart(to),
           [&](const std::string&, const rocksdb::Slice& value) {
             entries.emplace_back().ParseFromArray(value.data(), static_cast<int>(value.size()));
             return true;
           });
  if (!scanned.ok()) return scanned;
  return entries;
}

absl::StatusOr<rm::ReportCounters> ReadModels::ReportCounters(
    const std::string& location_id, Period period, const std::string& period_key,
    eventstore::GlobalPosition min_position, absl::Time deadline) const {
  if (absl::Status s = WaitFor({reports_.get(), summaries_.get()}, min_position, deadline);
      !s.ok()) {
    return s;
  }
  const std::string where = location_id.empty() ? kChainLocation : location_id;
  // The period's counters, then each artist's minutes (their keys extend the counters' key),
  // through one iterator: one consistent view, never counters and minutes of different batches.
  // The minutes add to what counters folded before they had entries of their own may hold.
  const std::string counters_key = ReportKey(where, period, period_key);
  const std::string prefix = ArtistMinutesPrefix(where, period, period_key);
  rm::ReportCounters counters;
  absl::Status parse_error;
  absl::Status scanned =
      Scan(*reports_->serving(), counters_key, PrefixEnd(prefix),
           [&](const std::string& key, const rocksdb::Slice& value) {
             const int size = static_cast<int>(value.size());
             if (key == counters_key) {
               if (!counters.ParseFromArray(value.data(), size)) {
                 parse_error = absl::DataLossError("report counters do not parse");
               }
               return parse_error.ok();
             }
             if (!absl::StartsWith(key, prefix)) return true;
             rm::ArtistMinutes minutes;
             if (!minutes.ParseFromArray(value.data(), size)) {
               parse_error = absl::DataLossError("artist minutes entry does not parse");
               return false;
             }
             const std::string artist = key.substr(prefix.size());
             if (minutes.has_booked()) {
               (*counters.mutable_artist_minutes_booked())[artist] += minutes.booked();
             }
             if (minutes.has_completed()) {
               (*counters.mutable_artist_minutes_completed())[artist] += minutes.completed();
             }
             return true;
           });
  if (!scanned.ok()) return scanned;
  if (!parse_error.ok()) return parse_error;
  return counters;
}

absl::StatusOr<int64_t> ReadModels::TouchUpsDue(const std::string& location_id, absl::Time from,
                                                absl::Time to) const {
  std::shared_ptr<Generation> generation = summaries_->serving();
  int64_t count = 0;
  absl::Status scanned =
      Scan(*generation, kByTouchUpDue + TimeSortPart(from), kByTouchUpDue + TimeSortPart(to),
           [&](const std::string& key, const rocksdb::Slice&) {
             if (location_id.empty()) {
               ++count;
               return true;
             }
             rm::ClientSummary summary;
             absl::StatusOr<bool> found =
                 GetProto(*generation, SummaryKey(key.substr(key.rfind('\0') + 1)), &summary);
             if (found.ok() && *found && summary.home_location_id() == location_id) ++count;
             return true;
           });
  if (!scanned.ok()) return scanned;
  return count;
}

absl::StatusOr<rm::ClientSummary> ReadModels::ClientSummaryAsOf(
    const std::string& client_id, std::optional<eventstore::GlobalPosition> position,
    std::optional<absl::Time> time) const {
  rm::ClientSummary summary;
  bool any = false;
  absl::Time last_recorded = absl::InfinitePast();
  for (eventstore::StreamVersion from = 1;;) {
    absl::StatusOr<eventstore::StreamSlice> slice =
        store_.ReadStream("client-" + client_id, from, eventstore::ReadDirection::kForwards, 1000);
    if (!slice.ok()) return slice.status();
    for (const eventstore::RecordedEvent& event : slice->events) {
      if ((position && event.position > *position) || (time && event.recorded_at > *time)) {
        slice->end_of_stream = true;
        break;
      }
      events::v1::ClientEvent client_event;
      if (!client_event.ParseFromString(event.payload)) {
        return absl::DataLossError("client event does not parse");
      }
      ApplyToSummary(client_event, event, summary);
      last_recorded = event.recorded_at;
      any = true;
      from = event.stream_version + 1;
    }
    if (slice->end_of_stream || slice->events.empty()) break;
  }
  if (!any) return absl::NotFoundError("client '" + client_id + "' had no events by then");
  return AsSeenAt(std::move(summary), time.value_or(last_recorded));
}

std::vector<Lag> ReadModels::Status() const {
  const eventstore::GlobalPosition head = store_.HeadPosition();
  std::vector<Lag> out;
  for (const ProjectionRunner* runner :
       {summaries_.get(), histories_.get(), schedules_.get(), reports_.get()}) {
    const eventstore::GlobalPosition checkpoint = runner->checkpoint();
    out.push_back({.name = runner->name(),
                   .checkpoint = checkpoint,
                   .lag = head > checkpoint ? head - checkpoint : 0,
                   .rebuilding = runner->rebuilding(),
                   .compacting = runner->compacting(),
                   .health = runner->health(),
                   .compaction_failure = runner->compaction_failure()});
  }
  return out;
}

absl::Status ReadModels::Rebuild(const std::string& name) {
  ProjectionRunner* found = runner(name);
  if (found == nullptr) return absl::NotFoundError("no projection named '" + name + "'");
  return found->StartRebuild();
}

}  // namespace stipple::projections
