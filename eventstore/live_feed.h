#ifndef STIPPLE_EVENTSTORE_LIVE_FEED_H_
#define STIPPLE_EVENTSTORE_LIVE_FEED_H_

// Fans newly committed events out to live subscribers. A backend publishes each durable write here,
// in position order; CatchUpSubscription (catch_up_subscription.h) joins once it has read the log
// up to the published head. Publishing never blocks on a consumer: a subscriber whose bounded
// buffer is full is dropped from the feed and told it fell behind.

#include <atomic>
#include <deque>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "eventstore/event.h"

namespace stipple::eventstore {

using SharedEvent = std::shared_ptr<const RecordedEvent>;

// One live subscriber's buffer. Shared by the feed (producer) and the subscription (consumer).
class SubscriberBuffer {
 public:
  SubscriberBuffer(EventFilter filter, size_t capacity)
      : filter_(std::move(filter)), capacity_(capacity) {}

  enum class WaitResult { kEvent, kFellBehind, kClosed, kTimedOut };
  // Blocks until an event, a fell-behind or close signal, or the timeout. On kEvent fills `event`.
  // On kFellBehind the signal is consumed: the consumer catches up from the log.
  WaitResult Wait(absl::Duration timeout, SharedEvent* event);

  // Wakes the consumer for good.
  void Close();

 private:
  friend class LiveFeed;
  // Producer side; false when the buffer overflowed (the feed then drops this subscriber).
  bool Offer(const SharedEvent& event);

  const EventFilter filter_;
  const size_t capacity_;
  absl::Mutex mu_;
  std::deque<SharedEvent> events_ ABSL_GUARDED_BY(mu_);
  bool fell_behind_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

class LiveFeed {
 public:
  explicit LiveFeed(GlobalPosition head) : head_(head) {}

  // Hands `events` (consecutive positions following the previous call's) to every live subscriber.
  void Publish(const std::vector<SharedEvent>& events);

  // Joins `buffer` to the feed if every event up to the published head has been read, i.e. the
  // head is at most `read_up_to`; otherwise returns false and the caller reads more of the log.
  // Events at or below `read_up_to` may still be offered; the consumer skips them by position.
  bool TryJoin(const std::shared_ptr<SubscriberBuffer>& buffer, GlobalPosition read_up_to);

  void Leave(const SubscriberBuffer* buffer);

  // Closes every subscriber; later joins fail and their subscriptions end as CANCELLED.
  void Close();
  bool closed() const;

 private:
  mutable absl::Mutex mu_;
  GlobalPosition head_ ABSL_GUARDED_BY(mu_);
  // Set under `mu_`; read without it too: every catch-up reader checks it for every event.
  std::atomic<bool> closed_{false};
  std::vector<std::shared_ptr<SubscriberBuffer>> live_ ABSL_GUARDED_BY(mu_);
};

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_LIVE_FEED_H_
