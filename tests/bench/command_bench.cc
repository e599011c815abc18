// Commands end to end over gRPC against a PostgreSQL event table, measured in one run.
//
// Stipple: an in-process server (event store, read models, gRPC on loopback) takes a realistic
// mix of commands (register, consult, consent, plan, schedule, complete, cancel) from N front
// desks, each on its own connection, for a fixed time. Its clock runs fast so booked sessions
// start (and are completed) within the run. The desks work at four locations; each location's
// desks share its twelve artists, so they contend for the artists' streams, and a booking that
// clashes with one already made is tried again with the next artist.
//
// PostgreSQL (postgres_peer.h): the same events, grouped as they were appended, are written by N
// connections into an events table, one transaction per command (the Marten / Message DB way),
// with synchronous_commit=on. The server is started by tests/bench/run.sh.
//
//   command_bench --pg="host=/tmp/x port=5433 dbname=postgres" [--clients=16,64]
//                 [--seconds=20] [--bench_dir=DIR]
// Without --pg only Stipple is measured.
//
// The gRPC floor: the same number of clients call the server's health check (no work at all)
// for the same time, on the same cores. A command can go no faster than that, so the floor bounds
// the ratio any command handling could reach against PostgreSQL on this machine.
//
// gRPC and the store (store_replay.h): Stipple's appends of the run replayed through an
// append-only gRPC service into an empty store, the way the PostgreSQL peer replays them. No
// decision, no idempotency look-up, no read models, no refused bookings: what any command
// handling over gRPC on this store and machine pays at least.
//
// Machine CPU per event: the machine's busy time (/proc/stat, every process) over the events
// written. Stipple's is taken over its measured window (after a warm-up), PostgreSQL's from when
// its connections are open to when the last has written its share (its slower callers finish
// last, on a less busy machine). Work left after a window (compactions, PostgreSQL's
// checkpoints, the kernel's writeback) is counted in neither. Each side's load generator counts:
// Stipple's desks and their gRPC clients, PostgreSQL's libpq callers.

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "eventstore/rocksdb_event_store.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "projections/read_models.h"
#include "services/process_settings.h"
#include "services/server.h"
#include "tests/bench/command_runs.h"
#include "tests/bench/cpu_time.h"
#include "tests/bench/postgres_peer.h"
#include "tests/bench/store_replay.h"
#include "tests/support/front_desk.h"

ABSL_FLAG(std::string, pg, "", "libpq connection string of the PostgreSQL peer; empty: none");
ABSL_FLAG(std::string, clients, "16,64", "concurrent clients to measure, comma-separated");
ABSL_FLAG(int, seconds, 20, "measured seconds per Stipple run");
ABSL_FLAG(std::string, bench_dir, "./bench-data", "directory on the disk under test");

namespace stipple::bench {
namespace {

// Server time runs this much faster than real time (a booked session starts within the run).
constexpr double kClockSpeedUp = 1e6;

// Each location's artists, shared by its desks.
constexpr int kArtistsPerLocation = 12;

// What one call did: its latency, or nullopt when it failed; or a refusal that the caller meets
// by trying again (see Figures::refused).
struct Outcome {
  std::optional<absl::Duration> latency;
  bool refused = false;
};
using Call = std::function<Outcome()>;

// Runs `callers` threads, each making the calls `make_call(i)` (made on that thread) returns, for
// a 2 s warm-up and then the measured seconds; `at_start` and `at_end` run as the measured window
// opens and closes.
Figures Measure(int callers, const std::function<Call(int)>& make_call,
                const std::function<void()>& at_start, const std::function<void()>& at_end) {
  std::atomic<int> phase{0};  // 0 warm-up, 1 measured, 2 stop.
  std::vector<std::vector<double>> latencies(callers);
  std::vector<int64_t> errors(callers, 0), refused(callers, 0);
  std::vector<std::thread> threads;
  for (int c = 0; c < callers; ++c) {
    threads.emplace_back([&, c] {
      const Call call = make_call(c);
      while (phase.load() < 2) {
        const Outcome outcome = call();
        if (phase.load() != 1) continue;
        if (outcome.refused) {
          ++refused[c];
        } else if (!outcome.latency.has_value()) {
          ++errors[c];
        } else {
          latencies[c].push_back(absl::ToDoubleMilliseconds(*outcome.latency));
        }
      }
    });
  }
  absl::SleepFor(absl::Seconds(2));
  at_start();
  const absl::Time start = absl::Now();
  const double cpu_start = ProcessCpuSeconds();
  const std::optional<double> machine_start = MachineBusySeconds();
  phase = 1;
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_seconds)));
  phase = 2;
  const double cpu = ProcessCpuSeconds() - cpu_start;
  const std::optional<double> machine_busy = BusyBetween(machine_start, MachineBusySeconds());
  const absl::Time end = absl::Now();
  at_end();
  for (std::thread& thread : threads) thread.join();

  Figures figures;
  figures.seconds = absl::ToDoubleSeconds(end - start);
  figures.machine_busy_seconds = machine_busy;
  for (int c = 0; c < callers; ++c) {
    figures.errors += errors[c];
    figures.refused += refused[c];
  }
  CountOperations(latencies, &figures);
  const int64_t calls = figures.operations + figures.refused + figures.errors;
  if (calls > 0) figures.cpu_us_per_call = cpu * 1e6 / static_cast<double>(calls);
  return figures;
}

