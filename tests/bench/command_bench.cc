// Commands end to end over gRPC against a PostgreSQL event table, measured in one run.
//
// Stipple: an in-process server (event store, read models, gRPC on loopback) takes a realistic
// mix of commands (register, consult, consent, plan, schedule, complete, cancel) from N front
// desks, each on its own connection, for a fixed time. Its clock runs fast so booked sessions
// start (and are completed) within the run. The desks work at four locations; each location's
// desks share its twelve artists, so they contend for the artists' streams, and a booking that
// clashes with one already made is tried again with the next artist.
//
// PostgreSQL: the same events, grouped as they were appended, are written by N connections into
// an events table with UNIQUE(stream_id, version) and a unique event id, one transaction per
// command: read each stream's version, insert its events at version + 1... (the Marten /
// Message DB way), with synchronous_commit=on. The server is started by tests/bench/run.sh.
//
//   command_bench --pg="host=/tmp/x port=5433 dbname=postgres" [--clients=16,64]
//                 [--seconds=20] [--bench_dir=DIR]
// Without --pg only Stipple is measured.
//
// The gRPC floor: the same number of clients call the server's health check (no work at all)
// for the same time, on the same cores. A command can go no faster than that, so the floor bounds
// the ratio any command handling could reach against PostgreSQL on this machine.
//
// gRPC and the store: Stipple's appends of the run are replayed through an append-only gRPC
// service (append_replay_service.h) into an empty store, the way the PostgreSQL peer replays them:
// each stream at the version it has when read, tried again after a lost race. No decision, no
// idempotency look-up, no read models, no refused bookings: a lower bound for any command handling
// over gRPC on this store and machine.
//
// Machine CPU per event: the machine's busy time (/proc/stat, every process) over the events
// written. Stipple's is taken over its measured window (after a warm-up), PostgreSQL's from when
// its connections are open to when the last has written its share (its slower callers finish
// last, on a less busy machine). Work left after a window (compactions, PostgreSQL's
// checkpoints, the kernel's writeback) is counted in neither. Each side's load generator counts:
// Stipple's desks and their gRPC clients, PostgreSQL's libpq callers.

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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
#include "tests/bench/append_replay_service.h"
#include "tests/bench/cpu_time.h"
#include "tests/bench/percentile.h"
#include "tests/support/front_desk.h"

ABSL_FLAG(std::string, pg, "", "libpq connection string of the PostgreSQL peer; empty: none");
ABSL_FLAG(std::string, clients, "16,64", "concurrent clients to measure, comma-separated");
ABSL_FLAG(int, seconds, 20, "measured seconds per Stipple run");
ABSL_FLAG(std::string, bench_dir, "./bench-data", "directory on the disk under test");

