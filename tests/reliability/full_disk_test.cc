// A full disk: the server runs on a small tmpfs the test mounts, and a filler file eats most of
// it. Commands are then refused with RESOURCE_EXHAUSTED (or UNAVAILABLE) and a clear message,
// reads keep working, nothing acknowledged is lost, and once the filler is deleted commands go
// through again and the read models catch up, without a restart.
//
// Mounting needs CAP_SYS_ADMIN (root in CI); without it the test is skipped and says so.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "eventstore/rocksdb_event_store.h"
#include "grpcpp/create_channel.h"
#include "projections/read_models.h"
#include "services/server.h"
#include "stipple/api/v1/queries.grpc.pb.h"
#include "tests/eventstore/store_fixture.h"
#include "tests/support/front_desk.h"

namespace stipple {
namespace {

namespace api = stipple::api::v1;
using eventstore::testing::TempDir;

// A tmpfs of `megabytes` at a fresh directory, unmounted with the object.
class SmallFilesystem {
 public:
  explicit SmallFilesystem(int megabytes) {
    const std::string options = absl::StrCat("size=", megabytes, "m");
    if (mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) != 0) {
      error_ = std::strerror(errno);
    }
  }
  ~SmallFilesystem() {
    if (error_.empty()) umount2(dir_.path().c_str(), MNT_DETACH);
  }
  bool mounted() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& path() const { return dir_.path(); }
  uint64_t free_bytes() const {
    struct statvfs stats {};
    statvfs(dir_.path().c_str(), &stats);
    return static_cast<uint64_t>(stats.f_bavail) * stats.f_frsize;
  }

 private:
  TempDir dir_;
  std::string error_;
};

void WriteFiller(const std::string& path, uint64_t bytes) {
  std::ofstream out(path, std::ios::binary);
  const std::string block(1 << 20, 'x');
  for (uint64_t written = 0; written < bytes && out; written += block.size()) {
    out.write(block.data(),
              static_cast<std::streamsize>(std::min<uint64_t>(block.size(), bytes - written)));
  }
}

class Server {
 public:
  explicit Server(const std::string& root) {
    eventstore::RocksDbEventStoreOptions options;
    options.path = root + "/events";
    auto store = eventstore::RocksDbEventStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto models = projections::ReadModels::Start(*store_, root + "/read_models");
    EXPECT_TRUE(models.ok()) << models.status();
    models_ = *std::move(models);
    auto server = services::StippleServer::Start("127.0.0.1:0", *store_, models_.get());
    EXPECT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  }
  ~Server() {
    server_->Shutdown(absl::Seconds(1));
    server_.reset();
    models_.reset();
  }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  eventstore::RocksDbEventStore& store() { return *store_; }

 private:
  std::unique_ptr<eventstore::RocksDbEventStore> store_;
  std::unique_ptr<projections::ReadModels> models_;
  std::unique_ptr<services::StippleServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST(FullDiskTest, WritesAreRefusedReadsWorkAndWritesResumeOnceSpaceIsFreed) {
  // Large enough that RocksDB finds room for a memtable flush (64 MiB) once the filler is gone.
  SmallFilesystem disk(160);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << disk.error();
  const std::string root = disk.path() + "/data";
  const std::string filler = disk.path() + "/filler";

  std::map<std::string, api::CommandResult> acknowledged;
  std::string first_client_id;
  uint64_t first_position = 0;
  {
    // Leave a few megabytes free before the server starts (a WAL it opened earlier would have
    // preallocated room), then write until the disk is full.
    WriteFiller(filler, disk.free_bytes() - (3 << 20));
    Server server(root);
    ASSERT_TRUE(testing::OpenLocations(*server.channel(), {"studio"}).ok());
    testing::FrontDeskOptions options;
    options.name = "desk";
    options.location_id = "studio";
    testing::FrontDesk desk(options);
    desk.Connect(server.channel());
    for (int i = 0; i < 50; ++i) {
      testing::CommandRecord record = desk.Step();
      ASSERT_TRUE(record.status.ok()) << record.status.error_message();
      acknowledged[record.request_id] = record.result;
      if (record.rpc == "RegisterClient" && first_client_id.empty()) {
        first_client_id = record.result.stream().substr(std::string("client-").size());
      }
      first_position = record.result.global_position();
    }
    grpc::Status refused;
    for (const absl::Time give_up = absl::Now() + absl::Minutes(3);
         refused.ok() && absl::Now() < give_up;) {
      testing::CommandRecord record = desk.Step();
      if (record.status.ok()) {
        acknowledged[record.request_id] = record.result;
      } else {
        refused = record.status;
      }
    }
    ASSERT_FALSE(refused.ok()) << "the disk never filled up";
    EXPECT_THAT(refused.error_code(), ::testing::AnyOf(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                                       grpc::StatusCode::UNAVAILABLE));
    EXPECT_THAT(refused.error_message(), ::testing::HasSubstr("disk space"));
    // Refused again while the disk stays full.
    testing::CommandRecord again = desk.Step();
    EXPECT_FALSE(again.status.ok());

    // Reads keep working: the log, and the read models.
    auto admin = api::AdminService::NewStub(server.channel());
    {
      grpc::ClientContext context;
      api::ReadStreamRequest request;
      request.set_stream("client-" + first_client_id);
      api::ReadEventsResponse response;
      grpc::Status status = admin->ReadStream(&context, request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
      EXPECT_GT(response.events_size(), 0);
    }
    auto queries = api::QueryService::NewStub(server.channel());
    {
      grpc::ClientContext context;
      api::GetClientSummaryRequest request;
      request.set_client_id(first_client_id);
      request.set_min_position(first_position);
      projections::v1::ClientSummary summary;
      grpc::Status status = queries->GetClientSummary(&context, request, &summary);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }

    // Space is freed: commands go through again, without a restart, and the read models
    // catch up with them.
    std::filesystem::remove(filler);
    grpc::Status resumed = grpc::Status(grpc::StatusCode::UNKNOWN, "not tried");
    api::CommandResult last;
    for (int i = 0; i < 200 && !resumed.ok(); ++i) {
      testing::CommandRecord record = desk.Step();
      resumed = record.status;
      if (resumed.ok()) {
        acknowledged[record.request_id] = record.result;
        last = record.result;
      } else {
        absl::SleepFor(absl::Milliseconds(100));
      }
    }
    ASSERT_TRUE(resumed.ok()) << resumed.error_message();
    for (int i = 0; i < 20; ++i) {
      testing::CommandRecord record = desk.Step();
      ASSERT_TRUE(record.status.ok()) << record.status.error_message();
      acknowledged[record.request_id] = record.result;
      last = record.result;
    }
    {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
      api::ListClientsRequest request;
      request.set_location_id("studio");
      request.set_min_position(last.global_position());
      api::ListClientsResponse response;
      grpc::Status status = queries->ListClients(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
  }

  // After a restart every acknowledged command's events are there and the chain verifies.
  eventstore::RocksDbEventStoreOptions options;
  options.path = root + "/events";
  auto store = eventstore::RocksDbEventStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  auto verified = (*store)->Verify(1, (*store)->HeadPosition());
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok) << verified->reason;
  for (const auto& [request_id, result] : acknowledged) {
    auto event = (*store)->FindEvent(request_id + "/0");
    ASSERT_TRUE(event.ok()) << event.status();
    EXPECT_TRUE(event->has_value()) << "acknowledged " << request_id << " is lost";
  }
}

}  // namespace
}  // namespace stipple
