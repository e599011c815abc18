#include "tests/bench/postgres_peer.h"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace stipple::bench {
namespace {

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

// The same, tried again while it loses races (at most kMaxAppendAttempts times); counts the lost
// races.
bool AppendToPostgres(PGconn* connection, const RecordedAppend& append, int64_t* lost_races) {
  for (int attempt = 0; attempt < kMaxAppendAttempts; ++attempt) {
    const AppendResult result = AppendToPostgresOnce(connection, append);
    if (result != AppendResult::kLostRace) return result == AppendResult::kAppended;
    ++*lost_races;
  }
  return false;
}

}  // namespace

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

  // Each desk's connection is opened and its statements prepared (each connection starts a
  // server process) before the clock starts.
  auto connect = [&conninfo](int /*desk*/) -> ReplayAppend {
    std::shared_ptr<PGconn> connection(Connect(conninfo), PQfinish);
    Exec(connection.get(), "SET synchronous_commit = on");
    PGresult* prepared =
        PQprepare(connection.get(), "version",
                  "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1", 1, nullptr);
    PQclear(prepared);
    prepared = PQprepare(connection.get(), "insert",
                         "INSERT INTO events (stream_id, version, event_id, type, data, metadata) "
                         "VALUES ($1, $2, $3, $4, $5, $6)",
                         6, nullptr);
    PQclear(prepared);
    return [connection](const RecordedAppend& append, int64_t* lost_races) {
      return AppendToPostgres(connection.get(), append, lost_races);
    };
  };
  double process_cpu_seconds = 0;  // The callers only: PostgreSQL's server runs elsewhere.
  return ReplayByDesk(appends_by_desk, connect, &process_cpu_seconds);
}

}  // namespace stipple::bench