// Runs Stipple under `clients` desks; returns its figures and the appends it made (in log order,
// by desk), which the PostgreSQL peer replays.
Figures RunStipple(int clients, const std::string& dir, bool with_read_models,
                   std::vector<std::vector<RecordedAppend>>* appends_by_desk) {
  std::unique_ptr<eventstore::RocksDbEventStore> store = OpenEmptyStore(dir);
  absl::StatusOr<std::unique_ptr<projections::ReadModels>> models =
      std::unique_ptr<projections::ReadModels>();
  if (with_read_models) models = projections::ReadModels::Start(*store, dir + "/read_models");
  const absl::Time origin = absl::Now();
  auto clock = [origin] { return origin + (absl::Now() - origin) * kClockSpeedUp; };
  auto server = services::StippleServer::Start("127.0.0.1:0", *store, models->get(), clock);
  if (!models.ok() || !server.ok()) std::exit(1);

  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int d = 0; d < clients; ++d) {
    grpc::ChannelArguments args;
    args.SetInt("stipple.desk", d);  // A distinct argument: a connection of its own.
    channels.push_back(
        grpc::CreateCustomChannel((*server)->address(), grpc::InsecureChannelCredentials(), args));
  }
  const std::vector<std::string> locations = {"north", "south", "east", "west"};
  if (!testing::OpenLocations(*channels[0], locations).ok()) std::exit(1);
  std::map<std::string, std::vector<std::string>> artists;  // By location.
  for (const std::string& location : locations) {
    for (int a = 1; a <= kArtistsPerLocation; ++a) {
      artists[location].push_back(absl::StrCat(location, "-a", a));
    }
    if (!testing::RegisterArtists(*channels[0], location, artists[location]).ok()) std::exit(1);
  }

  eventstore::GlobalPosition first = 0, last = 0;
  auto make_desk = [&](int d) -> Call {
    testing::FrontDeskOptions desk_options;
    desk_options.name = absl::StrCat("d", d);
    desk_options.location_id = locations[d % locations.size()];
    desk_options.artist_ids = artists[desk_options.location_id];
    desk_options.clock = clock;
    desk_options.schedule_lead = absl::Hours(48);        // 0.17 s of real time.
    desk_options.booking_spread = absl::Hours(24 * 14);  // 1.2 s.
    desk_options.seed = d + 1;
    auto desk = std::make_shared<testing::FrontDesk>(desk_options);
    desk->Connect(channels[d]);
    return [desk]() -> Outcome {
      testing::CommandRecord record = desk->Step();
      if (record.clash) return {.latency = std::nullopt, .refused = true};
      if (!record.status.ok()) return {};
      return {.latency = record.latency};
    };
  };
  Figures figures = Measure(
      clients, make_desk, [&] { first = store->HeadPosition(); },
      [&] { last = store->HeadPosition(); });
  figures.events = static_cast<int64_t>(last - first);

  // The appends of the measured window, grouped by request id, per desk in log order.
  appends_by_desk->assign(clients, {});
  std::map<std::string, std::pair<int, size_t>> where;  // Request id → desk, index.
  for (eventstore::GlobalPosition from = first + 1; from <= last;) {
    auto slice = store->ReadAll(from, 1000, {});
    if (!slice.ok()) std::exit(1);
    for (eventstore::RecordedEvent& event : slice->events) {
      if (event.position > last) break;
      const std::string request = event.event_id.substr(0, event.event_id.rfind('/'));
      int desk = 0;
      if (!absl::SimpleAtoi(request.substr(1, request.find('-') - 1), &desk) || desk >= clients) {
        continue;  // Not a desk's (the locations opened before the run).
      }
      auto [it, added] = where.try_emplace(request, desk, (*appends_by_desk)[desk].size());
      if (added) (*appends_by_desk)[desk].emplace_back();
      (*appends_by_desk)[desk][it->second.second].events.push_back(std::move(event));
    }
    if (slice->end_of_log) break;
    from = slice->next_position;
  }
  (*server)->Shutdown(absl::Seconds(1));
  server->reset();
  models->reset();
  store.reset();
  return figures;
}

