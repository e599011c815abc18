#ifndef STIPPLE_TESTS_BENCH_CPU_TIME_H_
#define STIPPLE_TESTS_BENCH_CPU_TIME_H_

// CPU time taken so far, by this process and by the whole machine. The machine's figure covers
// peers that run in processes of their own (PostgreSQL's server), so two systems measured in one
// run can be compared by the CPU each took per event, not only by their throughput.

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

namespace stipple::bench {

// CPU seconds (user and system) this process has taken so far.
inline double ProcessCpuSeconds() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// CPU seconds every core of the machine has spent busy so far (/proc/stat: user, nice, system,
// irq, softirq and steal; not idle or waiting for I/O); 0 where /proc/stat cannot be read.
inline double MachineBusySeconds() {
  std::FILE* stat = std::fopen("/proc/stat", "r");
  if (stat == nullptr) return 0;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  const int read = std::fscanf(stat, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice,
                               &system, &idle, &iowait, &irq, &softirq, &steal);
  std::fclose(stat);
  if (read != 8) return 0;
  const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  return static_cast<double>(user + nice + system + irq + softirq + steal) / ticks_per_second;
}

// The machine's cores (busy seconds per wall second can reach this).
inline int MachineCores() { return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)); }

}  // namespace stipple::bench

#endif  // STIPPLE_TESTS_BENCH_CPU_TIME_H_
