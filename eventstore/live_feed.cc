#include "eventstore/live_feed.h"

#include <algorithm>

namespace stipple::eventstore {

SubscriberBuffer::WaitResult SubscriberBuffer::Wait(absl::Duration timeout, SharedEvent* event) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !events_.empty() || fell_behind_ || closed_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (closed_) return WaitResult::kClosed;
  // Drain what arrived before an overflow: it is still in order and gap-free.
  if (!events_.empty()) {
    *event = std::move(events_.front());
    events_.pop_front();
    return WaitResult::kEvent;
  }
  if (fell_behind_) {
    fell_behind_ = false;
    return WaitResult::kFellBehind;
  }
  return WaitResult::kTimedOut;
}

void SubscriberBuffer::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

bool SubscriberBuffer::Offer(const SharedEvent& event) {
  if (!filter_.Matches(*event)) return true;
  absl::MutexLock lock(&mu_);
  if (closed_) return false;  // Cancelled: leave the feed, hold nothing more.
  if (events_.size() >= capacity_) {
    fell_behind_ = true;
    return false;
  }
  events_.push_back(event);
  return true;
}

void LiveFeed::Publish(const std::vector<SharedEvent>& events) {
  if (events.empty()) return;
  absl::MutexLock lock(&mu_);
  head_ = std::max(head_, events.back()->position);
  std::erase_if(live_, [&events](const std::shared_ptr<SubscriberBuffer>& buffer) {
    for (const SharedEvent& event : events) {
      if (!buffer->Offer(event)) return true;  // Overflowed: it leaves the feed.
    }
    return false;
  });
}

bool LiveFeed::TryJoin(const std::shared_ptr<SubscriberBuffer>& buffer, GlobalPosition read_up_to) {
  absl::MutexLock lock(&mu_);
  if (closed_ || head_ > read_up_to) return false;
  live_.push_back(buffer);
  return true;
}

void LiveFeed::Leave(const SubscriberBuffer* buffer) {
  absl::MutexLock lock(&mu_);
  std::erase_if(live_, [buffer](const std::shared_ptr<SubscriberBuffer>& live) {
    return live.get() == buffer;
  });
}

void LiveFeed::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  for (const std::shared_ptr<SubscriberBuffer>& buffer : live_) buffer->Close();
  live_.clear();
}

bool LiveFeed::closed() const { return closed_; }

}  // namespace stipple::eventstore
