#ifndef STIPPLE_EVENTSTORE_CATCH_UP_SUBSCRIPTION_H_
#define STIPPLE_EVENTSTORE_CATCH_UP_SUBSCRIPTION_H_

// A Subscription for any backend that offers ReadAll and a LiveFeed: it reads the log in pages
// until it reaches the feed's head, joins the feed, and falls back to reading the log whenever its
// live buffer overflows. Positions make the hand-over exact: an event is delivered only if its
// position is above the last one examined, so nothing is skipped or repeated.

#include <atomic>
#include <deque>
#include <memory>

#include "eventstore/event_store.h"
#include "eventstore/live_feed.h"

namespace stipple::eventstore {

class CatchUpSubscription : public Subscription {
 public:
  // `store` must outlive the subscription. Closing the feed wakes a live consumer (CANCELLED);
  // consumers must still be stopped before the store is destroyed.
  CatchUpSubscription(const EventStore& store, std::shared_ptr<LiveFeed> feed,
                      GlobalPosition after_position, EventFilter filter, SubscribeOptions options);
  ~CatchUpSubscription() override;

  absl::StatusOr<SubscriptionMessage> Next(absl::Duration timeout) override;
  void Cancel() override;

 private:
  SubscriptionMessage EventMessage(SharedEvent event);
  SubscriptionMessage SignalMessage(SubscriptionMessage::Kind kind) const;

  const EventStore& store_;
  const std::shared_ptr<LiveFeed> feed_;
  const EventFilter filter_;
  const SubscribeOptions options_;
  std::shared_ptr<SubscriberBuffer> buffer_;
  std::atomic<bool> cancelled_{false};
  bool live_ = false;
  GlobalPosition checkpoint_;     // Highest position examined.
  std::deque<SharedEvent> page_;  // Read from the log, not yet delivered.
};

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_CATCH_UP_SUBSCRIPTION_H_
