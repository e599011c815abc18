#include "eventstore/log_page_cache.h"

#include <algorithm>
#include <cassert>
#include <limits>

namespace stipple::eventstore {

size_t LogPageCache::ApproximateBytes(const Page& page) {
  // The events and the heap parts of their strings.
  size_t bytes = sizeof(Page) + page.events.capacity() * sizeof(page.events[0]);
  for (const RecordedEvent& event : page.events) {
    bytes += event.event_id.capacity() + event.type.capacity() + event.stream.capacity() +
             event.payload.capacity() + event.metadata.actor.capacity() +
             event.metadata.location.capacity() + event.metadata.correlation_id.capacity() +
             event.metadata.causation_id.capacity();
  }
  return bytes;
}

void LogPageCache::Reader::Leave() {
  if (!id_.has_value()) return;
  absl::MutexLock lock(&cache_->mu_);
  cache_->places_.erase(*id_);
  std::erase_if(cache_->claims_, [this](const auto& claim) { return claim.second.reader == *id_; });
  id_.reset();
  cache_->DropPassed();
}

std::shared_ptr<const LogPageCache::Page> LogPageCache::PlaceAndFind(
    std::optional<uint64_t>& reader, GlobalPosition from, size_t limit) {
  if (!reader.has_value()) reader = next_reader_id_++;
  places_[*reader] = Place{from, absl::Now()};
  DropPassed();
  auto it = pages_.find(from);
  if (it == pages_.end() || it->second.limit != limit) return nullptr;
  return it->second.page;
}

void LogPageCache::EndClaim(uint64_t reader, GlobalPosition from) {
  auto claim = claims_.find(from);
  if (claim != claims_.end() && claim->second.reader == reader) claims_.erase(claim);
}

std::shared_ptr<const LogPageCache::Page> LogPageCache::Reader::Find(GlobalPosition from,
                                                                     size_t limit) {
  absl::MutexLock lock(&cache_->mu_);
  return cache_->PlaceAndFind(id_, from, limit);
}

std::shared_ptr<const LogPageCache::Page> LogPageCache::Reader::FindOrClaim(GlobalPosition from,
                                                                            size_t limit,
                                                                            absl::Duration wait) {
  LogPageCache& cache = *cache_;
  absl::MutexLock lock(&cache.mu_);
  if (auto page = cache.PlaceAndFind(id_, from, limit)) return page;
  auto claimed_by_another = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(cache.mu_) {
    auto claim = cache.claims_.find(from);
    return claim != cache.claims_.end() && claim->second.limit == limit &&
           claim->second.reader != *id_;
  };
  if (claimed_by_another()) {
    // Until the page is kept, or its read ends without keeping it (incomplete, over budget,
    // failed), or the wait is over.
    auto settled = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(cache.mu_) {
      auto it = cache.pages_.find(from);
      return (it != cache.pages_.end() && it->second.limit == limit) || !claimed_by_another();
    };
    cache.mu_.AwaitWithTimeout(absl::Condition(&settled), wait);
    if (auto page = cache.PlaceAndFind(id_, from, limit)) return page;
    if (claimed_by_another()) return nullptr;  // Waited long enough: read it too.
  }
  cache.claims_[from] = Claim{limit, *id_};
  return nullptr;
}

void LogPageCache::Reader::Abandon(GlobalPosition from) {
  if (!id_.has_value()) return;
  absl::MutexLock lock(&cache_->mu_);
  cache_->EndClaim(*id_, from);
}

void LogPageCache::Reader::Keep(GlobalPosition from, size_t limit,
                                std::shared_ptr<const Page> page) {
  if (!id_.has_value()) return;
  // Incomplete, the page may still grow: not kept.
  const bool complete = page->events.size() >= limit;
  // DropPassed relies on it: a passed page starts below the lowest reader's place.
  assert(!complete || page->next_position > from);
  const size_t bytes = complete ? ApproximateBytes(*page) : 0;
  absl::MutexLock lock(&cache_->mu_);
  cache_->EndClaim(*id_, from);
  if (!complete || cache_->bytes_ + bytes > cache_->budget_bytes_) return;
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
