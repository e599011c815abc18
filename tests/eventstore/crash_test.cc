// Crash safety: a child appends from several threads and reports each acknowledged event; the
// test kills it with SIGKILL at a random moment, reopens the store and checks that every
// acknowledged event is there exactly once and that the hash chain verifies. Several cycles on
// one database, so recovery after recovery is exercised too.
//
// STIPPLE_CRASH_CYCLES sets the number of cycles (default 5).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/eventstore/store_fixture.h"

namespace stipple::eventstore {
namespace {

using testing::TempDir;

int CycleCount() {
  const char* value = std::getenv("STIPPLE_CRASH_CYCLES");
  return value != nullptr ? std::max(1, std::atoi(value)) : 5;
}

// Runs the child until `kill_after` has passed since its first acknowledgement, kills it, and
// returns every event id it acknowledged.
std::vector<std::string> RunAndKill(const std::string& db_path, int cycle,
                                    absl::Duration kill_after) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) ADD_FAILURE() << "pipe failed";
  pid_t child = fork();
  if (child == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    std::string cycle_arg = std::to_string(cycle);
    execl(STIPPLE_CRASH_CHILD, STIPPLE_CRASH_CHILD, db_path.c_str(), cycle_arg.c_str(), "8",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipe_fds[1]);

  std::string output;
  char buffer[65536];
  absl::Time kill_at = absl::InfiniteFuture();
  const absl::Time give_up = absl::Now() + absl::Minutes(2);
  bool killed = false;
  while (true) {
    if (!killed && absl::Now() >= std::min(kill_at, give_up)) {
      kill(child, SIGKILL);
      killed = true;
    }
    pollfd poll_fd{pipe_fds[0], POLLIN, 0};
    int ready = poll(&poll_fd, 1, killed ? 1000 : 5);
    if (ready <= 0) continue;
    ssize_t n = read(pipe_fds[0], buffer, sizeof(buffer));
    if (n <= 0) break;  // EOF: the child is gone and everything it wrote has been read.
    output.append(buffer, n);
    if (kill_at == absl::InfiniteFuture()) kill_at = absl::Now() + kill_after;
  }
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child ended on its own (status " << status << ")";

  std::vector<std::string> acknowledged;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (!line.empty()) acknowledged.emplace_back(line);
  }
  // A line cut by the kill has no newline; it was not fully reported, so it is not counted.
  if (!output.empty() && output.back() != '\n') acknowledged.pop_back();
  return acknowledged;
}

TEST(CrashTest, AcknowledgedAppendsSurviveSigkill) {
  TempDir dir;
  const std::string db_path = dir.path() + "/db";
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> kill_after_ms(20, 400);
  size_t total_acknowledged = 0;

  for (int cycle = 0; cycle < CycleCount(); ++cycle) {
    std::vector<std::string> acknowledged =
        RunAndKill(db_path, cycle, absl::Milliseconds(kill_after_ms(random)));
    ASSERT_FALSE(acknowledged.empty()) << "cycle " << cycle << ": child acknowledged nothing";
    total_acknowledged += acknowledged.size();

    RocksDbEventStoreOptions options;
    options.path = db_path;
    auto store = RocksDbEventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    absl::flat_hash_map<std::string, int> seen;
    GlobalPosition expected_position = 1;
    for (GlobalPosition from = 1;;) {
      auto slice = (*store)->ReadAll(from, 4096, {});
      ASSERT_TRUE(slice.ok()) << slice.status();
      for (const RecordedEvent& event : slice->events) {
        ASSERT_EQ(event.position, expected_position++) << "gap in the log";
        ++seen[event.event_id];
      }
      if (slice->end_of_log) break;
      from = slice->next_position;
    }
    for (const auto& [id, count] : seen) ASSERT_EQ(count, 1) << id << " is stored twice";
    for (const std::string& id : acknowledged) {
      ASSERT_EQ(seen.count(id), 1u) << "cycle " << cycle << ": acknowledged " << id << " is lost";
    }
    ASSERT_GE(seen.size(), total_acknowledged);
    auto report = (*store)->Verify(1, (*store)->HeadPosition());
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_TRUE(report->ok) << "cycle " << cycle << ": chain breaks at "
                            << report->first_bad_position << ": " << report->reason;
  }
}

}  // namespace
}  // namespace stipple::eventstore
