#ifndef STIPPLE_SERVICES_FEED_SERVICE_H_
#define STIPPLE_SERVICES_FEED_SERVICE_H_

#include <atomic>

#include "eventstore/event_store.h"
#include "stipple/api/v1/queries.grpc.pb.h"

namespace stipple::services {

// The live event feed for integrations: catch up after a position, then follow, resumable.
class FeedService final : public api::v1::FeedService::Service {
 public:
  FeedService(eventstore::EventStore& store, const std::atomic<bool>& shutting_down)
      : store_(store), shutting_down_(shutting_down) {}

  grpc::Status SubscribeEvents(grpc::ServerContext*, const api::v1::SubscribeEventsRequest*,
                               grpc::ServerWriter<api::v1::SubscribeEventsMessage>*) override;

 private:
  eventstore::EventStore& store_;
  const std::atomic<bool>& shutting_down_;
};

}  // namespace stipple::services

#endif  // STIPPLE_SERVICES_FEED_SERVICE_H_
