#ifndef STIPPLE_TESTS_SUPPORT_PROCESS_STATUS_H_
#define STIPPLE_TESTS_SUPPORT_PROCESS_STATUS_H_

#include <sys/types.h>

#include <fstream>
#include <string>

namespace stipple::testing {

// A memory line of /proc/<pid>/status ("VmRSS", "VmHWM"...) in MiB; 0 when absent.
inline double ProcessStatusMiB(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with(field + ":")) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  }
  return 0;
}

}  // namespace stipple::testing

#endif  // STIPPLE_TESTS_SUPPORT_PROCESS_STATUS_H_
