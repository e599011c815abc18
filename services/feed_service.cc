#include "services/feed_service.h"

#include "services/grpc_status.h"
#include "services/stored_event.h"

namespace stipple::services {

grpc::Status FeedService::SubscribeEvents(
    grpc::ServerContext* context, const api::v1::SubscribeEventsRequest* request,
    grpc::ServerWriter<api::v1::SubscribeEventsMessage>* writer) {
  eventstore::EventFilter filter{request->stream_prefix(),
                                 {request->event_types().begin(), request->event_types().end()}};
  std::unique_ptr<eventstore::Subscription> subscription =
      store_.Subscribe(request->after_position(), std::move(filter), {});
  while (!context->IsCancelled() && !shutting_down_) {
    // Short waits so a cancelled call or a shutdown is noticed promptly.
    absl::StatusOr<eventstore::SubscriptionMessage> message =
        subscription->Next(absl::Milliseconds(250));
    if (!message.ok()) {
      if (message.status().code() == absl::StatusCode::kDeadlineExceeded) continue;
      if (message.status().code() == absl::StatusCode::kCancelled) break;
      return ToGrpcStatus(message.status());
    }
    api::v1::SubscribeEventsMessage out;
    switch (message->kind) {
      case eventstore::SubscriptionMessage::Kind::kEvent:
        *out.mutable_event() = ToProto(*message->event);
        break;
      case eventstore::SubscriptionMessage::Kind::kCaughtUp:
        out.set_caught_up_at(message->checkpoint);
        break;
      case eventstore::SubscriptionMessage::Kind::kFellBehind:
        out.set_fell_behind_at(message->checkpoint);
        break;
    }
    if (!writer->Write(out)) break;  // The client went away.
  }
  return grpc::Status::OK;
}

}  // namespace stipple::services
