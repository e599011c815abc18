#ifndef STIPPLE_TESTS_BENCH_APPEND_REPLAY_SERVICE_H_
#define STIPPLE_TESTS_BENCH_APPEND_REPLAY_SERVICE_H_

// The benchmark's append-only gRPC service (append_replay.proto): each call appends one
// command's events, each stream at its current version, tried again when another call moved a
// stream first (the PostgreSQL peer's way). Versions are remembered between calls, as Stipple's
// command handler remembers its streams: a stream is read when first met, and a lost race tells
// its new version. What any command handling over gRPC and this store costs at least: no
// decision, no idempotency look-up, no read models, no refusals.

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "eventstore/event_store.h"
#include "grpcpp/server.h"
#include "tests/bench/append_replay.grpc.pb.h"

namespace stipple::bench {

class AppendReplayService final : public v1::AppendReplay::Service {
 public:
  explicit AppendReplayService(eventstore::EventStore& store) : store_(store) {}

  grpc::Status Append(grpc::ServerContext* context, const v1::ReplayRequest* request,
                      v1::ReplayReply* reply) override;

 private:
  // The stream's version: remembered, or read from the store.
  absl::StatusOr<eventstore::StreamVersion> CurrentVersion(const std::string& stream);
  void Remember(const std::string& stream, eventstore::StreamVersion version);

  eventstore::EventStore& store_;
  absl::Mutex mutex_;
  absl::flat_hash_map<std::string, eventstore::StreamVersion> versions_ ABSL_GUARDED_BY(mutex_);
};

// A server on 127.0.0.1 (a free port) serving `service` with the options of Stipple's servers
// (services::ApplyServerOptions), so the two pay the same per call. Its bound port in `*port`.
absl::StatusOr<std::unique_ptr<grpc::Server>> StartReplayServer(AppendReplayService& service,
                                                                int* port);

}  // namespace stipple::bench

#endif  // STIPPLE_TESTS_BENCH_APPEND_REPLAY_SERVICE_H_
