#ifndef STIPPLE_EVENTSTORE_KEYS_H_
#define STIPPLE_EVENTSTORE_KEYS_H_

// The on-disk layout's constants and key encodings. FORMAT.md describes them in prose.
// Integers in keys are big-endian so that byte order is numeric order.

#include <cstdint>
#include <string>

#include "eventstore/event.h"

namespace stipple::eventstore {

// Bumped whenever a key or value encoding changes; checked on open.
inline constexpr uint32_t kFormatVersion = 1;

inline constexpr char kMetaColumnFamily[] = "default";
inline constexpr char kEventsColumnFamily[] = "events";
inline constexpr char kStreamsColumnFamily[] = "streams";
inline constexpr char kStreamIndexColumnFamily[] = "stream_index";
inline constexpr char kEventIdsColumnFamily[] = "event_ids";

inline constexpr char kFormatVersionKey[] = "format_version";

// Separates a stream name from its version in stream_index keys; stream names may not contain it.
inline constexpr char kStreamKeySeparator = '\0';

std::string EncodeU64(uint64_t value);  // 8 bytes, big-endian.
uint64_t DecodeU64(const char* bytes);  // Reads 8 big-endian bytes.
std::string EncodeU32(uint32_t value);  // 4 bytes, big-endian.
uint32_t DecodeU32(const char* bytes);  // Reads 4 big-endian bytes.

// events: position → record.
inline std::string EventKey(GlobalPosition position) { return EncodeU64(position); }

// stream_index: stream + separator + version → position.
std::string StreamIndexKey(const std::string& stream, StreamVersion version);
// The smallest key after every stream_index key of `stream`: an iterate_upper_bound.
std::string StreamIndexUpperBound(const std::string& stream);
// The first stream_index key of `stream` (version 0 is never stored): an iterate_lower_bound.
inline std::string StreamIndexLowerBound(const std::string& stream) {
  return StreamIndexKey(stream, 0);
}

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_KEYS_H_
