// The bytes a read model stores for a message: the same content always gives the same bytes, and
// they decode to that content.

#include "projections/deterministic_bytes.h"

#include <gtest/gtest.h>

#include "stipple/projections/v1/read_models.pb.h"

namespace stipple::projections {
namespace {

using Counters = projections::v1::ReportCounters;

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
}

TEST(DeterministicBytesTest, DecodesToTheSameContentAndHasTheEncodedSize) {
  Counters counters;
  counters.set_consultations(7);
  counters.set_no_shows(2);
  for (int i = 1; i <= 300; ++i) (*counters.mutable_days_between_sessions())[i] = i * 1000;
  const std::string bytes = DeterministicBytes(counters);
  EXPECT_EQ(bytes.size(), counters.ByteSizeLong());
  Counters decoded;
  ASSERT_TRUE(decoded.ParseFromString(bytes));
  EXPECT_EQ(decoded.consultations(), 7);
  EXPECT_EQ(decoded.no_shows(), 2);
  ASSERT_EQ(decoded.days_between_sessions_size(), 300);
  EXPECT_EQ(decoded.days_between_sessions().at(150), 150000);
  // Without maps there is one encoding: the plain one.
  Counters plain;
  plain.set_consultations(7);
  plain.set_no_shows(2);
  EXPECT_EQ(DeterministicBytes(plain), plain.SerializeAsString());
}

TEST(DeterministicBytesTest, AnEmptyMessageIsNoBytes) {
  EXPECT_EQ(DeterministicBytes(Counters()), "");
}

}  // namespace
}  // namespace stipple::projections
