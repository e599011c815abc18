#include "services/command_handler.h"

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "services/domain/errors.h"

namespace stipple::services {
namespace {

constexpr size_t kMaxRequestIdBytes = 100;  // Leaves room for "/<k>" within event id limits.
constexpr size_t kReadPage = 1000;

std::string EventId(const std::string& request_id, size_t k) {
  return absl::StrCat(request_id, "/", k);
}

absl::Status ValidateContext(const CommandContext& context) {
  if (!context.request_shape.ok()) return context.request_shape;
  if (context.request_id.empty()) {
    return domain::InvalidField("context.request_id", "must not be empty");
  }
  if (context.request_id.size() > kMaxRequestIdBytes) {
    return domain::InvalidField("context.request_id",
                                absl::StrCat("longer than ", kMaxRequestIdBytes, " bytes"));
  }
  if (context.actor.empty()) return domain::InvalidField("context.actor", "must not be empty");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<CommandOutcome>> CommandHandler::FindEarlierResult(
    const CommandContext& context, const std::string& causation) {
  std::optional<CommandOutcome> outcome;
  for (size_t k = 0;; ++k) {
    absl::StatusOr<std::optional<eventstore::RecordedEvent>> event =
        store_.FindEvent(EventId(context.request_id, k));
    if (!event.ok()) return event.status();
    if (!event->has_value()) break;
    const eventstore::RecordedEvent& found = **event;
    if (k == 0 && found.metadata.causation_id != causation) {
      return domain::RequestIdReused(context.request_id);
    }
    if (!outcome.has_value()) outcome = CommandOutcome{found.stream, 0, 0, {}};
    if (found.stream == outcome->stream) {
      outcome->stream_version = std::max(outcome->stream_version, found.stream_version);
      outcome->payloads.push_back(found.payload);
    }
    outcome->position = std::max(outcome->position, found.position);
  }
  return outcome;
}

absl::StatusOr<eventstore::StreamVersion> StreamReader::ReadAfter(const std::string& stream,
                                                                  eventstore::StreamVersion after,
                                                                  domain::History& history) {
  eventstore::StreamVersion version = after;
  while (true) {
    absl::StatusOr<eventstore::StreamSlice> slice =
        store_.ReadStream(stream, version + 1, eventstore::ReadDirection::kForwards, kReadPage);
    if (!slice.ok()) return slice.status();
    for (eventstore::RecordedEvent& event : slice->events) {
      version = event.stream_version;
      history.push_back({std::move(event.event_id), std::move(event.payload)});
    }
    if (slice->end_of_stream) return version;
  }
}

absl::StatusOr<const domain::History*> StreamReader::Read(const std::string& stream) {
  if (auto it = histories_.find(stream); it != histories_.end()) return &it->second;
  domain::History history;
  absl::StatusOr<eventstore::StreamVersion> version = ReadAfter(stream, 0, history);
  if (!version.ok()) return version.status();
  // A stream folded earlier in this decision keeps the version it was folded at.
  versions_.try_emplace(stream, *version);
  return &(histories_[stream] = std::move(history));
}

void StreamReader::Appended(const std::string& stream,
                            const std::vector<eventstore::ProposedEvent>& events,
                            eventstore::StreamVersion new_version) {
  auto it = cache_after_append_.find(stream);
  if (it == cache_after_append_.end()) return;
  // A replay returns the original append's result. Its events follow the version this decision
  // read only if the decision read what the original read, and then they are the same events.
  auto read = versions_.find(stream);
  if (read == versions_.end() || new_version != read->second + events.size()) return;
  domain::History appended;
  appended.reserve(events.size());
  for (const eventstore::ProposedEvent& event : events) {
    appended.push_back({event.event_id, event.payload});
  }
  it->second(appended, new_version);
}

absl::StatusOr<CommandOutcome> CommandHandler::Handle(const CommandContext& context,
                                                      const Decider& decide) {
  if (absl::Status valid = ValidateContext(context); !valid.ok()) return valid;
  eventstore::EventMetadata metadata;
  metadata.actor = context.actor;
  metadata.location = context.location_id;
  metadata.correlation_id =
      context.correlation_id.empty() ? context.request_id : context.correlation_id;
  metadata.causation_id = context.request_digest.empty()
                              ? context.request_id
                              : absl::StrCat(context.request_id, "@", context.request_digest);

  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    absl::StatusOr<std::optional<CommandOutcome>> earlier =
        FindEarlierResult(context, metadata.causation_id);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) return **earlier;

    StreamReader reader(store_, &states_, clock_());
    absl::StatusOr<std::vector<StreamWrite>> writes = decide(reader);
    if (!writes.ok()) return writes.status();
    const auto& versions = reader.versions();

    std::vector<eventstore::StreamAppend> parts;
    size_t k = 0;
    for (StreamWrite& write : *writes) {
      if (write.events.empty()) continue;
      eventstore::StreamAppend& part = parts.emplace_back();
      part.stream = write.stream;
      auto version = versions.find(write.stream);
      // A stream the decision did not read must not exist yet.
      part.expected_version = version != versions.end()
                                  ? eventstore::ExpectedVersion::Exactly(version->second)
                                  : eventstore::ExpectedVersion::NoStream();
      for (EncodedEvent& event : write.events) {
        part.events.push_back(
            {EventId(context.request_id, k++), std::move(event.type), event.payload, metadata});
      }
    }
    if (parts.empty()) return absl::InternalError("the decision wrote no event");

    absl::StatusOr<eventstore::AppendResult> appended = store_.AppendMulti(parts);
    if (appended.ok()) {
      for (size_t i = 0; i < parts.size(); ++i) {
        reader.Appended(parts[i].stream, parts[i].events, appended->streams[i].new_version);
      }
      const eventstore::StreamAppendResult& first = appended->streams.front();
      CommandOutcome outcome{first.stream, first.new_version, appended->last_position(), {}};
      for (const eventstore::ProposedEvent& event : parts.front().events) {
        outcome.payloads.push_back(event.payload);
      }
      return outcome;
    }
    // A conflict: someone wrote in between; decide again on fresh state. ALREADY_EXISTS: a
    // concurrent retry of this request won; the next pass finds and returns its result.
    if (!eventstore::WrongExpectedVersionFromStatus(appended.status()).has_value() &&
        appended.status().code() != absl::StatusCode::kAlreadyExists) {
      return appended.status();
    }
  }
  return absl::AbortedError(absl::StrCat("the streams kept changing through ", kMaxAttempts,
                                         " attempts; retry the request"));
}

}  // namespace stipple::services
