// Query latency as the data grows: a client summary and a location's monthly report, asked over
// gRPC of an in-process server, with the read models holding a small and a large number of
// clients (each registered and consulted), in one run.
//
//   query_bench [--small=10000] [--large=1000000] [--queries=20000] [--bench_dir=DIR]
//
// Prints p50/p99 per query and size, and the ratio of the large p99 to the small one.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "eventstore/rocksdb_event_store.h"
#include "grpcpp/create_channel.h"
#include "projections/read_models.h"
#include "services/process_settings.h"
#include "services/server.h"
#include "stipple/api/v1/queries.grpc.pb.h"
#include "tests/bench/client_log.h"
#include "tests/bench/percentile.h"

ABSL_FLAG(int64_t, small, 10000, "clients in the small read models");
ABSL_FLAG(int64_t, large, 1000000, "clients in the large read models");
ABSL_FLAG(int, queries, 20000, "queries of each kind per size");
ABSL_FLAG(std::string, bench_dir, "./bench-data", "directory on the disk under test");

namespace stipple::bench {
namespace {

namespace api = stipple::api::v1;

struct Latencies {
  double summary_p50 = 0, summary_p99 = 0, report_p50 = 0, report_p99 = 0;
  double fold_events_per_second = 0;
  // After the fold, until the read models' compactions were done and the disk was quiet.
  double settle_seconds = 0;
  std::string summary_files_by_level;  // The client summary's table files when measured.
};

// Whether RocksDB has background work for the generation queued or running (compactions after
// a large fold).
bool Busy(const projections::Generation& generation) {
  for (const char* property : {"rocksdb.compaction-pending", "rocksdb.num-running-compactions",
                               "rocksdb.mem-table-flush-pending", "rocksdb.num-running-flushes"}) {
    uint64_t value = 0;
    if (generation.db()->GetIntProperty(generation.handle(), property, &value) && value > 0) {
      return true;
    }
  }
  return false;
}

// Bytes this process has had written to storage (Linux /proc/self/io); -1 when unknown.
int64_t WrittenBytes() {
  std::ifstream io("/proc/self/io");
  std::string field;
  int64_t value = 0;
  while (io >> field >> value) {
    if (field == "write_bytes:") return value;
  }
  return -1;
}

// Waits until the process has written nothing for two seconds in a row (at most two minutes):
// the event store's own compactions after writing a large log compete with the queries too.
void WaitForQuietDisk() {
  int64_t last = WrittenBytes();
  for (int quiet = 0, waited = 0; quiet < 2 && waited < 120 && last >= 0; ++waited) {
    absl::SleepFor(absl::Seconds(1));
    const int64_t now = WrittenBytes();
    quiet = now == last ? quiet + 1 : 0;
    last = now;
  }
}

Latencies Measure(int64_t clients, const std::string& dir) {
  std::filesystem::remove_all(dir);
  eventstore::RocksDbEventStoreOptions options;
  options.path = dir + "/events";
  auto store = eventstore::RocksDbEventStore::Open(options);
  if (!store.ok()) std::exit(1);
  const int64_t events = WriteClientLog(**store, clients);

  Latencies out;
  const absl::Time fold_start = absl::Now();
  auto models = projections::ReadModels::Start(**store, dir + "/read_models");
  if (!models.ok()) std::exit(1);
  for (const char* name : {"client_summary", "client_history", "artist_schedule", "reports"}) {
    if (!(*models)->runner(name)->WaitFor((*store)->HeadPosition(), absl::InfiniteFuture()).ok()) {
      std::exit(1);
    }
  }
  out.fold_events_per_second = events / absl::ToDoubleSeconds(absl::Now() - fold_start);
  // Latency is measured on settled read models, as a server serves them between rebuilds: right
  // after a large fold, its compactions compete with the queries for the 2 cores for a while.
  const absl::Time settle_start = absl::Now();
  for (const char* name : {"client_summary", "client_history", "artist_schedule", "reports"}) {
    const projections::ProjectionRunner* runner = (*models)->runner(name);
    const std::shared_ptr<projections::Generation> serving = runner->serving();
    while (runner->compacting() || Busy(*serving)) absl::SleepFor(absl::Milliseconds(100));
  }
  WaitForQuietDisk();
  out.summary_files_by_level = (*models)->runner("client_summary")->serving()->FilesByLevel();
  out.settle_seconds = absl::ToDoubleSeconds(absl::Now() - settle_start);

  auto server = services::StippleServer::Start("127.0.0.1:0", **store, models->get());
  if (!server.ok()) std::exit(1);
  auto queries = api::QueryService::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));
  std::mt19937_64 random(7);
  std::vector<double> summary_ms, report_ms;
  const int count = absl::GetFlag(FLAGS_queries);
  for (int i = -1000; i < count; ++i) {  // The first thousand warm up.
    api::GetClientSummaryRequest request;
    request.set_client_id(BenchClientId(static_cast<int64_t>(random() % clients)));
    projections::v1::ClientSummary summary;
    grpc::ClientContext context;
    const absl::Time start = absl::Now();
    if (!queries->GetClientSummary(&context, request, &summary).ok()) std::exit(1);
    if (i >= 0) summary_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  for (int i = -1000; i < count; ++i) {
    api::GetReportRequest request;
    request.set_location_id(BenchLocationId(static_cast<int>(random() % kBenchLocations)));
    request.set_granularity(api::GRANULARITY_MONTH);
    request.set_period("2026-11");
    api::Report report;
    grpc::ClientContext context;
    const absl::Time start = absl::Now();
    if (!queries->GetReport(&context, request, &report).ok()) std::exit(1);
    if (i >= 0) report_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    if (i == 0 && report.counters().consultations() == 0) {
      std::fprintf(stderr, "the report counts no consultations\n");
      std::exit(1);
    }
  }
  out.summary_p50 = Percentile(summary_ms, 0.5);
  out.summary_p99 = Percentile(summary_ms, 0.99);
  out.report_p50 = Percentile(report_ms, 0.5);
  out.report_p99 = Percentile(report_ms, 0.99);
  (*server)->Shutdown(absl::Seconds(1));
  server->reset();
  models->reset();
  store->reset();
  std::filesystem::remove_all(dir);
  return out;
}

}  // namespace
}  // namespace stipple::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  stipple::services::ApplyProductionProcessSettings();
  using namespace stipple::bench;
  const std::string dir = absl::GetFlag(FLAGS_bench_dir) + "/query_bench";
  const int64_t small = absl::GetFlag(FLAGS_small), large = absl::GetFlag(FLAGS_large);
  const Latencies s = Measure(small, dir);
  const Latencies l = Measure(large, dir);
  std::printf("\nQuery latency over gRPC (one caller), read models of %lld and %lld clients\n",
              static_cast<long long>(small), static_cast<long long>(large));
  std::printf("%-26s %14s %14s %14s %14s %10s\n", "query", "small p50 ms", "small p99 ms",
              "large p50 ms", "large p99 ms", "p99 ratio");
  std::printf("%-26s %14.3f %14.3f %14.3f %14.3f %10.2f\n", "client summary", s.summary_p50,
              s.summary_p99, l.summary_p50, l.summary_p99, l.summary_p99 / s.summary_p99);
  std::printf("%-26s %14.3f %14.3f %14.3f %14.3f %10.2f\n", "location monthly report", s.report_p50,
              s.report_p99, l.report_p50, l.report_p99, l.report_p99 / s.report_p99);
  std::printf(
      "(folding these logs into the read models: %.0f and %.0f events/s; then %.1f and %.1f s "
      "until their compactions were done and nothing was written for 2 s)\n",
      s.fold_events_per_second, l.fold_events_per_second, s.settle_seconds, l.settle_seconds);
  std::printf("(client summary's table files by level when measured: %s and %s)\n",
              s.summary_files_by_level.c_str(), l.summary_files_by_level.c_str());
  return 0;
}
