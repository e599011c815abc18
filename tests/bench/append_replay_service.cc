#include "tests/bench/append_replay_service.h"

#include <algorithm>
#include <vector>

#include "eventstore/errors.h"
#include "grpcpp/server_builder.h"
#include "services/grpc_status.h"
#include "services/server.h"
#include "tests/bench/command_runs.h"

namespace stipple::bench {
namespace {

eventstore::ProposedEvent Proposed(const v1::ReplayedEvent& event) {
  return {.event_id = event.event_id(),
          .type = event.type(),
          .payload = event.payload(),
          .metadata = {.actor = event.actor(),
                       .location = event.location(),
                       .correlation_id = event.correlation_id(),
                       .causation_id = event.causation_id()}};
}

}  // namespace

grpc::Status AppendReplayService::Append(grpc::ServerContext* /*context*/,
                                         const v1::ReplayRequest* request, v1::ReplayReply* reply) {
  // One part per stream, in the order the streams first appear.
  std::vector<eventstore::StreamAppend> parts;
  for (const v1::ReplayedEvent& event : request->events()) {
    auto part = std::find_if(parts.begin(), parts.end(), [&](const eventstore::StreamAppend& p) {
      return p.stream == event.stream();
    });
    if (part == parts.end()) {
      parts.emplace_back().stream = event.stream();
      part = parts.end() - 1;
    }
    part->events.push_back(Proposed(event));
  }
  for (int attempt = 0; attempt < kMaxAppendAttempts; ++attempt) {
    for (eventstore::StreamAppend& part : parts) {
      absl::StatusOr<eventstore::StreamVersion> version = CurrentVersion(part.stream);
      if (!version.ok()) return services::ToGrpcStatus(version.status());
      part.expected_version = eventstore::ExpectedVersion::Exactly(*version);
    }
    absl::StatusOr<eventstore::AppendResult> appended = store_.AppendMulti(parts);
    if (appended.ok()) {
      for (const eventstore::StreamAppendResult& stream : appended->streams) {
        Remember(stream.stream, stream.new_version);
      }
      reply->set_appended(true);
      return grpc::Status::OK;
    }
    const std::optional<eventstore::WrongExpectedVersion> conflict =
        eventstore::WrongExpectedVersionFromStatus(appended.status());
    if (!conflict.has_value()) return services::ToGrpcStatus(appended.status());
    Remember(conflict->stream, conflict->actual_version);
    reply->set_lost_races(reply->lost_races() + 1);
  }
  return grpc::Status::OK;  // Not appended: the reply says so and counts the lost races.
}

absl::StatusOr<eventstore::StreamVersion> AppendReplayService::CurrentVersion(
    const std::string& stream) {
  {
    absl::MutexLock lock(&mutex_);
    auto known = versions_.find(stream);
    if (known != versions_.end()) return known->second;
  }
  absl::StatusOr<eventstore::StreamSlice> last = store_.ReadStream(
      stream, eventstore::EventStore::kEndOfStream, eventstore::ReadDirection::kBackwards, 1);
  if (!last.ok()) return last.status();
  return last->stream_version;
}

void AppendReplayService::Remember(const std::string& stream, eventstore::StreamVersion version) {
  absl::MutexLock lock(&mutex_);
  eventstore::StreamVersion& known = versions_[stream];
  known = std::max(known, version);  // Calls finish out of order: keep the newest.
}

absl::StatusOr<std::unique_ptr<grpc::Server>> StartReplayServer(AppendReplayService& service,
                                                                int* port) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), port);
  services::ApplyServerOptions(builder);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || *port == 0)
    return absl::UnavailableError("replay server: cannot listen");
  return server;
}

}  // namespace stipple::bench