// Health checks from `clients` callers, each on its own connection, to a server with an empty
// store: what gRPC alone allows on this machine.
Figures RunGrpcFloor(int clients, const std::string& dir) {
  std::unique_ptr<eventstore::RocksDbEventStore> store = OpenEmptyStore(dir);
  auto server = services::StippleServer::Start("127.0.0.1:0", *store, nullptr, absl::Now);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    std::exit(1);
  }
  auto make_caller = [&](int c) -> Call {
    grpc::ChannelArguments args;
    args.SetInt("stipple.caller", c);  // A distinct argument: a connection of its own.
    std::shared_ptr<grpc::health::v1::Health::Stub> health = grpc::health::v1::Health::NewStub(
        grpc::CreateCustomChannel((*server)->address(), grpc::InsecureChannelCredentials(), args));
    return [health]() -> Outcome {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      grpc::health::v1::HealthCheckRequest request;
      grpc::health::v1::HealthCheckResponse response;
      const absl::Time sent = absl::Now();
      if (!health->Check(&context, request, &response).ok()) return {};
      return {.latency = absl::Now() - sent};
    };
  };
  Figures figures = Measure(
      clients, make_caller, [] {}, [] {});
  (*server)->Shutdown(absl::Seconds(1));
  server->reset();
  store.reset();
  return figures;
}

// The machine's busy CPU per event written, in µs; nullopt without events or a busy figure.
std::optional<double> MachineMicrosPerEvent(const Figures& f) {
  if (f.events <= 0 || !f.machine_busy_seconds.has_value()) return std::nullopt;
  return *f.machine_busy_seconds * 1e6 / static_cast<double>(f.events);
}

// `value` printed with no decimals, or "-".
std::string OrDash(std::optional<double> value) {
  return value.has_value() ? absl::StrFormat("%.0f", *value) : "-";
}

