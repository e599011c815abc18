// Child process for crash_test: appends from several threads until killed, and reports every
// acknowledged event id on stdout, one per line, only after Append has returned OK.
//
// Usage: eventstore_crash_child DB_PATH CYCLE THREADS

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eventstore/rocksdb_event_store.h"

using stipple::eventstore::ExpectedVersion;
using stipple::eventstore::ProposedEvent;
using stipple::eventstore::RocksDbEventStore;
using stipple::eventstore::StreamAppend;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DB_PATH CYCLE THREADS\n", argv[0]);
    return 2;
  }
  stipple::eventstore::RocksDbEventStoreOptions options;
  options.path = argv[1];
  const std::string cycle = argv[2];
  const int thread_count = std::atoi(argv[3]);
  auto store = RocksDbEventStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        StreamAppend append;
        append.stream = absl::StrCat("stream-", t % 4);
        append.expected_version = ExpectedVersion::Any();
        const int events = 1 + i % 3;
        for (int e = 0; e < events; ++e) {
          ProposedEvent event;
          event.event_id = absl::StrCat("c", cycle, "-t", t, "-", i, "-", e);
          event.type = "Crash.Tested";
          event.payload = std::string(100 + (i % 7) * 50, 'p');
          append.events.push_back(std::move(event));
        }
        auto result = (*store)->Append(append);
        if (!result.ok()) {
          std::fprintf(stderr, "append: %s\n", result.status().ToString().c_str());
          std::_Exit(1);
        }
        // One write per append; lines are far below PIPE_BUF so they never interleave.
        std::string lines;
        for (const ProposedEvent& event : append.events) lines += event.event_id + "\n";
        if (write(STDOUT_FILENO, lines.data(), lines.size()) < 0) std::_Exit(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
}
