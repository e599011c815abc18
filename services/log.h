#ifndef STIPPLE_SERVICES_LOG_H_
#define STIPPLE_SERVICES_LOG_H_

// A one-line logger to stderr. Debian's Abseil has no absl/log and a server this small needs no
// more.

#include <string_view>

namespace stipple::services {

enum class LogLevel { kInfo, kWarning, kError };

// Writes "<UTC time> <level> <message>\n" to stderr in one write, so lines from threads never mix.
void Log(LogLevel level, std::string_view message);

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_LOG_H_
