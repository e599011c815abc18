#ifndef STIPPLE_SERVICES_PROCESS_SETTINGS_H_
#define STIPPLE_SERVICES_PROCESS_SETTINGS_H_

// Process-wide settings of a production stippled, shared with the benchmarks that host its parts
// in their own process so that they measure what stippled runs.

#include "absl/synchronization/mutex.h"

namespace stipple::services {

inline void ApplyProductionProcessSettings() {
  // Debian builds Abseil without NDEBUG, which leaves absl::Mutex's deadlock detection on: every
  // lock (gRPC's mutexes are absl::Mutex too) updates a global lock-order graph. It cost ~4 % of
  // the server's CPU under command load (perf). Tests keep it on, where it finds lock-order bugs.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_PROCESS_SETTINGS_H_
