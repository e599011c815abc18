// Writes the record decoder's seed corpus: stored records of a few typical events.
//   write_record_seeds DIR

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "eventstore/hash_chain.h"
#include "eventstore/record_codec.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  using namespace stipple::eventstore;
  EventHash previous = kGenesisHash;
  const std::string payloads[] = {"", "x", std::string(200, 'p'), std::string("\0\1\2\3", 4)};
  for (int i = 0; i < 4; ++i) {
    RecordedEvent event;
    event.event_id = absl::StrCat("req-", i, "/0");
    event.type = i % 2 ? "client.SessionCompleted.v1" : "client.Registered.v1";
    event.stream = absl::StrCat("client-c", i);
    event.stream_version = i + 1;
    event.position = 1000 + i;
    event.recorded_at = absl::FromUnixMicros(1780000000000000 + i);
    event.payload = payloads[i];
    event.metadata.actor = i ? "artist-1" : "";
    event.metadata.location = "studio-north";
    event.metadata.correlation_id = event.event_id;
    event.metadata.causation_id = absl::StrCat("req-", i, "@0123456789ab");
    event.hash = ChainHash(previous, EncodeCanonical(event));
    previous = event.hash;
    std::ofstream(absl::StrCat(argv[1], "/record-", i), std::ios::binary)
        << EncodeStoredRecord(event);
  }
  return 0;
}
