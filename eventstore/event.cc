#include "eventstore/event.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace stipple::eventstore {

bool ExpectedVersion::IsSatisfiedBy(StreamVersion current) const {
  switch (kind_) {
    case Kind::kAny:
      return true;
    case Kind::kNoStream:
      return current == 0;
    case Kind::kStreamExists:
      return current > 0;
    case Kind::kExact:
      return current == version_;
  }
  return false;
}

std::string ExpectedVersion::ToString() const {
  switch (kind_) {
    case Kind::kAny:
      return "any";
    case Kind::kNoStream:
      return "no stream";
    case Kind::kStreamExists:
      return "stream exists";
    case Kind::kExact:
      return absl::StrCat("version ", version_);
  }
  return "unknown";
}

GlobalPosition AppendResult::last_position() const {
  GlobalPosition last = 0;
  for (const StreamAppendResult& part : streams) {
    if (!part.positions.empty()) last = std::max(last, part.positions.back());
  }
  return last;
}

bool EventFilter::Matches(const RecordedEvent& event) const {
  if (!stream_prefix.empty() &&
      !absl::StartsWith(absl::string_view(event.stream.data(), event.stream.size()),
                        absl::string_view(stream_prefix.data(), stream_prefix.size()))) {
    return false;
  }
  return event_types.empty() ||
         std::find(event_types.begin(), event_types.end(), event.type) != event_types.end();
}

}  // namespace stipple::eventstore
