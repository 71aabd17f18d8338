#pragma once
// Running the project's executables from tests.

#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hubtable::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

/// Runs `argv` to completion (killed after `timeout`), with extra
/// environment variables, capturing stdout and stderr.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::seconds timeout = std::chrono::seconds(60));

/// A child process whose stderr goes to a file. Killed on destruction.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// The exit code once the process has ended, without waiting.
  std::optional<int> poll();
  /// Sends `signal` and waits up to `timeout` for the exit code.
  std::optional<int> stop(int signal, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

/// Waits for `condition` until `timeout`; true when it held.
template <class F>
bool wait_until(F condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    ::usleep(10'000);  // a polling interval, not a guess at how long to wait
  }
  return condition();
}

}  // namespace hubtable::testing
