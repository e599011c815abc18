#ifndef STIPPLE_EVENTSTORE_LOG_PAGE_CACHE_H_
#define STIPPLE_EVENTSTORE_LOG_PAGE_CACHE_H_

// Pages of the log that catch-up readers read lately, decoded and shared: when several
// subscriptions read the same stretch of the log (every read model rebuilding side by side), it is
// read from disk and decoded once. A page is dropped once every reader has moved past it; a
// reader that has asked for no page for a while (stalled, failed, or following the live feed
// without saying so) no longer holds pages back. Pages that would take the cache over its budget
// are not kept (a later reader reads them itself and keeps them then, as the readers behind it
// free room). Only complete pages are kept: one that reached the log's head may still grow.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "eventstore/event.h"

namespace stipple::eventstore {

class LogPageCache {
 public:
  // A page owns its events: a reader hands each one out as a pointer that shares the page's
  // ownership (std::shared_ptr's aliasing constructor), so holding one event keeps its page. The
  // events are one allocation rather than one each: a rebuild ran 1.055 x faster (RESULTS.md,
  // "The rebuild: the log's pages"). Events handed out are not counted in the budget.
  struct Page {
    std::vector<RecordedEvent> events;
    GlobalPosition next_position = 0;  // One past the last position the read examined.
  };

  explicit LogPageCache(size_t budget_bytes, absl::Duration idle_reader_after = absl::Seconds(5))
      : budget_bytes_(budget_bytes), idle_reader_after_(idle_reader_after) {}

  // A reader's place in the log while it reads pages: pages behind every reader's place are
  // dropped. Thread-compatible: one thread per reader.
  class Reader {
   public:
    explicit Reader(std::shared_ptr<LogPageCache> cache) : cache_(std::move(cache)) {}
    ~Reader() { Leave(); }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    // The page of `limit` events read from `from`, or null. Places this reader at `from`.
    std::shared_ptr<const Page> Find(GlobalPosition from, size_t limit);
    // As Find; but when another reader is reading that page, waits for it (up to `wait`) rather
    // than reading it too: readers folding side by side often reach a page at the same moment.
    // On null, this reader reads the page, and then Keeps it or Abandons the read.
    std::shared_ptr<const Page> FindOrClaim(GlobalPosition from, size_t limit,
                                            absl::Duration wait = absl::Seconds(1));
    // Keeps a page this reader read from `from` with `limit`, if complete and within budget.
    void Keep(GlobalPosition from, size_t limit, std::shared_ptr<const Page> page);
    // The read of the page from `from` failed: readers waiting for it read it themselves.
    void Abandon(GlobalPosition from);
    // Stops holding pages back (the reader follows the live feed now); the next Find places it
    // again.
    void Leave();

   private:
    const std::shared_ptr<LogPageCache> cache_;
    std::optional<uint64_t> id_;  // Set while placed.
  };

  size_t bytes() const;
  size_t pages() const;

 private:
  struct Kept {
    size_t limit;
    size_t bytes;
    std::shared_ptr<const Page> page;
  };
  static size_t ApproximateBytes(const Page& page);
  struct Place {
    GlobalPosition from;
    absl::Time at;  // When the reader last asked for a page.
  };
  // A page a reader is reading (FindOrClaim).
  struct Claim {
    size_t limit;
    uint64_t reader;
  };
  // Drops pages every reader that is still reading has moved past.
  void DropPassed() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Places `reader` (a new id when unset) at `from`, drops passed pages, and returns the page
  // kept from `from` with `limit`, or null.
  std::shared_ptr<const Page> PlaceAndFind(std::optional<uint64_t>& reader, GlobalPosition from,
                                           size_t limit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends `reader`'s claim on the page from `from`, if it holds it.
  void EndClaim(uint64_t reader, GlobalPosition from) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t budget_bytes_;
  const absl::Duration idle_reader_after_;
  mutable absl::Mutex mu_;
  std::map<GlobalPosition, Kept> pages_ ABSL_GUARDED_BY(mu_);    // By the position read from.
  std::map<uint64_t, Place> places_ ABSL_GUARDED_BY(mu_);        // By reader.
  std::map<GlobalPosition, Claim> claims_ ABSL_GUARDED_BY(mu_);  // By the position read from.
  uint64_t next_reader_id_ ABSL_GUARDED_BY(mu_) = 0;
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_LOG_PAGE_CACHE_H_
