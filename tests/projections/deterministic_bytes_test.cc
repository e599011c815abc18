// The bytes a read model stores for a message: the same content always gives the same bytes,
// the same bytes as protobuf's deterministic encoder through a string stream (what stored models
// and request digests were written with), and they decode to that content.

#include "projections/deterministic_bytes.h"

#include <gtest/gtest.h>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "stipple/projections/v1/read_models.pb.h"

namespace stipple::projections {
namespace {

using Counters = projections::v1::ReportCounters;

// Protobuf's deterministic encoding through a growing string stream.
std::string ThroughAStringStream(const google::protobuf::MessageLite& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

TEST(DeterministicBytesTest, MapsInAnyInsertionOrderGiveTheSameBytes) {
  Counters ascending;
  Counters descending;
  for (int i = 0; i < 50; ++i) {
    (*ascending.mutable_sessions_completed_by_number())[i] = 100 + i;
    (*descending.mutable_sessions_completed_by_number())[49 - i] = 149 - i;
  }
  ascending.set_consultations(3);
  descending.set_consultations(3);
  EXPECT_EQ(DeterministicBytes(ascending), DeterministicBytes(descending));
  EXPECT_EQ(DeterministicBytes(descending), ThroughAStringStream(ascending));
}

TEST(DeterministicBytesTest, SameBytesAsTheStringStreamEncoderForNestedMessages) {
  projections::v1::ClientSummary summary;
  summary.set_client_id("client-0042");
  summary.set_full_name("Ada Lovelace");
  summary.set_phase(projections::v1::PHASE_IN_TREATMENT);
  summary.add_locations_visited("london");
  summary.add_locations_visited("leeds");
  summary.mutable_next_session()->set_location_id("london");
  summary.mutable_next_session()->mutable_start_time()->set_seconds(1'780'000'000);
  summary.mutable_last_completed_session()->set_duration_minutes(270);
  summary.mutable_registered_at()->set_nanos(5);
  EXPECT_EQ(DeterministicBytes(summary), ThroughAStringStream(summary));
  Counters counters;  // Short (under the stream's 16-byte slop) and long.
  counters.set_no_shows(1);
  EXPECT_EQ(DeterministicBytes(counters), ThroughAStringStream(counters));
  for (int i = 1; i <= 300; ++i) (*counters.mutable_days_between_sessions())[i] = i * 1000;
  EXPECT_EQ(DeterministicBytes(counters), ThroughAStringStream(counters));
}

TEST(DeterministicBytesTest, DecodesToTheSameContent) {
  Counters counters;
  counters.set_consultations(7);
  counters.set_no_shows(2);
  for (int i = 1; i <= 300; ++i) (*counters.mutable_days_between_sessions())[i] = i * 1000;
  Counters decoded;
  ASSERT_TRUE(decoded.ParseFromString(DeterministicBytes(counters)));
  EXPECT_EQ(decoded.consultations(), 7);
  EXPECT_EQ(decoded.no_shows(), 2);
  ASSERT_EQ(decoded.days_between_sessions_size(), 300);
  EXPECT_EQ(decoded.days_between_sessions().at(150), 150000);
}

TEST(DeterministicBytesTest, AnEmptyMessageIsNoBytes) {
  EXPECT_EQ(DeterministicBytes(Counters()), "");
}

}  // namespace
}  // namespace stipple::projections
