#include "eventstore/record_codec.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "eventstore/hash_chain.h"

namespace stipple::eventstore {
namespace {

RecordedEvent SampleEvent() {
  RecordedEvent event;
  event.event_id = "id-1";
  event.type = "Client.Registered";
  event.stream = "client-1";
  event.stream_version = 3;
  event.position = 42;
  event.recorded_at = absl::FromUnixMicros(1'764'000'000'123'456);
  event.payload = std::string("\0\x01payload", 9);
  event.metadata = {"artist-1", "location-2", "corr", "cause", 2};
  event.hash = ChainHash(kGenesisHash, EncodeCanonical(event));
  return event;
}

TEST(RecordCodecTest, RoundTripsEveryField) {
  RecordedEvent event = SampleEvent();
  auto decoded = DecodeStoredRecord(EncodeStoredRecord(event));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->event_id, event.event_id);
  EXPECT_EQ(decoded->type, event.type);
  EXPECT_EQ(decoded->stream, event.stream);
  EXPECT_EQ(decoded->stream_version, event.stream_version);
  EXPECT_EQ(decoded->position, event.position);
  EXPECT_EQ(decoded->recorded_at, event.recorded_at);
  EXPECT_EQ(decoded->payload, event.payload);
  EXPECT_EQ(decoded->metadata, event.metadata);
  EXPECT_EQ(decoded->hash, event.hash);
}

TEST(RecordCodecTest, TruncatedOrExtendedRecordsAreDataLoss) {
  std::string stored = EncodeStoredRecord(SampleEvent());
  for (size_t cut : {size_t{0}, size_t{10}, size_t{33}, stored.size() - 33}) {
    EXPECT_EQ(DecodeStoredRecord(stored.substr(0, cut)).status().code(),
              absl::StatusCode::kDataLoss)
        << "cut at " << cut;
  }
  // A byte more before the 32-byte hash. (Built by concatenation: GCC 12 -O3 reports a false
  // -Wrestrict on string::insert here.)
  const std::string extended =
      stored.substr(0, stored.size() - 32) + "x" + stored.substr(stored.size() - 32);
  EXPECT_EQ(DecodeStoredRecord(extended).status().code(), absl::StatusCode::kDataLoss);
  std::string unknown_format = stored;
  unknown_format[0] = 9;
  EXPECT_EQ(DecodeStoredRecord(unknown_format).status().code(), absl::StatusCode::kDataLoss);
}

TEST(RecordCodecTest, ChainHashDependsOnThePreviousHash) {
  RecordedEvent event = SampleEvent();
  std::string canonical = EncodeCanonical(event);
  EventHash other_previous{};
  other_previous[0] = 1;
  EXPECT_NE(ChainHash(kGenesisHash, canonical), ChainHash(other_previous, canonical));
  EXPECT_EQ(HashToHex(ChainHash(kGenesisHash, canonical)).size(), 64u);
}

// FORMAT.md's rule, so an auditor can check the chain with any SHA-256 tool: hash(n) =
// SHA-256(hash(n-1) || canonical bytes). Expected values from Python's hashlib.
TEST(RecordCodecTest, ChainHashIsSha256OfThePreviousHashAndTheCanonicalBytes) {
  EventHash counting{};
  for (size_t i = 0; i < counting.size(); ++i) counting[i] = static_cast<uint8_t>(i);
  // Twice on this thread (its digest context is reused) and once on another.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(HashToHex(ChainHash(kGenesisHash, "abc")),
              "365aa7d8f7f9402c4b9434502b4cc89ddb09fe50d7cd95b493b834c62d5a5370");
    EXPECT_EQ(HashToHex(ChainHash(counting, "")),
              "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd");
  }
  std::string on_another_thread;
  std::thread([&] { on_another_thread = HashToHex(ChainHash(kGenesisHash, "abc")); }).join();
  EXPECT_EQ(on_another_thread, "365aa7d8f7f9402c4b9434502b4cc89ddb09fe50d7cd95b493b834c62d5a5370");
}

// An OpenSSL that cannot give SHA-256 (here: configured with only its null provider) stops the
// process with OpenSSL's reason, rather than write a chain nobody could verify.
TEST(RecordCodecDeathTest, ChainHashStopsWithOpenSslsReasonWithoutSha256) {
  // A fresh process, so OpenSSL reads this configuration when it starts.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string config = ::testing::TempDir() + "openssl-null-provider.cnf";
  std::ofstream(config) << "openssl_conf = openssl_init\n"
                           "[openssl_init]\nproviders = provider_sect\n"
                           "[provider_sect]\nnull = null_sect\n"
                           "[null_sect]\nactivate = 1\n";
  EXPECT_DEATH(
      {
        setenv("OPENSSL_CONF", config.c_str(), 1);
        ChainHash(kGenesisHash, "abc");
      },
      "SHA-256 of the event hash chain failed:(.|\n)*unsupported");
  std::remove(config.c_str());
}

}  // namespace
}  // namespace stipple::eventstore