namespace stipple::bench {
namespace {

// Server time runs this much faster than real time (a booked session starts within the run).
constexpr double kClockSpeedUp = 1e6;

struct Figures {
  int64_t operations = 0;  // Commands or transactions.
  int64_t events = 0;
  double seconds = 0;
  double p50_ms = 0, p99_ms = 0;
  int64_t errors = 0;
  // Stipple: bookings refused because the artist was booked then; the desk tries again with the
  // next artist. Not operations: no latency, no events.
  int64_t refused = 0;
  // PostgreSQL and the replay: attempts that lost a race for a stream's next version; the
  // append is tried again, within its operation's latency. (Stipple's handler decides again the
  // same way, within its command's latency, uncounted.)
  int64_t lost_races = 0;
  // Stipple and the gRPC floor: the CPU this process (server, read models and callers) took per
  // call, refused ones included. Not measured for PostgreSQL, whose server runs in processes of
  // its own.
  std::optional<double> cpu_us_per_call;
  // Every system: the CPU the whole machine was busy with meanwhile (this process, PostgreSQL's
  // server, anything else running), in seconds; nullopt where /proc/stat could not be read.
  std::optional<double> machine_busy_seconds;
};

// Each location's artists, shared by its desks.
constexpr int kArtistsPerLocation = 12;

// One append as the log recorded it.
struct RecordedAppend {
  std::vector<eventstore::RecordedEvent> events;
};

// What one call did: its latency, or nullopt when it failed; or a refusal that the caller meets
// by trying again (see Figures::refused).
struct Outcome {
  std::optional<absl::Duration> latency;
  bool refused = false;
};
using Call = std::function<Outcome()>;

// The operations and their latency percentiles, from each caller's latencies.
void CountOperations(const std::vector<std::vector<double>>& latencies, Figures* figures) {
  std::vector<double> all;
  for (const std::vector<double>& caller : latencies)
    all.insert(all.end(), caller.begin(), caller.end());
  figures->operations = static_cast<int64_t>(all.size());
  figures->p50_ms = Percentile(all, 0.50);
  figures->p99_ms = Percentile(all, 0.99);
}

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

// A new, empty event store under `dir` (whatever was there is removed); exits if it cannot open.
std::unique_ptr<eventstore::RocksDbEventStore> OpenEmptyStore(const std::string& dir) {
  std::filesystem::remove_all(dir);
  eventstore::RocksDbEventStoreOptions options;
  options.path = dir + "/events";
  auto store = eventstore::RocksDbEventStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(store);
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

// Stipple's appends of a run replayed through the append-only service (append_replay_service.h)
// into a new, empty store, each desk's by one caller on its own connection, as the PostgreSQL
// peer replays them: what gRPC and the store alone take for the same events.
Figures RunReplay(const std::string& dir,
                  const std::vector<std::vector<RecordedAppend>>& appends_by_desk) {
  std::unique_ptr<eventstore::RocksDbEventStore> store = OpenEmptyStore(dir);
  AppendReplayService service(*store);
  int port = 0;
  absl::StatusOr<std::unique_ptr<grpc::Server>> server = StartReplayServer(service, &port);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    std::exit(1);
  }
  const int clients = static_cast<int>(appends_by_desk.size());
  std::vector<std::vector<v1::ReplayRequest>> requests(clients);
  for (int d = 0; d < clients; ++d) {
    for (const RecordedAppend& append : appends_by_desk[d]) {
      v1::ReplayRequest& request = requests[d].emplace_back();
      for (const eventstore::RecordedEvent& event : append.events) {
        v1::ReplayedEvent& replayed = *request.add_events();
        replayed.set_stream(event.stream);
        replayed.set_event_id(event.event_id);
        replayed.set_type(event.type);
        replayed.set_payload(event.payload);
        replayed.set_actor(event.metadata.actor);
        replayed.set_location(event.metadata.location);
        replayed.set_correlation_id(event.metadata.correlation_id);
        replayed.set_causation_id(event.metadata.causation_id);
      }
    }
  }
  std::vector<std::vector<double>> latencies(clients);
  std::vector<int64_t> events(clients, 0), errors(clients, 0), lost_races(clients, 0);
  std::vector<std::thread> threads;
  std::latch ready(clients + 1);
  for (int d = 0; d < clients; ++d) {
    threads.emplace_back([&, d] {
      grpc::ChannelArguments args;
      args.SetInt("stipple.replay", d);  // A distinct argument: a connection of its own.
      std::unique_ptr<v1::AppendReplay::Stub> stub =
          v1::AppendReplay::NewStub(grpc::CreateCustomChannel(
              absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(), args));
      ready.arrive_and_wait();
      for (const v1::ReplayRequest& request : requests[d]) {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        v1::ReplayReply reply;
        const absl::Time sent = absl::Now();
        const grpc::Status status = stub->Append(&context, request, &reply);
        lost_races[d] += reply.lost_races();
        if (status.ok()) {
          latencies[d].push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
          events[d] += request.events_size();
        } else {
          ++errors[d];
        }
      }
    });
  }
  ready.arrive_and_wait();
  const absl::Time start = absl::Now();
  const double cpu_start = ProcessCpuSeconds();
  const std::optional<double> machine_start = MachineBusySeconds();
  for (std::thread& thread : threads) thread.join();
  Figures figures;
  figures.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const double cpu = ProcessCpuSeconds() - cpu_start;
  figures.machine_busy_seconds = BusyBetween(machine_start, MachineBusySeconds());
  for (int d = 0; d < clients; ++d) {
    figures.events += events[d];
    figures.errors += errors[d];
    figures.lost_races += lost_races[d];
  }
  CountOperations(latencies, &figures);
  const int64_t calls = figures.operations + figures.errors;
  if (calls > 0) figures.cpu_us_per_call = cpu * 1e6 / static_cast<double>(calls);
  (*server)->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server->reset();
  store.reset();
  return figures;
}

PGconn* Connect(const std::string& conninfo) {
  PGconn* connection = PQconnectdb(conninfo.c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    std::fprintf(stderr, "PostgreSQL: %s\n", PQerrorMessage(connection));
    std::exit(1);
  }
  return connection;
}

bool Exec(PGconn* connection, const char* sql) {
  PGresult* result = PQexec(connection, sql);
  const bool ok =
      PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
  if (!ok) std::fprintf(stderr, "PostgreSQL: %s: %s\n", sql, PQerrorMessage(connection));
  PQclear(result);
  return ok;
}

enum class AppendResult { kAppended, kLostRace, kFailed };

// Another transaction took the stream's next version first (a unique violation of
// (stream_id, version), not of the event id), or a deadlock: the transaction is tried again on
// fresh versions, as Marten's callers retry a concurrency exception.
bool LostRace(const PGresult* result) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
  if (state == nullptr) return false;
  if (std::string_view(state) == "40P01") return true;
  return std::string_view(state) == "23505" && constraint != nullptr &&
         std::string_view(constraint) == "events_stream_id_version_key";
}

// Appends one command's events in one transaction, each stream at its current version + 1.
AppendResult AppendToPostgresOnce(PGconn* connection, const RecordedAppend& append) {
  if (!Exec(connection, "BEGIN")) return AppendResult::kFailed;
  std::map<std::string, int64_t> versions;
  for (const eventstore::RecordedEvent& event : append.events) {
    auto [it, added] = versions.try_emplace(event.stream, 0);
    if (added) {
      const char* params[] = {event.stream.c_str()};
      PGresult* result = PQexecPrepared(connection, "version", 1, params, nullptr, nullptr, 0);
      if (PQresultStatus(result) != PGRES_TUPLES_OK) {
        PQclear(result);
        Exec(connection, "ROLLBACK");
        return AppendResult::kFailed;
      }
      absl::SimpleAtoi(PQgetvalue(result, 0, 0), &it->second);
      PQclear(result);
    }
    const std::string version = absl::StrCat(++it->second);
    const std::string metadata =
        absl::StrCat(event.metadata.actor, "|", event.metadata.location, "|",
                     event.metadata.correlation_id, "|", event.metadata.causation_id);
    const char* params[] = {event.stream.c_str(), version.c_str(),      event.event_id.c_str(),
                            event.type.c_str(),   event.payload.data(), metadata.c_str()};
    const int lengths[] = {0, 0, 0, 0, static_cast<int>(event.payload.size()), 0};
    const int formats[] = {0, 0, 0, 0, 1, 0};
    PGresult* result = PQexecPrepared(connection, "insert", 6, params, lengths, formats, 0);
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    const bool lost_race = !ok && LostRace(result);
    if (!ok && !lost_race) {
      std::fprintf(stderr, "PostgreSQL insert: %s\n", PQerrorMessage(connection));
    }
    PQclear(result);
    if (!ok) {
      Exec(connection, "ROLLBACK");
      return lost_race ? AppendResult::kLostRace : AppendResult::kFailed;
    }
  }
  return Exec(connection, "COMMIT") ? AppendResult::kAppended : AppendResult::kFailed;
}

// The same, tried again while it loses races (at most 20 times); counts the lost races.
bool AppendToPostgres(PGconn* connection, const RecordedAppend& append, int64_t* lost_races) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    const AppendResult result = AppendToPostgresOnce(connection, append);
    if (result != AppendResult::kLostRace) return result == AppendResult::kAppended;
    ++*lost_races;
  }
  return false;
}

