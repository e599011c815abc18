#ifndef STIPPLE_TESTS_EVENTSTORE_FORWARDING_STORE_H_
#define STIPPLE_TESTS_EVENTSTORE_FORWARDING_STORE_H_

// An EventStore that passes every call to another: tests derive from it and override only the
// calls they watch or bend.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eventstore/event_store.h"

namespace stipple::eventstore::testing {

class ForwardingStore : public EventStore {
 public:
  explicit ForwardingStore(EventStore& inner) : inner_(inner) {}

  absl::StatusOr<StreamAppendResult> Append(const StreamAppend& append) override {
    return inner_.Append(append);
  }
  absl::StatusOr<AppendResult> AppendMulti(const std::vector<StreamAppend>& parts) override {
    return inner_.AppendMulti(parts);
  }
  absl::StatusOr<StreamSlice> ReadStream(const std::string& stream, StreamVersion from_version,
                                         ReadDirection direction, size_t limit) const override {
    return inner_.ReadStream(stream, from_version, direction, limit);
  }
  absl::StatusOr<LogSlice> ReadAll(GlobalPosition from_position, size_t limit,
                                   const EventFilter& filter) const override {
    return inner_.ReadAll(from_position, limit, filter);
  }
  absl::StatusOr<std::optional<RecordedEvent>> FindEvent(
      const std::string& event_id) const override {
    return inner_.FindEvent(event_id);
  }
  GlobalPosition HeadPosition() const override { return inner_.HeadPosition(); }
  std::unique_ptr<Subscription> Subscribe(GlobalPosition after_position, EventFilter filter,
                                          SubscribeOptions options) override {
    return inner_.Subscribe(after_position, std::move(filter), options);
  }
  absl::StatusOr<VerifyReport> Verify(GlobalPosition from, GlobalPosition to) const override {
    return inner_.Verify(from, to);
  }

 protected:
  EventStore& inner() const { return inner_; }

 private:
  EventStore& inner_;
};

}  // namespace stipple::eventstore::testing

#endif  // STIPPLE_TESTS_EVENTSTORE_FORWARDING_STORE_H_
