#include "services/log.h"

#include <unistd.h>

#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace stipple::services {

void Log(LogLevel level, std::string_view message) {
  const char* tag = level == LogLevel::kInfo ? " I " : level == LogLevel::kWarning ? " W " : " E ";
  std::string line = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line += tag;
  line.append(message.data(), message.size());
  line += '\n';
  // A single write(2) keeps the line whole; a short write to stderr is not worth retrying.
  [[maybe_unused]] ssize_t written = write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace stipple::services
