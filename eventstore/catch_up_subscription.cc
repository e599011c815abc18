#include "eventstore/catch_up_subscription.h"

#include <algorithm>

namespace stipple::eventstore {

CatchUpSubscription::CatchUpSubscription(const EventStore& store, std::shared_ptr<LiveFeed> feed,
                                         GlobalPosition after_position, EventFilter filter,
                                         SubscribeOptions options,
                                         std::shared_ptr<LogPageCache> page_cache)
    : store_(store),
      feed_(std::move(feed)),
      filter_(filter),
      options_(options),
      buffer_(std::make_shared<SubscriberBuffer>(std::move(filter),
                                                 std::max<size_t>(1, options.live_buffer_events))),
      checkpoint_(after_position) {
  const bool unfiltered = filter_.stream_prefix.empty() && filter_.event_types.empty();
  if (page_cache != nullptr && unfiltered) cache_reader_.emplace(std::move(page_cache));
}

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
  // The common case while catching up, as the loop below would take it: the next event of the
  // page in hand, without reading the clock.
  if (!live_ && page_ != nullptr && page_next_ < page_->events.size() && !cancelled_ &&
      !feed_->closed()) {
    return NextOfPage();
  }
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
    const bool page_done = page_ == nullptr || page_next_ == page_->events.size();
    if (page_done && read_a_page && absl::Now() >= deadline) {
      // A selective filter over a long log: report progress rather than scan past the timeout.
      return absl::DeadlineExceededError("no matching event within the timeout");
    }
    if (!page_done) return NextOfPage();
    absl::StatusOr<std::shared_ptr<const LogPageCache::Page>> page = ReadPage();
    read_a_page = true;
    if (!page.ok()) return page.status();
    page_ = *std::move(page);
    page_next_ = 0;
    if (page_->events.empty()) {
      // Everything up to next_position - 1 was examined; none matched.
      if (page_->next_position > checkpoint_ + 1) checkpoint_ = page_->next_position - 1;
      if (end_of_log_) {
        if (feed_->TryJoin(buffer_, checkpoint_)) {
          if (cache_reader_.has_value()) cache_reader_->Leave();
          page_.reset();  // Empty, but with room for a page of events: not kept while live.
          live_ = true;
          return SignalMessage(SubscriptionMessage::Kind::kCaughtUp);
        }
      }
    }
  }
}

absl::StatusOr<std::shared_ptr<const LogPageCache::Page>> CatchUpSubscription::ReadPage() {
  const GlobalPosition from = checkpoint_ + 1;
  const size_t page_events = std::max<size_t>(1, options_.catch_up_page_events);
  // Shared pages end at multiples of the page size, so readers that started at different places
  // share them from their second page on.
  const size_t limit =
      cache_reader_.has_value() ? page_events - checkpoint_ % page_events : page_events;
  if (cache_reader_.has_value()) {
    if (std::shared_ptr<const LogPageCache::Page> page = cache_reader_->FindOrClaim(from, limit)) {
      end_of_log_ = false;  // A kept page is complete: the next read finds out.
      return page;
    }
  }
  absl::StatusOr<LogSlice> slice = store_.ReadAll(from, limit, filter_);
  if (!slice.ok()) {
    if (cache_reader_.has_value()) cache_reader_->Abandon(from);
    return slice.status();
  }
  auto page = std::make_shared<LogPageCache::Page>();
  page->events = std::move(slice->events);
  page->next_position = slice->next_position;
  end_of_log_ = slice->end_of_log;
  if (cache_reader_.has_value()) cache_reader_->Keep(from, limit, page);
  return page;
}

}  // namespace stipple::eventstore