Figures RunPostgres(const std::string& conninfo,
                    const std::vector<std::vector<RecordedAppend>>& appends_by_desk) {
  PGconn* admin = Connect(conninfo);
  Exec(admin, "DROP TABLE IF EXISTS events");
  Exec(admin,
       "CREATE TABLE events (position bigserial PRIMARY KEY, stream_id text NOT NULL, "
       "version bigint NOT NULL, event_id text NOT NULL UNIQUE, type text NOT NULL, "
       "data bytea NOT NULL, metadata text NOT NULL, "
       "recorded_at timestamptz NOT NULL DEFAULT now(), UNIQUE (stream_id, version))");
  Exec(admin, "SET synchronous_commit = on");
  PQfinish(admin);

  const int clients = static_cast<int>(appends_by_desk.size());
  std::vector<std::vector<double>> latencies(clients);
  std::vector<int64_t> events(clients, 0), errors(clients, 0), lost_races(clients, 0);
  std::vector<std::thread> threads;
  // Timed from when every connection is open and its statements prepared (each connection starts
  // a server process) to when the last one has written its share.
  std::latch ready(clients + 1);
  for (int d = 0; d < clients; ++d) {
    threads.emplace_back([&, d] {
      PGconn* connection = Connect(conninfo);
      Exec(connection, "SET synchronous_commit = on");
      PGresult* prepared = PQprepare(
          connection, "version",
          "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1", 1, nullptr);
      PQclear(prepared);
      prepared =
          PQprepare(connection, "insert",
                    "INSERT INTO events (stream_id, version, event_id, type, data, metadata) "
                    "VALUES ($1, $2, $3, $4, $5, $6)",
                    6, nullptr);
      PQclear(prepared);
      ready.arrive_and_wait();
      for (const RecordedAppend& append : appends_by_desk[d]) {
        const absl::Time sent = absl::Now();
        if (AppendToPostgres(connection, append, &lost_races[d])) {
          latencies[d].push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
          events[d] += static_cast<int64_t>(append.events.size());
        } else {
          ++errors[d];
        }
      }
      PQfinish(connection);
    });
  }
  ready.arrive_and_wait();
  const absl::Time start = absl::Now();
  const std::optional<double> machine_start = MachineBusySeconds();
  for (std::thread& thread : threads) thread.join();
  Figures figures;
  figures.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  figures.machine_busy_seconds = BusyBetween(machine_start, MachineBusySeconds());
  for (int d = 0; d < clients; ++d) {
    figures.events += events[d];
    figures.errors += errors[d];
    figures.lost_races += lost_races[d];
  }
  CountOperations(latencies, &figures);
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
    replays.push_back(RunReplay(dir, appends));
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
