#pragma once
// A running hubtabled for integration tests, and clients that talk to it.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "lib/connection.h"
#include "lib/profile.h"
#include "tests/integration/process.h"
#include "tests/support/build_paths.h"
#include "tests/support/deployment.h"
#include "tests/support/requests.h"

namespace hubtable::testing {

/// Limits small enough that deadline tests finish in seconds.
inline constexpr const char* kTestLimits = R"toml(
# Tests run at any hour: no after-hours alerts unless a test asks for them.
[alerts]
working_hours = "00:00-24:00"
working_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

# Last, so that tests may append limits of their own.
[limits]
handshake_timeout_ms = 2000
frame_timeout_ms = 1500
max_connections = 150
max_connections_per_address = 100
drain_timeout_ms = 3000
)toml";

inline constexpr const char* kNewPassword = "integration-test-password";

/// The hubtabled binary tests start: HUBTABLE_TEST_HUBTABLED when set (a
/// benchmark timing another build, a long run on a copy), else this build's.
std::string hubtabled_binary();

/// A deployment plus a running server. Not thread-safe.
class RunningServer {
 public:
  explicit RunningServer(const std::string& limits = kTestLimits);
  ~RunningServer();

  /// Starts `hubtabled serve` and waits for its port file.
  void start();
  /// SIGTERM; returns the exit code (nullopt if it did not stop in time).
  std::optional<int> stop();
  /// kill -9, as a power cut or the OOM killer ends it; waits for the end.
  void kill();

  TestDeployment& deployment() { return deployment_; }
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  std::string log() const { return read_file(log_path_); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  client::Profile profile(const std::string& user) const;
  std::unique_ptr<client::Connection> connect(const std::string& user,
                                              client::Connection::Options options = {}) const;

  /// Logs `user` in on `conn` (replacing the one-time password the first
  /// time, answering TOTP when enrolled); returns the response.
  hubtable::v1::Response login(client::Connection& conn, const std::string& user);
  /// Current password of `user`.
  std::string password(const std::string& user) const;

  /// True when a fresh client can log in and ask whoami.
  bool serves(const std::string& user = "rep.mh", const std::string& local_address = "");

 private:
  TestDeployment deployment_;
  std::filesystem::path log_path_;
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
  std::set<std::string> password_changed_;
  std::map<std::string, std::int64_t> last_totp_step_;
};

/// The real `hubtable` command line, run as the deployment's people against a
/// running server. Every command shares one private runtime directory, where
/// the command line keeps its sessions.
class CommandLine {
 public:
  explicit CommandLine(RunningServer& server,
                       std::chrono::seconds timeout = std::chrono::seconds(60));

  /// `hubtable --profile <user's, or profile> --server <address> args...`.
  CommandResult run(const std::string& user, const std::vector<std::string>& args,
                    const std::filesystem::path& profile = {}) const;
  /// A file in the deployment's scratch directory holding `value`: how a
  /// password or a code reaches the command line.
  std::string secret_file(const std::string& name, const std::string& value) const;
  /// `user`'s first `hubtable login`: the one-time password replaced by
  /// kNewPassword, and `totp` answered when given.
  CommandResult first_login(const std::string& user, const std::string& totp = "") const;
  /// The same for one enrolled in TOTP (a chair, a privacy officer), with
  /// the code of this moment.
  CommandResult first_login_with_totp(const std::string& user) const;

  const std::filesystem::path& runtime_dir() const { return runtime_; }

 private:
  RunningServer& server_;
  std::chrono::seconds timeout_;
  std::filesystem::path runtime_;
};

}  // namespace hubtable::testing
