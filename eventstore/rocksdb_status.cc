#include "eventstore/rocksdb_status.h"

#include "absl/strings/str_cat.h"

namespace stipple::eventstore {

absl::Status FromRocksDb(const rocksdb::Status& status, const std::string& context) {
  std::string message = absl::StrCat(context, ": ", status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsNoSpace() || status.IsMemoryLimit()) return absl::ResourceExhaustedError(message);
  if (status.IsIOError() || status.IsBusy() || status.IsTimedOut() || status.IsTryAgain() ||
      status.IsShutdownInProgress() || status.IsAborted()) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

}  // namespace stipple::eventstore
