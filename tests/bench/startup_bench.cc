// Start-up with a large log: stippled (the real binary, as a child process) is launched on a data
// directory holding N events, and timed from launch to its first answered health check; its
// resident memory is read then and ten seconds later (the read models catch up meanwhile).
// Baseline in the same run: launch to serving on an empty data directory.
//
//   startup_bench [--events=10000000] [--bench_dir=DIR]

#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "eventstore/rocksdb_event_store.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "tests/bench/client_log.h"
#include "tests/support/process_status.h"
#include "tests/support/stippled_process.h"

ABSL_FLAG(int64_t, events, 10000000, "events in the log");
ABSL_FLAG(std::string, bench_dir, "./bench-data", "directory on the disk under test");

namespace stipple::bench {
namespace {

struct Start {
  double seconds_to_serving = 0;
  double rss_at_serving_mib = 0;
  double rss_after_10s_mib = 0;
};

Start Launch(const std::string& data_dir) {
  const absl::Time launched = absl::Now();
  testing::StippledProcess stippled(data_dir);
  std::optional<std::string> address = stippled.WaitForLog("listening on ", absl::Minutes(10));
  if (!address.has_value()) {
    std::fprintf(stderr, "stippled did not start:\n%s\n", stippled.log().c_str());
    std::exit(1);
  }
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(*address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_wait_for_ready(true);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  if (!health->Check(&context, request, &response).ok()) std::exit(1);
  Start out;
  out.seconds_to_serving = absl::ToDoubleSeconds(absl::Now() - launched);
  out.rss_at_serving_mib = testing::ProcessStatusMiB(stippled.pid(), "VmRSS");
  absl::SleepFor(absl::Seconds(10));
  out.rss_after_10s_mib = testing::ProcessStatusMiB(stippled.pid(), "VmRSS");
  stippled.Stop(SIGTERM);
  return out;
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

}  // namespace
}  // namespace stipple::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using namespace stipple::bench;
  const std::string root = absl::GetFlag(FLAGS_bench_dir) + "/startup_bench";
  std::filesystem::remove_all(root);
  const Start empty = Launch(root + "/empty");

  const std::string data_dir = root + "/large";
  const absl::Time write_start = absl::Now();
  int64_t events = 0;
  {
    stipple::eventstore::RocksDbEventStoreOptions options;
    options.path = data_dir + "/events";
    auto store = stipple::eventstore::RocksDbEventStore::Open(options);
    if (!store.ok()) return 1;
    events = WriteClientLog(**store, (absl::GetFlag(FLAGS_events) - kBenchLocations) / 2);
  }
  const double write_seconds = absl::ToDoubleSeconds(absl::Now() - write_start);
  const uint64_t log_bytes = DirectoryBytes(data_dir + "/events");
  const Start large = Launch(data_dir);
  std::filesystem::remove_all(root);

  std::printf("\nStart-up of stippled (launch to first answered health check)\n");
  std::printf("log: %lld events, %.1f GiB on disk, written in %.0f s\n",
              static_cast<long long>(events), log_bytes / double(1 << 30), write_seconds);
  std::printf("%-22s %14s %16s %18s\n", "data", "to serving s", "RSS at serving", "RSS 10 s later");
  std::printf("%-22s %14.2f %12.0f MiB %14.0f MiB\n", "empty (baseline)", empty.seconds_to_serving,
              empty.rss_at_serving_mib, empty.rss_after_10s_mib);
  std::printf("%-22s %14.2f %12.0f MiB %14.0f MiB\n", "large log", large.seconds_to_serving,
              large.rss_at_serving_mib, large.rss_after_10s_mib);
  return 0;
}
