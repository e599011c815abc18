#ifndef STIPPLE_PROJECTIONS_READ_MODELS_H_
#define STIPPLE_PROJECTIONS_READ_MODELS_H_

// The projections Stipple runs and the queries over their read models. gRPC-free: services/ maps
// these onto the query API.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "eventstore/event_store.h"
#include "projections/projection_runner.h"
#include "projections/read_model_db.h"
#include "projections/reports.h"
#include "stipple/projections/v1/read_models.pb.h"

namespace stipple::projections {

namespace rm = projections::v1;

struct ClientQuery {
  enum class By { kLocation, kPhase, kNamePrefix, kTouchUpDueBefore, kStalled };
  By by = By::kLocation;
  std::string location_id;
  rm::Phase phase = rm::PHASE_UNSPECIFIED;
  std::string name_prefix;
  absl::Time before;
};

struct ClientPage {
  std::vector<rm::ClientSummary> clients;
  std::string next_page_token;
};

struct Lag {
  std::string name;
  eventstore::GlobalPosition checkpoint = 0;
  uint64_t lag = 0;
  bool rebuilding = false;
  bool compacting = false;          // After a large catch-up (ProjectionRunner::compacting).
  absl::Status health;              // Why it stopped following the log (ProjectionRunner::health).
  absl::Status compaction_failure;  // ProjectionRunner::compaction_failure.
};

class ReadModels {
 public:
  // Opens the read-model database at `path` and starts every projection on `store`.
  static absl::StatusOr<std::unique_ptr<ReadModels>> Start(eventstore::EventStore& store,
                                                           const std::string& path,
                                                           RunnerOptions options = {});
  ~ReadModels();  // Stops the projections.

  // Each query first waits until the read models it uses have applied `min_position`, at most
  // until `deadline` (DEADLINE_EXCEEDED). NOT_FOUND for an unknown client.
  absl::StatusOr<rm::ClientSummary> ClientSummary(const std::string& client_id, absl::Time now,
                                                  eventstore::GlobalPosition min_position,
                                                  absl::Time deadline) const;
  absl::StatusOr<std::vector<rm::HistoryEntry>> ClientHistory(
      const std::string& client_id, eventstore::GlobalPosition min_position,
      absl::Time deadline) const;
  absl::StatusOr<ClientPage> ListClients(const ClientQuery& query, absl::Time now, int page_size,
                                         const std::string& page_token,
                                         eventstore::GlobalPosition min_position,
                                         absl::Time deadline) const;
  absl::StatusOr<std::vector<rm::ScheduleEntry>> ArtistSchedule(
      const std::string& artist_id, absl::Time from, absl::Time to,
      eventstore::GlobalPosition min_position, absl::Time deadline) const;
  // Counters of `location_id` ("" = the chain) for one period key; empty counters when nothing
  // happened then.
  absl::StatusOr<rm::ReportCounters> ReportCounters(const std::string& location_id, Period period,
                                                    const std::string& period_key,
                                                    eventstore::GlobalPosition min_position,
                                                    absl::Time deadline) const;
  // Clients (of `location_id`, or all for "") whose touch-up falls in [from, to).
  absl::StatusOr<int64_t> TouchUpsDue(const std::string& location_id, absl::Time from,
                                      absl::Time to) const;

  // The summary as it was after the client's events up to `position` or recorded by `time`,
  // folded from the log.
  absl::StatusOr<rm::ClientSummary> ClientSummaryAsOf(
      const std::string& client_id, std::optional<eventstore::GlobalPosition> position,
      std::optional<absl::Time> time) const;

  std::vector<Lag> Status() const;
  // FAILED_PRECONDITION when already rebuilding; NOT_FOUND for an unknown projection.
  absl::Status Rebuild(const std::string& name);
  ProjectionRunner* runner(const std::string& name) const;

 private:
  ReadModels(eventstore::EventStore& store, std::unique_ptr<ReadModelDb> db)
      : store_(store), db_(std::move(db)) {}
  absl::Status WaitFor(const std::vector<const ProjectionRunner*>& runners,
                       eventstore::GlobalPosition position, absl::Time deadline) const;

  eventstore::EventStore& store_;
  std::unique_ptr<ReadModelDb> db_;
  std::unique_ptr<ProjectionRunner> summaries_;
  std::unique_ptr<ProjectionRunner> histories_;
  std::unique_ptr<ProjectionRunner> schedules_;
  std::unique_ptr<ProjectionRunner> reports_;
};

}  // namespace stipple::projections

#endif  // STIPPLE_PROJECTIONS_READ_MODELS_H_
