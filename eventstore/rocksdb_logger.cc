#include "eventstore/rocksdb_logger.h"

#include <cstdarg>
#include <cstdio>

namespace stipple::eventstore {
namespace {

class StderrLogger : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof(line), format, ap);
    std::fprintf(stderr, "rocksdb: %s\n", line);
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> StderrRocksDbLogger() {
  static const auto logger = std::make_shared<StderrLogger>();
  return logger;
}

}  // namespace stipple::eventstore
