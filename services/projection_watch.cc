#include "services/projection_watch.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace stipple::services {

ProjectionWatch::ProjectionWatch(const projections::ReadModels& models, absl::Duration period)
    : thread_([this, &models, period] {
        std::vector<projections::Lag> before;
        do {
          std::vector<projections::Lag> now = models.Status();
          for (const auto& [level, message] : Changes(before, now)) Log(level, message);
          before = std::move(now);
        } while (!stop_.WaitForNotificationWithTimeout(period));
      }) {}

ProjectionWatch::~ProjectionWatch() {
  stop_.Notify();
  thread_.join();
}

std::vector<ProjectionWatch::Line> ProjectionWatch::Changes(
    const std::vector<projections::Lag>& before, const std::vector<projections::Lag>& now) {
  absl::flat_hash_map<std::string, const projections::Lag*> previous;
  for (const projections::Lag& lag : before) previous[lag.name] = &lag;
  static const projections::Lag kHealthy;
  std::vector<Line> lines;
  for (const projections::Lag& lag : now) {
    auto it = previous.find(lag.name);
    const projections::Lag& was = it != previous.end() ? *it->second : kHealthy;
    // By code: a full disk's retries each carry a message of their own (a new file's name).
    if (lag.health.code() != was.health.code()) {
      lines.push_back(
          lag.health.ok()
              ? Line(LogLevel::kInfo,
                     absl::StrCat("projection ", lag.name, " follows the log again"))
              : Line(LogLevel::kError,
                     absl::StrCat("projection ", lag.name, " cannot follow the log (checkpoint ",
                                  lag.checkpoint, ", ", lag.lag,
                                  " events behind): ", lag.health.ToString())));
    }
    if (lag.compaction_failure.code() != was.compaction_failure.code()) {
      lines.push_back(
          lag.compaction_failure.ok()
              ? Line(LogLevel::kInfo, absl::StrCat("projection ", lag.name,
                                                   " no longer serves an uncompacted generation"))
              : Line(LogLevel::kWarning,
                     absl::StrCat("projection ", lag.name,
                                  " could not be compacted after its catch-up; it serves "
                                  "uncompacted, with slower look-ups: ",
                                  lag.compaction_failure.ToString())));
    }
  }
  return lines;
}

}  // namespace stipple::services
