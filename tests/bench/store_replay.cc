#include "tests/bench/store_replay.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "tests/bench/append_replay_service.h"

namespace stipple::bench {
namespace {

v1::ReplayRequest RequestOf(const RecordedAppend& append) {
  v1::ReplayRequest request;
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
  return request;
}

}  // namespace

Figures RunStoreReplay(const std::string& dir,
                       const std::vector<std::vector<RecordedAppend>>& appends_by_desk) {
  std::unique_ptr<eventstore::RocksDbEventStore> store = OpenEmptyStore(dir);
  AppendReplayService service(*store);
  int port = 0;
  absl::StatusOr<std::unique_ptr<grpc::Server>> server = StartReplayServer(service, &port);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    std::exit(1);
  }
  // Each desk's connection is made before the clock starts, as the PostgreSQL peer's is.
  auto connect = [port](int desk) -> ReplayAppend {
    grpc::ChannelArguments args;
    args.SetInt("stipple.replay", desk);  // A distinct argument: a connection of its own.
    std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      std::fprintf(stderr, "replay: desk %d cannot connect\n", desk);
      std::exit(1);
    }
    std::shared_ptr<v1::AppendReplay::Stub> stub = v1::AppendReplay::NewStub(channel);
    return [stub](const RecordedAppend& append, int64_t* lost_races) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      v1::ReplayReply reply;
      const grpc::Status status = stub->Append(&context, RequestOf(append), &reply);
      *lost_races += reply.lost_races();
      return status.ok() && reply.appended();
    };
  };
  double process_cpu_seconds = 0;
  Figures figures = ReplayByDesk(appends_by_desk, connect, &process_cpu_seconds);
  const int64_t calls = figures.operations + figures.errors;
  if (calls > 0) figures.cpu_us_per_call = process_cpu_seconds * 1e6 / static_cast<double>(calls);
  (*server)->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server->reset();
  store.reset();
  return figures;
}

}  // namespace stipple::bench
