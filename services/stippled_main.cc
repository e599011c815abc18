// stippled: the Stipple server and composition root. Opens the event store, serves gRPC, and on
// SIGTERM or SIGINT drains in-flight calls and closes the store cleanly.

#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "eventstore/rocksdb_event_store.h"
#include "services/log.h"
#include "services/process_settings.h"
#include "services/projection_watch.h"
#include "services/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "HOST:PORT to serve gRPC on; port 0 picks one");
ABSL_FLAG(std::string, data_dir, "./data", "directory of the embedded RocksDB event store");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "how long in-flight calls may run after SIGTERM before they are cancelled");

namespace {

using stipple::services::Log;
using stipple::services::LogLevel;

// Blocks SIGTERM and SIGINT in this thread and every thread started after it, so that only the
// waiter thread below receives them (via sigwait) instead of an arbitrary one.
sigset_t BlockShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("stippled --listen=HOST:PORT --data_dir=DIR");
  absl::ParseCommandLine(argc, argv);
  stipple::services::ApplyProductionProcessSettings();
  sigset_t shutdown_signals = BlockShutdownSignals();

  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  stipple::eventstore::RocksDbEventStoreOptions store_options;
  store_options.path = data_dir + "/events";
  auto store = stipple::eventstore::RocksDbEventStore::Open(store_options);
  if (!store.ok()) {
    Log(LogLevel::kError, absl::StrCat("cannot open the event store: ", store.status().ToString()));
    return EXIT_FAILURE;
  }
  Log(LogLevel::kInfo, absl::StrCat("event store ", store_options.path, " open at position ",
                                    (*store)->HeadPosition()));

  // The read models catch up from their checkpoints in the background; queries wait for them
  // only as far as a caller's min_position asks.
  auto models = stipple::projections::ReadModels::Start(**store, data_dir + "/read_models");
  if (!models.ok()) {
    Log(LogLevel::kError,
        absl::StrCat("cannot start the projections: ", models.status().ToString()));
    return EXIT_FAILURE;
  }

  // A projection that stops following the log, or a compaction that fails, is logged.
  auto watch = std::make_unique<stipple::services::ProjectionWatch>(**models, absl::Seconds(5));

  auto server =
      stipple::services::StippleServer::Start(absl::GetFlag(FLAGS_listen), **store, models->get());
  if (!server.ok()) {
    Log(LogLevel::kError, server.status().ToString());
    return EXIT_FAILURE;
  }
  Log(LogLevel::kInfo, absl::StrCat("stippled listening on ", (*server)->address()));

  std::thread signal_waiter([&shutdown_signals, &server] {
    int signal_number = 0;
    sigwait(&shutdown_signals, &signal_number);
    Log(LogLevel::kInfo, absl::StrCat("received ", strsignal(signal_number), "; draining calls"));
    (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace));
  });
  (*server)->Wait();
  signal_waiter.join();
  server->reset();
  watch.reset();
  models->reset();  // Stops the projections before the store they read closes.
  store->reset();
  Log(LogLevel::kInfo, "stippled stopped");
  return EXIT_SUCCESS;
}