void PrintRow(const char* system, int clients, const Figures& f) {
  // The gRPC floor writes no events.
  const std::string events = f.events > 0 ? absl::StrFormat("%.0f", f.events / f.seconds) : "-";
  // How busy the machine's cores were during the measurement, as a share of all of them.
  std::optional<double> busy_percent;
  if (f.machine_busy_seconds.has_value() && f.seconds > 0) {
    busy_percent = 100 * ShareOfCores(*f.machine_busy_seconds, f.seconds);
  }
  std::printf("%-26s %8d %12.0f %12s %10.2f %10.2f %8lld %8lld %10lld %12s %9s %14s\n", system,
              clients, f.operations / f.seconds, events.c_str(), f.p50_ms, f.p99_ms,
              static_cast<long long>(f.errors), static_cast<long long>(f.refused),
              static_cast<long long>(f.lost_races), OrDash(f.cpu_us_per_call).c_str(),
              OrDash(busy_percent).c_str(), OrDash(MachineMicrosPerEvent(f)).c_str());
}

}  // namespace
}  // namespace stipple::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  stipple::services::ApplyProductionProcessSettings();
  using namespace stipple::bench;
  const std::string pg = absl::GetFlag(FLAGS_pg);
  const std::string dir = absl::GetFlag(FLAGS_bench_dir) + "/command_bench";
  std::vector<std::pair<int, std::pair<Figures, Figures>>> results;
  std::vector<Figures> without_read_models, floors, replays;
  // Whatever else keeps the machine busy counts in every row's busy figures: measured first.
  const std::optional<double> busy_before = MachineBusyShare(absl::Seconds(2));
  for (absl::string_view count : absl::StrSplit(absl::GetFlag(FLAGS_clients), ',')) {
    int clients = 0;
    if (!absl::SimpleAtoi(count, &clients) || clients < 1) return 2;
    std::vector<std::vector<RecordedAppend>> appends, unused;
    Figures ours = RunStipple(clients, dir, true, &appends);
    Figures peer;
    if (!pg.empty()) peer = RunPostgres(pg, appends);
    results.push_back({clients, {ours, peer}});
    // What gRPC and the store alone take for the same appends.
    replays.push_back(RunStoreReplay(dir, appends));
    // Diagnostic: the same without the projections running in the server process.
    without_read_models.push_back(RunStipple(clients, dir, false, &unused));
    floors.push_back(RunGrpcFloor(clients, dir));
  }
  std::filesystem::remove_all(dir);

  std::printf(
      "\nCommands end to end (ops = commands for Stipple, transactions for PostgreSQL; "
      "latency per op; refused: Stipple's bookings refused because the artist was booked then, "
      "tried again with the next artist, not counted as ops; lost race: PostgreSQL's attempts "
      "that lost a race for a stream's next version, tried again within their op; CPU per call: "
      "this process's, server, read models and callers, refused calls included; busy: the "
      "machine's cores, all processes; machine CPU per event: that busy time over the events "
      "written, so PostgreSQL's server processes count too; grpc + store: Stipple's appends "
      "replayed over gRPC into an empty store as the PostgreSQL peer replays them, no decision and "
      "no read models; busy before the runs, nothing of ours running: %s %%)\n",
      busy_before.has_value() ? absl::StrFormat("%.1f", 100 * *busy_before).c_str() : "-");
  std::printf("%-26s %8s %12s %12s %10s %10s %8s %8s %10s %12s %9s %14s\n", "system", "clients",
              "ops/s", "events/s", "p50 ms", "p99 ms", "errors", "refused", "lost race",
              "CPU us/call", "busy %", "machine us/ev");
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& [clients, figures] = results[i];
    PrintRow("stipple", clients, figures.first);
    if (!pg.empty()) PrintRow("postgresql", clients, figures.second);
    PrintRow("(stipple, no read models)", clients, without_read_models[i]);
    PrintRow("(grpc floor: health check)", clients, floors[i]);
    PrintRow("(grpc + store: replay)", clients, replays[i]);
  }
  if (!pg.empty()) {
    // The ceiling: Stipple's ratio if each command cost no more than a health check, at the
    // run's events per command.
    std::printf("\n%-8s %22s %22s %22s %24s %22s\n", "clients", "events/s ratio (S/PG)",
                "p99 ratio (S/PG)", "grpc floor ratio", "CPU/event ratio (S/PG)",
                "replay ratio (R/PG)");
    for (size_t i = 0; i < results.size(); ++i) {
      const auto& [clients, figures] = results[i];
      const Figures& s = figures.first;
      const Figures& p = figures.second;
      const double pg_events_per_second = p.events / p.seconds;
      const double events_per_command =
          s.operations > 0 ? static_cast<double>(s.events) / s.operations : 0;
      // Below 1, Stipple does an event's work on less of the machine than PostgreSQL.
      const std::optional<double> stipple_cpu = MachineMicrosPerEvent(s);
      const std::optional<double> peer_cpu = MachineMicrosPerEvent(p);
      const std::string cpu_per_event_ratio =
          stipple_cpu.has_value() && peer_cpu.has_value() && *peer_cpu > 0
              ? absl::StrFormat("%.2f", *stipple_cpu / *peer_cpu)
              : "-";
      std::printf(
          "%-8d %22.2f %22.2f %22.2f %24s %22.2f\n", clients,
          (s.events / s.seconds) / pg_events_per_second, s.p99_ms / p.p99_ms,
          floors[i].operations / floors[i].seconds * events_per_command / pg_events_per_second,
          cpu_per_event_ratio.c_str(),
          (replays[i].events / replays[i].seconds) / pg_events_per_second);
    }
  }
  return 0;
}
