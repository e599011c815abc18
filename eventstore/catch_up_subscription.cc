#include "eventstore/catch_up_subscription.h"

namespace stipple::eventstore {

CatchUpSubscription::CatchUpSubscription(const EventStore& store, std::shared_ptr<LiveFeed> feed,
                                         GlobalPosition after_position, EventFilter filter,
                                         SubscribeOptions options)
    : store_(store),
      feed_(std::move(feed)),
      filter_(filter),
      options_(options),
      buffer_(std::make_shared<SubscriberBuffer>(std::move(filter),
                                                 std::max<size_t>(1, options.live_buffer_events))),
      checkpoint_(after_position) {}

CatchUpSubscription::~CatchUpSubscription() { feed_->Leave(buffer_.get()); }

void CatchUpSubscription::Cancel() {
  cancelled_ = true;
  buffer_->Close();
}

SubscriptionMessage CatchUpSubscription::EventMessage(SharedEvent event) {
  checkpoint_ = event->position;
  SubscriptionMessage message;
  message.kind = SubscriptionMessage::Kind::kEvent;
  message.event = std::move(event);
  message.checkpoint = checkpoint_;
  return message;
}

SubscriptionMessage CatchUpSubscription::SignalMessage(SubscriptionMessage::Kind kind) const {
  SubscriptionMessage message;
  message.kind = kind;
  message.checkpoint = checkpoint_;
  return message;
}

absl::StatusOr<SubscriptionMessage> CatchUpSubscription::Next(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  bool read_a_page = false;  // Reading the log is not waiting: even a zero timeout reads a page.
  while (true) {
    if (cancelled_) return absl::CancelledError("subscription cancelled");
    if (live_) {
      SharedEvent event;
      switch (buffer_->Wait(deadline - absl::Now(), &event)) {
        case SubscriberBuffer::WaitResult::kEvent:
          if (event->position <= checkpoint_) continue;  // Already read from the log.
          return EventMessage(std::move(event));
        case SubscriberBuffer::WaitResult::kFellBehind:
          live_ = false;
          return SignalMessage(SubscriptionMessage::Kind::kFellBehind);
        case SubscriberBuffer::WaitResult::kClosed:
          return absl::CancelledError(cancelled_ ? "subscription cancelled" : "event store closed");
        case SubscriberBuffer::WaitResult::kTimedOut:
          return absl::DeadlineExceededError("no new event within the timeout");
      }
    }
    if (feed_->closed()) return absl::CancelledError("event store closed");
    if (page_.empty() && read_a_page && absl::Now() >= deadline) {
      // A selective filter over a long log: report progress rather than scan past the timeout.
      return absl::DeadlineExceededError("no matching event within the timeout");
    }
    if (!page_.empty()) {
      SharedEvent event = std::move(page_.front());
      page_.pop_front();
      return EventMessage(std::move(event));
    }
    absl::StatusOr<LogSlice> slice =
        store_.ReadAll(checkpoint_ + 1, options_.catch_up_page_events, filter_);
    read_a_page = true;
    if (!slice.ok()) return slice.status();
    for (RecordedEvent& event : slice->events) {
      page_.push_back(std::make_shared<const RecordedEvent>(std::move(event)));
    }
    if (page_.empty()) {
      // Everything up to next_position - 1 was examined; none matched.
      if (slice->next_position > checkpoint_ + 1) checkpoint_ = slice->next_position - 1;
      if (slice->end_of_log) {
        if (feed_->TryJoin(buffer_, checkpoint_)) {
          live_ = true;
          return SignalMessage(SubscriptionMessage::Kind::kCaughtUp);
        }
      }
    }
  }
}

}  // namespace stipple::eventstore
