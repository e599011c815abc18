// Query latency as the data grows: a client summary and a location's monthly report, asked over
// gRPC of an in-process server, with the read models holding a small and a large number of
// clients (each registered and consulted), in one run; the two sizes are asked in turn.
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

// One size of read models: folded, settled, and served by an in-process server of its own.
struct Dataset {
  int64_t clients = 0;
  double fold_events_per_second = 0;
  // After the fold, until the read models' compactions were done and the disk was quiet.
  double settle_seconds = 0;
  std::string summary_files_by_level;  // The client summary's table files when measured.
  std::unique_ptr<eventstore::RocksDbEventStore> store;
  std::unique_ptr<projections::ReadModels> models;
  std::unique_ptr<services::StippleServer> server;
  std::unique_ptr<api::QueryService::Stub> queries;
  std::vector<double> summary_ms, report_ms;
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

std::unique_ptr<Dataset> Prepare(int64_t clients, const std::string& dir) {
  auto data = std::make_unique<Dataset>();
  data->clients = clients;
  std::filesystem::remove_all(dir);
  eventstore::RocksDbEventStoreOptions options;
  options.path = dir + "/events";
  auto store = eventstore::RocksDbEventStore::Open(options);
  if (!store.ok()) std::exit(1);
  data->store = *std::move(store);
  const int64_t events = WriteClientLog(*data->store, clients);

  const absl::Time fold_start = absl::Now();
  auto models = projections::ReadModels::Start(*data->store, dir + "/read_models");
  if (!models.ok()) std::exit(1);
  data->models = *std::move(models);
  for (const char* name : {"client_summary", "client_history", "artist_schedule", "reports"}) {
    if (!data->models->runner(name)
             ->WaitFor(data->store->HeadPosition(), absl::InfiniteFuture())
             .ok()) {
      std::exit(1);
    }
  }
  data->fold_events_per_second = events / absl::ToDoubleSeconds(absl::Now() - fold_start);
  // Latency is measured on settled read models, as a server serves them between rebuilds: right
  // after a large fold, its compactions compete with the queries for the 2 cores for a while.
  const absl::Time settle_start = absl::Now();
  for (const char* name : {"client_summary", "client_history", "artist_schedule", "reports"}) {
    const projections::ProjectionRunner* runner = data->models->runner(name);
    const std::shared_ptr<projections::Generation> serving = runner->serving();
    while (runner->compacting() || Busy(*serving)) absl::SleepFor(absl::Milliseconds(100));
  }
  WaitForQuietDisk();
  data->summary_files_by_level = data->models->runner("client_summary")->serving()->FilesByLevel();
  data->settle_seconds = absl::ToDoubleSeconds(absl::Now() - settle_start);

  auto server = services::StippleServer::Start("127.0.0.1:0", *data->store, data->models.get());
  if (!server.ok()) std::exit(1);
  data->server = *std::move(server);
  data->queries = api::QueryService::NewStub(
      grpc::CreateChannel(data->server->address(), grpc::InsecureChannelCredentials()));
  return data;
}

void AskSummary(Dataset& data, std::mt19937_64& random, bool record) {
  api::GetClientSummaryRequest request;
  request.set_client_id(BenchClientId(static_cast<int64_t>(random() % data.clients)));
  projections::v1::ClientSummary summary;
  grpc::ClientContext context;
  const absl::Time start = absl::Now();
  if (!data.queries->GetClientSummary(&context, request, &summary).ok()) std::exit(1);
  if (record) data.summary_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
}

void AskReport(Dataset& data, std::mt19937_64& random, bool record) {
  api::GetReportRequest request;
  request.set_location_id(BenchLocationId(static_cast<int>(random() % kBenchLocations)));
  request.set_granularity(api::GRANULARITY_MONTH);
  request.set_period("2026-11");
  api::Report report;
  grpc::ClientContext context;
  const absl::Time start = absl::Now();
  if (!data.queries->GetReport(&context, request, &report).ok()) std::exit(1);
  if (record) data.report_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  if (report.counters().consultations() == 0) {
    std::fprintf(stderr, "the report counts no consultations\n");
    std::exit(1);
  }
}

// The sizes are asked in turn, a block of queries each (the first every other time), so that the
// machine's slower and faster spells fall on both alike. Blocks, not single queries: a server
// whose threads went idle during the other's queries answers its first few slower, and that
// switch is the benchmark's, not a server's: the first queries of each block are not recorded.
constexpr int kBlock = 250, kRecordedPerBlock = 200;

void MeasureInterleaved(Dataset& small, Dataset& large) {
  std::mt19937_64 random(7);
  const int count = absl::GetFlag(FLAGS_queries);
  for (auto ask : {&AskSummary, &AskReport}) {
    for (int block = -4; block * kRecordedPerBlock < count; ++block) {  // Four warm up.
      Dataset& first = block % 2 == 0 ? small : large;
      Dataset& second = block % 2 == 0 ? large : small;
      for (Dataset* data : {&first, &second}) {
        for (int i = 0; i < kBlock; ++i) {
          ask(*data, random, block >= 0 && i >= kBlock - kRecordedPerBlock);
        }
      }
    }
  }
}

// Rounds of this many recorded queries per size (10 blocks each) give a p99 ratio each: a spell of
// noise that falls on one size's blocks moves one round's ratio, not the median over the rounds.
constexpr size_t kRoundQueries = 10 * kRecordedPerBlock;

// Each round's p99 ratio (large over small), sorted.
std::vector<double> RoundRatios(const std::vector<double>& small,
                                const std::vector<double>& large) {
  std::vector<double> ratios;
  for (size_t from = 0; from + kRoundQueries <= std::min(small.size(), large.size());
       from += kRoundQueries) {
    auto round = [from](const std::vector<double>& ms) {
      return Percentile(std::vector<double>(ms.begin() + from, ms.begin() + from + kRoundQueries),
                        0.99);
    };
    ratios.push_back(round(large) / round(small));
  }
  std::sort(ratios.begin(), ratios.end());
  return ratios;
}

void PrintRow(const char* query, const std::vector<double>& small,
              const std::vector<double>& large) {
  const std::vector<double> rounds = RoundRatios(small, large);
  std::printf("%-24s %9.3f %9.3f %9.3f %9.3f %9.2f %8.2f %5.2f-%.2f\n", query,
              Percentile(small, 0.5), Percentile(small, 0.99), Percentile(large, 0.5),
              Percentile(large, 0.99), Percentile(large, 0.99) / Percentile(small, 0.99),
              Median(rounds), rounds.empty() ? 0 : rounds.front(),
              rounds.empty() ? 0 : rounds.back());
}

void Close(Dataset& data) {
  data.server->Shutdown(absl::Seconds(1));
  data.server.reset();
  data.models.reset();
  data.store.reset();
}

}  // namespace
}  // namespace stipple::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  stipple::services::ApplyProductionProcessSettings();
  using namespace stipple::bench;
  const std::string dir = absl::GetFlag(FLAGS_bench_dir) + "/query_bench";
  const int64_t small = absl::GetFlag(FLAGS_small), large = absl::GetFlag(FLAGS_large);
  std::unique_ptr<Dataset> s = Prepare(small, dir + "/small");
  std::unique_ptr<Dataset> l = Prepare(large, dir + "/large");
  MeasureInterleaved(*s, *l);
  Close(*s);
  Close(*l);
  std::filesystem::remove_all(dir);
  std::printf("\nQuery latency over gRPC (one caller), read models of %lld and %lld clients\n",
              static_cast<long long>(small), static_cast<long long>(large));
  std::printf(
      "(the sizes asked in turn, %d queries at a time, the last %d of each recorded; p99 ratio "
      "pooled, and per round of %zu queries per size: median, range)\n",
      kBlock, kRecordedPerBlock, kRoundQueries);
  std::printf("%-24s %9s %9s %9s %9s %9s %8s %9s\n", "query (ms)", "small p50", "small p99",
              "large p50", "large p99", "p99 ratio", "median", "range");
  PrintRow("client summary", s->summary_ms, l->summary_ms);
  PrintRow("location monthly report", s->report_ms, l->report_ms);
  std::printf(
      "(folding these logs into the read models: %.0f and %.0f events/s; then %.1f and %.1f s "
      "until their compactions were done and nothing was written for 2 s)\n",
      s->fold_events_per_second, l->fold_events_per_second, s->settle_seconds, l->settle_seconds);
  std::printf("(client summary's table files by level when measured: %s and %s)\n",
              s->summary_files_by_level.empty() ? "none" : s->summary_files_by_level.c_str(),
              l->summary_files_by_level.empty() ? "none" : l->summary_files_by_level.c_str());
  return 0;
}
