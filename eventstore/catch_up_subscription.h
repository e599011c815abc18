#ifndef STIPPLE_EVENTSTORE_CATCH_UP_SUBSCRIPTION_H_
#define STIPPLE_EVENTSTORE_CATCH_UP_SUBSCRIPTION_H_

// A Subscription for any backend that offers ReadAll and a LiveFeed: it reads the log in pages
// until it reaches the feed's head, joins the feed, and falls back to reading the log whenever its
// live buffer overflows. Positions make the hand-over exact: an event is delivered only if its
// position is above the last one examined, so nothing is skipped or repeated. Unfiltered
// subscriptions share the pages they read through a LogPageCache, when given one.

#include <atomic>
#include <memory>
#include <optional>

#include "eventstore/event_store.h"
#include "eventstore/live_feed.h"
#include "eventstore/log_page_cache.h"

namespace stipple::eventstore {

class CatchUpSubscription : public Subscription {
 public:
  // `store` must outlive the subscription. Closing the feed wakes a live consumer (CANCELLED);
  // consumers must still be stopped before the store is destroyed.
  CatchUpSubscription(const EventStore& store, std::shared_ptr<LiveFeed> feed,
                      GlobalPosition after_position, EventFilter filter, SubscribeOptions options,
                      std::shared_ptr<LogPageCache> page_cache = nullptr);
  ~CatchUpSubscription() override;

  absl::StatusOr<SubscriptionMessage> Next(absl::Duration timeout) override;
  void Cancel() override;

 private:
  // The log's next page after the checkpoint: from the cache, or read and offered to it.
  absl::StatusOr<std::shared_ptr<const LogPageCache::Page>> ReadPage();
  SubscriptionMessage EventMessage(SharedEvent event);
  // The next event of `page_`, sharing the page's ownership.
  SubscriptionMessage NextOfPage() {
    return EventMessage(SharedEvent(page_, &page_->events[page_next_++]));
  }
  SubscriptionMessage SignalMessage(SubscriptionMessage::Kind kind) const;

  const EventStore& store_;
  const std::shared_ptr<LiveFeed> feed_;
  const EventFilter filter_;
  const SubscribeOptions options_;
  std::shared_ptr<SubscriberBuffer> buffer_;
  std::atomic<bool> cancelled_{false};
  bool live_ = false;
  std::optional<LogPageCache::Reader> cache_reader_;  // Set when pages are shared.
  GlobalPosition checkpoint_;                         // Highest position examined.
  std::shared_ptr<const LogPageCache::Page> page_;    // Read from the log.
  size_t page_next_ = 0;                              // The first event of `page_` not delivered.
  bool end_of_log_ = false;                           // The read of `page_` reached the log's head.
};

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_CATCH_UP_SUBSCRIPTION_H_
