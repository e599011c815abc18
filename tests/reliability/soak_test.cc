// Soak: stippled as a child process takes a steady load from 8 front desks at half of the rate it
// managed flat out (measured first, in the same run) and must answer every command, with no
// error, while its resident memory is sampled every second.
//
// STIPPLE_SOAK_SECONDS sets the paced run's length (default 20). Memory is judged only for runs
// of 5 minutes or more: at half capacity RSS climbs for about two and a half minutes while
// RocksDB's memtables (bounded by db_write_buffer_size) and the caches fill, then swings with each
// flush (tests/bench/RESULTS.md, "Crash torture and soak with the artist's trimmed state"), so a
// 3-minute run put the filling in its last third. The highest RSS of the last third must stay
// within 10% (+32 MiB) of the highest of the middle third.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "tests/eventstore/store_fixture.h"
#include "tests/support/front_desk.h"
#include "tests/support/process_status.h"
#include "tests/support/stippled_process.h"

namespace stipple {
namespace {

using eventstore::testing::TempDir;

constexpr int kDesks = 8;

int SoakSeconds() {
  int seconds = 20;
  if (const char* value = std::getenv("STIPPLE_SOAK_SECONDS")) {
    if (!absl::SimpleAtoi(value, &seconds)) seconds = 20;
  }
  return seconds;
}

struct Load {
  int64_t acknowledged = 0;
  int64_t failed = 0;
  std::string first_failure;
};

// Runs the desks for `duration`, each sending a command every `interval` (none: flat out).
Load Drive(std::vector<std::unique_ptr<testing::FrontDesk>>& desks, absl::Duration duration,
           absl::Duration interval) {
  std::vector<Load> loads(desks.size());
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now(), end = start + duration;
  for (size_t d = 0; d < desks.size(); ++d) {
    threads.emplace_back([&, d] {
      absl::Time next = start + interval * static_cast<double>(d) / desks.size();
      while (absl::Now() < end) {
        if (interval > absl::ZeroDuration()) {
          absl::SleepFor(next - absl::Now());
          next += interval;
        }
        testing::CommandRecord record = desks[d]->Step();
        if (record.status.ok()) {
          ++loads[d].acknowledged;
        } else if (loads[d].failed++ == 0) {
          loads[d].first_failure = absl::StrCat(record.rpc, ": ", record.status.error_message());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  Load total;
  for (const Load& load : loads) {
    total.acknowledged += load.acknowledged;
    total.failed += load.failed;
    if (total.first_failure.empty()) total.first_failure = load.first_failure;
  }
  return total;
}

TEST(SoakTest, HalfOfCapacityWithoutErrorsOrGrowingMemory) {
  TempDir dir;
  testing::StippledProcess stippled(dir.path() + "/data");
  std::optional<std::string> address = stippled.WaitForLog("listening on ", absl::Seconds(120));
  ASSERT_TRUE(address.has_value()) << stippled.log();
  auto channel = grpc::CreateChannel(*address, grpc::InsecureChannelCredentials());
  ASSERT_TRUE(testing::OpenLocations(*channel, {"studio-a", "studio-b"}).ok());
  std::vector<std::unique_ptr<testing::FrontDesk>> desks;
  for (int d = 0; d < kDesks; ++d) {
    testing::FrontDeskOptions options;
    options.name = absl::StrCat("soak", d);
    options.location_id = d % 2 ? "studio-a" : "studio-b";
    options.schedule_lead = absl::Seconds(2);
    options.seed = d + 1;
    desks.push_back(std::make_unique<testing::FrontDesk>(options));
    desks.back()->Connect(channel);
  }

  const absl::Duration capacity_window = absl::Seconds(5);
  Load flat_out = Drive(desks, capacity_window, absl::ZeroDuration());
  ASSERT_EQ(flat_out.failed, 0) << flat_out.first_failure;
  const double capacity = flat_out.acknowledged / absl::ToDoubleSeconds(capacity_window);
  const double rate = capacity / 2;
  const absl::Duration interval = absl::Seconds(kDesks / rate);

  const int seconds = SoakSeconds();
  std::vector<double> rss;
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      rss.push_back(testing::ProcessStatusMiB(stippled.pid(), "VmRSS"));
      absl::SleepFor(absl::Seconds(1));
    }
  });
  Load soak = Drive(desks, absl::Seconds(seconds), interval);
  sampling = false;
  sampler.join();

  EXPECT_EQ(soak.failed, 0) << soak.first_failure;
  // The paced run kept up with its schedule (within 10%).
  EXPECT_GT(soak.acknowledged, 0.9 * rate * seconds);
  std::cout << "capacity " << capacity << " commands/s; soaked " << seconds << " s at " << rate
            << "/s: " << soak.acknowledged << " acknowledged, " << soak.failed << " failed; RSS "
            << rss.front() << " → " << rss.back() << " MiB\n";
  // The highest RSS of each half minute, to see when the memtables reach their steady state.
  std::cout << "RSS peaks per 30 s (MiB):";
  for (size_t from = 0; from < rss.size(); from += 30) {
    std::cout << ' '
              << *std::max_element(rss.begin() + from,
                                   rss.begin() + std::min(from + 30, rss.size()));
  }
  std::cout << "\n";
  if (seconds >= 300 && rss.size() >= 9) {
    const size_t third = rss.size() / 3;
    const double middle = *std::max_element(rss.begin() + third, rss.begin() + 2 * third);
    const double last = *std::max_element(rss.begin() + 2 * third, rss.end());
    EXPECT_LE(last, middle * 1.1 + 32) << "resident memory keeps growing";
  }
  EXPECT_EQ(stippled.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace stipple
