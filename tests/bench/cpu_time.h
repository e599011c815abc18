#ifndef STIPPLE_TESTS_BENCH_CPU_TIME_H_
#define STIPPLE_TESTS_BENCH_CPU_TIME_H_

// CPU time taken so far, by this process and by the whole machine. The machine's figure covers
// peers that run in processes of their own (PostgreSQL's server), so two systems measured in one
// run can be compared by the CPU each took per event, not only by their throughput. It covers
// everything else running too: measure on an otherwise idle machine (see MachineBusyShare).

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace stipple::bench {

// CPU seconds (user and system) this process has taken so far.
inline double ProcessCpuSeconds() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// CPU seconds the machine's cores have spent working so far (/proc/stat: user, nice, system, irq
// and softirq). Not idle, not waiting for I/O, and not steal: time the hypervisor gave to other
// guests is no work of ours. Nullopt where /proc/stat cannot be read.
inline std::optional<double> MachineBusySeconds() {
  std::FILE* proc_stat = std::fopen("/proc/stat", "r");
  if (proc_stat == nullptr) return std::nullopt;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  const int fields_read = std::fscanf(proc_stat, "cpu %llu %llu %llu %llu %llu %llu %llu", &user,
                                      &nice, &system, &idle, &iowait, &irq, &softirq);
  std::fclose(proc_stat);
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  if (fields_read != 7 || ticks_per_second <= 0) return std::nullopt;
  return static_cast<double>(user + nice + system + irq + softirq) /
         static_cast<double>(ticks_per_second);
}

// The machine's online cores (busy seconds per wall second can reach this); at least 1.
inline int MachineCores() {
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores > 0 ? static_cast<int>(cores) : 1;
}

// The share (0..1) of the machine's cores that `busy_seconds` over `wall_seconds` kept busy.
inline double ShareOfCores(double busy_seconds, double wall_seconds) {
  return wall_seconds > 0 ? busy_seconds / (wall_seconds * MachineCores()) : 0;
}

// Busy seconds between two readings, if both were read.
inline std::optional<double> BusyBetween(std::optional<double> start, std::optional<double> end) {
  if (!start.has_value() || !end.has_value() || *end < *start) return std::nullopt;
  return *end - *start;
}

// The share (0..1) of the machine's cores that were busy over the next `window`, nothing of ours
// running: what else is using the machine.
inline std::optional<double> MachineBusyShare(absl::Duration window) {
  const std::optional<double> start = MachineBusySeconds();
  absl::SleepFor(window);
  const std::optional<double> busy = BusyBetween(start, MachineBusySeconds());
  if (!busy.has_value()) return std::nullopt;
  return ShareOfCores(*busy, absl::ToDoubleSeconds(window));
}

}  // namespace stipple::bench

#endif  // STIPPLE_TESTS_BENCH_CPU_TIME_H_
