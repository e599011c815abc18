// Tamper evidence: one changed byte in RocksDB makes Verify fail at exactly that position.

#include <gtest/gtest.h>

#include <functional>

#include "absl/strings/str_cat.h"
#include "eventstore/keys.h"
#include "tests/eventstore/store_fixture.h"

namespace stipple::eventstore {
namespace {

using testing::Event;
using testing::Part;
using testing::StoreTest;

class TamperTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    for (int i = 1; i <= 20; ++i) {
      ASSERT_TRUE(
          store_
              ->Append(Part(absl::StrCat("client-", i % 3), ExpectedVersion::Any(),
                            {Event(absl::StrCat("e", i), "T", absl::StrCat("payload ", i))}))
              .ok());
    }
    store_.reset();
  }

  // Runs `edit` on the raw stored record at `position`, with RocksDB opened directly (the event
  // store closed), and writes the edited bytes back.
  void EditStoredRecord(GlobalPosition position, const std::function<void(std::string&)>& edit) {
    std::vector<rocksdb::ColumnFamilyDescriptor> families = testing::StoreColumnFamilies();
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open({}, db_path(), families, &handles, &db).ok());
    std::string value;
    ASSERT_TRUE(db->Get({}, handles[1], EventKey(position), &value).ok());
    edit(value);
    ASSERT_TRUE(db->Put({}, handles[1], EventKey(position), value).ok());
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    delete db;
  }

  void FlipBit(GlobalPosition position, size_t offset_from_start) {
    EditStoredRecord(position, [offset_from_start](std::string& value) {
      ASSERT_LT(offset_from_start, value.size());
      value[offset_from_start] = static_cast<char>(value[offset_from_start] ^ 0x01);
    });
  }

  VerifyReport VerifyAll() {
    auto report = store_->Verify(1, store_->HeadPosition());
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : VerifyReport{};
  }
};

TEST_F(TamperTest, UntouchedLogVerifies) {
  Reopen();
  VerifyReport report = VerifyAll();
  EXPECT_TRUE(report.ok) << report.reason;
  EXPECT_EQ(report.events_checked, 20u);
}

TEST_F(TamperTest, ChangedPayloadByteFailsAtThatPosition) {
  EditStoredRecord(7, [](std::string& value) {
    size_t payload_at = value.find("payload 7");
    ASSERT_NE(payload_at, std::string::npos);
    value[payload_at + 8] = '6';  // One byte: "payload 7" becomes "payload 6".
  });
  Reopen();
  VerifyReport report = VerifyAll();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_position, 7u);
  EXPECT_NE(report.reason.find("hash mismatch"), std::string::npos) << report.reason;

  auto earlier = store_->Verify(1, 6);
  ASSERT_TRUE(earlier.ok());
  EXPECT_TRUE(earlier->ok) << earlier->reason;
}

TEST_F(TamperTest, ChangedStoredHashFailsAtThatPosition) {
  EditStoredRecord(12, [](std::string& value) {
    value[value.size() - 5] ^= 0x01;  // Inside the hash: the record's last 32 bytes.
  });
  Reopen();
  VerifyReport report = VerifyAll();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_position, 12u);
}

TEST_F(TamperTest, ChangedMetadataByteFailsAtThatPosition) {
  // Bytes 1..8 hold the position, 9..16 the stream version: change the version's low byte.
  FlipBit(3, 16);
  Reopen();
  VerifyReport report = VerifyAll();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_position, 3u);
}

}  // namespace
}  // namespace stipple::eventstore
