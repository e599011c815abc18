// Crash torture: stippled as a child process takes commands from 16 front desks at once and is
// killed with SIGKILL at a random moment, then restarted on the same data, over and over. After
// every kill: every acknowledged command's events are in the log exactly once, every append is
// whole, the hash chain verifies, and each read model equals a fresh rebuild from the log.
// Desks resend unanswered commands with the same request id after the restart.
//
// STIPPLE_TORTURE_CYCLES sets the number of kills (default 10). Beyond ten, the whole log and the
// read models (against a rebuild) are checked after every tenth kill and the last; after the
// others, the part of the log written since the last check and the new acknowledgements.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "eventstore/rocksdb_event_store.h"
#include "grpcpp/create_channel.h"
#include "projections/read_models.h"
#include "tests/eventstore/store_fixture.h"
#include "tests/projections/read_model_dump.h"
#include "tests/support/front_desk.h"
#include "tests/support/stippled_process.h"

namespace stipple {
namespace {

using eventstore::testing::TempDir;

constexpr int kDesks = 16;
const std::vector<std::string> kLocations = {"studio-north", "studio-south"};
const std::vector<std::string> kProjections = {"client_summary", "client_history",
                                               "artist_schedule", "reports"};

int Cycles() {
  int cycles = 10;
  if (const char* value = std::getenv("STIPPLE_TORTURE_CYCLES")) {
    if (!absl::SimpleAtoi(value, &cycles)) cycles = 10;
  }
  return cycles;
}

// The request id an event was written for: event ids are "<request id>/<ordinal>".
std::pair<std::string, int> SplitEventId(const std::string& event_id) {
  const size_t slash = event_id.rfind('/');
  int ordinal = -1;
  if (slash == std::string::npos || !absl::SimpleAtoi(event_id.substr(slash + 1), &ordinal)) {
    return {event_id, -1};
  }
  return {event_id.substr(0, slash), ordinal};
}

std::map<std::string, std::map<std::string, std::string>> DumpCaughtUp(
    projections::ReadModels& models, eventstore::GlobalPosition head) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const std::string& name : kProjections) {
    projections::ProjectionRunner* runner = models.runner(name);
    absl::Status caught_up = runner->WaitFor(head, absl::Now() + absl::Seconds(300));
    EXPECT_TRUE(caught_up.ok()) << name << ": " << caught_up;
    EXPECT_TRUE(runner->health().ok()) << name << ": " << runner->health();
    out[name] = testing::Dump(*runner->serving());
  }
  return out;
}

// What the checks after earlier kills found in the log. Recovered events stay (the store synced
// them, or opened and kept them), so a check can start where the last one ended.
struct CheckedLog {
  struct Written {
    int events = 0;
    eventstore::GlobalPosition first = 0;
  };
  eventstore::GlobalPosition head = 0;        // Verified and read up to here.
  std::map<std::string, Written> by_request;  // Each request's events.
  std::set<std::string> event_ids;
  std::set<std::string> confirmed;  // Acknowledged requests found at their stream versions.
};

// Checks the data stippled left behind against what it acknowledged: the part of the log after
// `checked->head`, and the acknowledgements not yet confirmed; `full`: everything from the start.
void CheckAfterKill(const std::string& data_dir, const std::string& scratch_dir,
                    const std::map<std::string, api::v1::CommandResult>& acknowledged, bool full,
                    CheckedLog* checked) {
  if (full) *checked = CheckedLog();
  eventstore::RocksDbEventStoreOptions options;
  options.path = data_dir + "/events";
  auto store = eventstore::RocksDbEventStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  const eventstore::GlobalPosition head = (*store)->HeadPosition();
  ASSERT_GE(head, checked->head) << "the log lost events it held at the last check";

  if (head > checked->head) {
    auto verified = (*store)->Verify(checked->head + 1, head);
    ASSERT_TRUE(verified.ok()) << verified.status();
    EXPECT_TRUE(verified->ok) << "position " << verified->first_bad_position << ": "
                              << verified->reason;
    EXPECT_EQ(verified->events_checked, head - checked->head);
  }

  // Each request's events: ordinals 0..n-1 at consecutive positions, each event id once.
  for (eventstore::GlobalPosition from = checked->head + 1; from <= head;) {
    auto slice = (*store)->ReadAll(from, 1000, {});
    ASSERT_TRUE(slice.ok()) << slice.status();
    for (const eventstore::RecordedEvent& event : slice->events) {
      ASSERT_TRUE(checked->event_ids.insert(event.event_id).second)
          << event.event_id << " is in the log twice";
      auto [request, ordinal] = SplitEventId(event.event_id);
      CheckedLog::Written& written = checked->by_request[request];
      if (written.events == 0) written.first = event.position;
      ASSERT_EQ(ordinal, written.events) << event.event_id << ": append is not whole";
      ASSERT_EQ(event.position, written.first + ordinal) << event.event_id;
      ++written.events;
    }
    if (slice->end_of_log) break;
    from = slice->next_position;
  }
  checked->head = head;

  for (const auto& [request_id, result] : acknowledged) {
    if (checked->confirmed.contains(request_id)) continue;
    auto it = checked->by_request.find(request_id);
    ASSERT_NE(it, checked->by_request.end()) << "acknowledged " << request_id << " is lost";
    const CheckedLog::Written& written = it->second;
    EXPECT_GE(result.global_position(), written.first) << request_id;
    EXPECT_LT(result.global_position(), written.first + written.events) << request_id;
    auto at_version = (*store)->ReadStream(result.stream(), result.stream_version(),
                                           eventstore::ReadDirection::kForwards, 1);
    ASSERT_TRUE(at_version.ok()) << at_version.status();
    ASSERT_EQ(at_version->events.size(), 1u) << request_id;
    EXPECT_EQ(SplitEventId(at_version->events.front().event_id).first, request_id);
    checked->confirmed.insert(request_id);
  }

  // The read models stippled left (caught up from their checkpoints) against a fresh rebuild.
  if (full) {
    auto recovered = projections::ReadModels::Start(**store, data_dir + "/read_models");
    ASSERT_TRUE(recovered.ok()) << recovered.status();
    auto rebuilt = projections::ReadModels::Start(**store, scratch_dir);
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
    auto recovered_dump = DumpCaughtUp(**recovered, head);
    auto rebuilt_dump = DumpCaughtUp(**rebuilt, head);
    for (const std::string& name : kProjections) {
      EXPECT_EQ(recovered_dump[name].size(), rebuilt_dump[name].size()) << name;
      EXPECT_TRUE(recovered_dump[name] == rebuilt_dump[name]) << name << " differs from a rebuild";
    }
  }
  std::filesystem::remove_all(scratch_dir);
}

