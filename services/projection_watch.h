#ifndef STIPPLE_SERVICES_PROJECTION_WATCH_H_
#define STIPPLE_SERVICES_PROJECTION_WATCH_H_

// Logs the read models' troubles as they come and go: a projection that cannot follow the log, a
// compaction that failed, and their recovery. GetProjectionStatus reports the same; the log is
// where an operator without a dashboard finds it.

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "projections/read_models.h"
#include "services/log.h"

namespace stipple::services {

class ProjectionWatch {
 public:
  // Reads `models`' status every `period`, on a thread of its own, until destroyed.
  ProjectionWatch(const projections::ReadModels& models, absl::Duration period);
  ~ProjectionWatch();

  using Line = std::pair<LogLevel, std::string>;
  // What to log for the changes between two readings of the status (projections by name; one
  // absent before counts as healthy). A failure is said again only when its code changes.
  static std::vector<Line> Changes(const std::vector<projections::Lag>& before,
                                   const std::vector<projections::Lag>& now);

 private:
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_PROJECTION_WATCH_H_
