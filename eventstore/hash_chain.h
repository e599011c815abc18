#ifndef STIPPLE_EVENTSTORE_HASH_CHAIN_H_
#define STIPPLE_EVENTSTORE_HASH_CHAIN_H_

// Tamper evidence: each event's hash covers the previous event's hash and its own canonical bytes,
// so changing any stored byte breaks the chain from that event on.

#include <string>
#include <string_view>

#include "eventstore/event.h"

namespace stipple::eventstore {

// The "previous hash" of the first event in the log.
inline constexpr EventHash kGenesisHash{};

// SHA-256(previous || canonical).
EventHash ChainHash(const EventHash& previous, std::string_view canonical);

std::string HashToHex(const EventHash& hash);

}  // namespace stipple::eventstore

#endif  // STIPPLE_EVENTSTORE_HASH_CHAIN_H_