TEST(CrashTortureTest, AcknowledgedCommandsSurviveSigkillAndProjectionsMatchARebuild) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/data";
  std::mt19937_64 random(std::random_device{}());

  std::vector<std::unique_ptr<testing::FrontDesk>> desks;
  for (int d = 0; d < kDesks; ++d) {
    testing::FrontDeskOptions options;
    options.name = absl::StrCat("desk", d);
    options.location_id = kLocations[d % kLocations.size()];
    options.schedule_lead = absl::Seconds(3);
    options.call_deadline = absl::Seconds(20);
    options.seed = random();
    desks.push_back(std::make_unique<testing::FrontDesk>(options));
  }

  absl::Mutex mu;
  std::map<std::string, api::v1::CommandResult> acknowledged;
  int64_t unanswered = 0, retries_acknowledged = 0;
  std::map<std::string, int> refused;  // By command and reason.
  std::map<std::string, int> acknowledged_by_rpc;
  const int cycles = Cycles();
  CheckedLog checked;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE(absl::StrCat("cycle ", cycle));
    const size_t acknowledged_before = acknowledged.size();
    {
      testing::StippledProcess stippled(data_dir);
      std::optional<std::string> address = stippled.WaitForLog("listening on ", absl::Seconds(120));
      ASSERT_TRUE(address.has_value()) << stippled.log();
      auto channel = grpc::CreateChannel(*address, grpc::InsecureChannelCredentials());
      ASSERT_TRUE(testing::OpenLocations(*channel, kLocations).ok());

      std::atomic<bool> stop{false};
      std::vector<std::thread> threads;
      for (auto& desk : desks) {
        desk->Connect(channel);
        threads.emplace_back([&, desk = desk.get()] {
          while (!stop.load()) {
            testing::CommandRecord record = desk->Step();
            if (record.status.error_code() == grpc::StatusCode::UNAVAILABLE) {
              absl::SleepFor(absl::Milliseconds(5));  // The server is down: wait for the restart.
            }
            absl::MutexLock lock(&mu);
            if (record.status.ok()) {
              EXPECT_TRUE(acknowledged.emplace(record.request_id, record.result).second)
                  << record.request_id << " acknowledged twice";
              if (record.retry) ++retries_acknowledged;
              ++acknowledged_by_rpc[record.rpc];
            } else if (record.status.error_code() == grpc::StatusCode::UNAVAILABLE) {
              ++unanswered;
            } else {
              ++refused[absl::StrCat(record.rpc, ": ", record.status.error_message())];
            }
          }
        });
      }
      absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(300, 2500)(random)));
      stippled.Stop(SIGKILL);
      stop = true;
      for (std::thread& thread : threads) thread.join();
    }
    EXPECT_GT(acknowledged.size(), acknowledged_before) << "no progress in this cycle";
    // A full check (the whole log, every acknowledgement, the read models against a rebuild)
    // costs the whole log: on long runs, after the first ten kills, every tenth and the last; in
    // between, what is new since the last check.
    const bool full = cycle < 10 || cycle % 10 == 9 || cycle == cycles - 1;
    CheckAfterKill(data_dir, dir.path() + "/rebuild", acknowledged, full, &checked);
    if (::testing::Test::HasFatalFailure()) return;
  }
  int64_t refusals = 0;
  for (auto& desk : desks) refusals += desk->refusals();
  std::cout << cycles << " kills; " << acknowledged.size() << " commands acknowledged ("
            << retries_acknowledged << " after a resend), " << unanswered << " calls unanswered, "
            << refusals << " refused\n";
  for (const auto& [rpc, count] : acknowledged_by_rpc)
    std::cout << "  " << count << " " << rpc << "\n";
  for (const auto& [reason, count] : refused) std::cout << "  " << count << " × " << reason << "\n";
}

}  // namespace
}  // namespace stipple
