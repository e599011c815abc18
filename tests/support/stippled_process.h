#ifndef STIPPLE_TESTS_SUPPORT_STIPPLED_PROCESS_H_
#define STIPPLE_TESTS_SUPPORT_STIPPLED_PROCESS_H_

// stippled as a child process (the binary named by STIPPLED_BINARY), with its log captured.

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace stipple::testing {

class StippledProcess {
 public:
  explicit StippledProcess(const std::string& data_dir) {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDERR_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::string data_flag = "--data_dir=" + data_dir;
      execl(STIPPLED_BINARY, STIPPLED_BINARY, "--listen=127.0.0.1:0", data_flag.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    log_fd_ = fds[0];
  }
  ~StippledProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(log_fd_);
  }

  // Reads the log until it contains `marker`; returns the word that follows it (up to white
  // space), or nullopt if the process ends or `timeout` passes first.
  std::optional<std::string> WaitForLog(const std::string& marker, absl::Duration timeout) {
    absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      if (size_t at = log_.find(marker); at != std::string::npos) {
        size_t begin = at + marker.size();
        size_t end = log_.find_first_of(" \n", begin);
        if (end != std::string::npos) return log_.substr(begin, end - begin);
      }
      pollfd poll_fd{log_fd_, POLLIN, 0};
      if (poll(&poll_fd, 1, 100) <= 0) continue;
      char buffer[4096];
      ssize_t n = read(log_fd_, buffer, sizeof(buffer));
      if (n <= 0) break;
      log_.append(buffer, n);
    }
    return std::nullopt;
  }

  // Sends `signal` and returns the exit status.
  int Stop(int signal) {
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  const std::string& log() const { return log_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int log_fd_ = -1;
  std::string log_;
};

}  // namespace stipple::testing

#endif  // STIPPLE_TESTS_SUPPORT_STIPPLED_PROCESS_H_
