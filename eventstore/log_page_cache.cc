#include "eventstore/log_page_cache.h"

#include <algorithm>
#include <cassert>
#include <limits>

namespace stipple::eventstore {

size_t LogPageCache::ApproximateBytes(const Page& page) {
  // The event, its control block and the heap parts of its strings.
  constexpr size_t kPerEvent = sizeof(RecordedEvent) + 32;
  size_t bytes = sizeof(Page) + page.events.capacity() * sizeof(page.events[0]);
  for (const auto& event : page.events) {
    bytes += kPerEvent + event->event_id.capacity() + event->type.capacity() +
             event->stream.capacity() + event->payload.capacity() +
             event->metadata.actor.capacity() + event->metadata.location.capacity() +
             event->metadata.correlation_id.capacity() + event->metadata.causation_id.capacity();
  }
  return bytes;
}

void LogPageCache::Reader::Leave() {
  if (!id_.has_value()) return;
  absl::MutexLock lock(&cache_->mu_);
  cache_->places_.erase(*id_);
  id_.reset();
  cache_->DropPassed();
}

std::shared_ptr<const LogPageCache::Page> LogPageCache::Reader::Find(GlobalPosition from,
                                                                     size_t limit) {
  absl::MutexLock lock(&cache_->mu_);
  if (!id_.has_value()) id_ = cache_->next_reader_id_++;
  cache_->places_[*id_] = Place{from, absl::Now()};
  cache_->DropPassed();
  auto it = cache_->pages_.find(from);
  if (it == cache_->pages_.end() || it->second.limit != limit) return nullptr;
  return it->second.page;
}

void LogPageCache::Reader::Keep(GlobalPosition from, size_t limit,
                                std::shared_ptr<const Page> page) {
  if (!id_.has_value() || page->events.size() < limit) return;  // Incomplete: may still grow.
  // DropPassed relies on it: a passed page starts below the lowest reader's place.
  assert(page->next_position > from);
  const size_t bytes = ApproximateBytes(*page);
  absl::MutexLock lock(&cache_->mu_);
  if (cache_->bytes_ + bytes > cache_->budget_bytes_) return;
  auto [it, inserted] = cache_->pages_.try_emplace(from, Kept{limit, bytes, std::move(page)});
  if (inserted) cache_->bytes_ += bytes;
}

void LogPageCache::DropPassed() {
  const absl::Time idle_since = absl::Now() - idle_reader_after_;
  GlobalPosition lowest = std::numeric_limits<GlobalPosition>::max();
  for (const auto& [id, place] : places_) {
    if (place.at >= idle_since) lowest = std::min(lowest, place.from);
  }
  // A page is passed once every reader reads from beyond its last position, so it starts below
  // the lowest place: the pages from there on are not looked at (every reader calls this for
  // every page it reads, and hundreds of pages may be kept).
  for (auto it = pages_.begin(); it != pages_.end() && it->first < lowest;) {
    if (it->second.page->next_position <= lowest) {
      bytes_ -= it->second.bytes;
      it = pages_.erase(it);
    } else {
      ++it;
    }
  }
}

size_t LogPageCache::bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}

size_t LogPageCache::pages() const {
  absl::MutexLock lock(&mu_);
  return pages_.size();
}

}  // namespace stipple::eventstore
