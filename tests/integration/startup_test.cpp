// The server refuses to start, with one clear line and without touching the
// database, when its keys or database are wrong.

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>
#include <vector>

#include "config/key_file.h"
#include "tests/integration/harness.h"
#include "tests/support/audit_events.h"

namespace hubtable::testing {
namespace {

class Startup : public ::testing::Test {
 protected:
  std::filesystem::path key() { return dep_.root() / "keys/master.key"; }

  // Runs serve, expects a refusal naming `expected`, and an untouched database.
  void expect_refusal(const std::string& expected) {
    const std::string before = read_file(dep_.database());
    auto r = run_command({hubtabled_path(), "serve", "--config", dep_.config_path().string(),
                          "--port-file", (dep_.scratch() / "port").string()},
                         {}, std::chrono::seconds(30));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_EQ(r.err.rfind("hubtabled: ", 0), 0u) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dep_.scratch() / "port"));
    EXPECT_EQ(read_file(dep_.database()), before) << "the database file changed";
    EXPECT_FALSE(std::filesystem::exists(dep_.database().string() + "-wal"));
  }

  TestDeployment dep_;
};

TEST_F(Startup, WrongMasterKey) {
  std::filesystem::remove(key());
  ASSERT_TRUE(config::write_secret_file(key(), crypto::Bytes(32, 0x42)).ok());
  expect_refusal("master key does not open database");
}

TEST_F(Startup, MissingKeyFile) {
  std::filesystem::remove(key());
  expect_refusal("master.key is missing");
}

TEST_F(Startup, WorldReadableKeyFile) {
  ::chmod(key().c_str(), 0644);
  expect_refusal("accessible by group or others");
}

TEST_F(Startup, TruncatedKeyFile) {
  std::filesystem::resize_file(key(), 16);
  expect_refusal("must hold exactly 32 bytes");
}

TEST_F(Startup, DatabaseFromAnotherDeployment) {
  TestDeployment other{TestDeployment::Separate{}};
  std::filesystem::copy_file(other.database(), dep_.database(),
                             std::filesystem::copy_options::overwrite_existing);
  expect_refusal("master key does not open database");
}

TEST_F(Startup, DatabaseAndKeyFromAnotherDeployment) {
  TestDeployment other{TestDeployment::Separate{}};
  std::filesystem::copy_file(other.database(), dep_.database(),
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(other.root() / "keys/master.key", key(),
                             std::filesystem::copy_options::overwrite_existing);
  expect_refusal("belongs to another deployment");
}

TEST_F(Startup, ValidDeploymentStarts) {
  RunningServer server;
  server.start();
  EXPECT_GT(server.port(), 0);
  EXPECT_EQ(server.stop(), 0);
}

// GLIBC_TUNABLES in the environment the running server was started with.
// The dynamic loader ends each tunable it reads with a NUL in the original
// (what /proc shows), so the tunables after the first read as entries of
// their own; they are joined back.
std::string tunables_of(pid_t pid) {
  const std::string environ = read_file("/proc/" + std::to_string(pid) + "/environ");
  std::vector<std::string_view> entries;
  for (std::size_t at = 0; at < environ.size();) {
    const std::size_t end = std::min(environ.find('\0', at), environ.size());
    entries.emplace_back(environ.data() + at, end - at);
    at = end + 1;
  }
  constexpr std::string_view kName = "GLIBC_TUNABLES=";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].starts_with(kName)) continue;
    std::string value(entries[i].substr(kName.size()));
    while (++i < entries.size() && entries[i].starts_with("glibc.")) {
      value += ":" + std::string(entries[i]);
    }
    return value;
  }
  return "(unset)";
}

// Sets GLIBC_TUNABLES for the servers a test starts; restores it after.
// NOLINTBEGIN(concurrency-mt-unsafe): the test's only thread changes it.
class TunablesForServers {
 public:
  explicit TunablesForServers(const char* value) {
    if (const char* was = std::getenv("GLIBC_TUNABLES")) was_ = was;
    if (value == nullptr) {
      ::unsetenv("GLIBC_TUNABLES");
    } else {
      ::setenv("GLIBC_TUNABLES", value, 1);
    }
  }
  ~TunablesForServers() {
    if (was_) {
      ::setenv("GLIBC_TUNABLES", was_->c_str(), 1);
    } else {
      ::unsetenv("GLIBC_TUNABLES");
    }
  }
  TunablesForServers(const TunablesForServers&) = delete;
  TunablesForServers& operator=(const TunablesForServers&) = delete;

 private:
  std::optional<std::string> was_;
};
// NOLINTEND(concurrency-mt-unsafe)

// Starts a server with GLIBC_TUNABLES at `value` (unset when null) and
// returns the tunables it runs with.
std::string tunables_of_a_server_started_with(const char* value) {
  TunablesForServers tunables(value);
  RunningServer server;
  server.start();
  std::string out = tunables_of(server.pid());
  EXPECT_TRUE(server.serves());
  EXPECT_EQ(server.stop(), 0);
  return out;
}

TEST(Allocator, TheServerRunsWithShortPerThreadCachesOfFreedBlocks) {
  EXPECT_EQ(tunables_of_a_server_started_with(nullptr), "glibc.malloc.tcache_count=2");
}

TEST(Allocator, TheOperatorsOtherTunablesAreKept) {
  EXPECT_EQ(tunables_of_a_server_started_with("glibc.malloc.arena_max=2"),
            "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=2");
}

TEST(Allocator, AnOperatorsOwnCacheSettingWins) {
  EXPECT_EQ(tunables_of_a_server_started_with("glibc.malloc.tcache_count=7"),
            "glibc.malloc.tcache_count=7");
}

// The scheduling policy of each thread of process `pid` (a thread that ended
// between the listing and the question is left out).
std::vector<int> thread_policies(pid_t pid) {
  std::vector<int> policies;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    const int policy = ::sched_getscheduler(std::stoi(task.path().filename().string()));
    if (policy >= 0) policies.push_back(policy);
  }
  return policies;
}

TEST(Scheduling, EveryThreadOfTheServerRunsAsBatch) {
  // Started from a test that runs with the default policy, which it would
  // otherwise inherit.
  ASSERT_EQ(::sched_getscheduler(0), SCHED_OTHER);
  RunningServer server;
  server.start();
  ASSERT_TRUE(server.serves());  // its I/O threads and workers are running
  const std::vector<int> policies = thread_policies(server.pid());
  EXPECT_EQ(server.stop(), 0);
  EXPECT_GT(policies.size(), 4U);
  for (int policy : policies) EXPECT_EQ(policy, SCHED_BATCH);
}

TEST(Scheduling, AnOperatorsOwnPolicyStays) {
  // The server started as `chrt --idle 0 hubtabled serve ...` would be.
  const std::filesystem::path wrapper = std::filesystem::temp_directory_path() /
                                        ("hubtabled-idle-" + std::to_string(::getpid()) + ".sh");
  {
    std::ofstream out(wrapper);
    out << "#!/bin/sh\nexec chrt --idle 0 '" << hubtabled_binary() << "' \"$@\"\n";
  }
  std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all);
  // NOLINTBEGIN(concurrency-mt-unsafe): the test's only thread changes it.
  const std::optional<std::string> was = [] {
    const char* v = std::getenv("HUBTABLE_TEST_HUBTABLED");
    return v != nullptr ? std::optional<std::string>(v) : std::nullopt;
  }();
  ::setenv("HUBTABLE_TEST_HUBTABLED", wrapper.c_str(), 1);
  RunningServer server;
  server.start();  // returns once the server has written its port: the wrapper has run
  std::filesystem::remove(wrapper);
  if (was) {
    ::setenv("HUBTABLE_TEST_HUBTABLED", was->c_str(), 1);
  } else {
    ::unsetenv("HUBTABLE_TEST_HUBTABLED");
  }
  // NOLINTEND(concurrency-mt-unsafe)
  ASSERT_TRUE(server.serves());
  const std::vector<int> policies = thread_policies(server.pid());
  EXPECT_EQ(server.stop(), 0);
  EXPECT_GT(policies.size(), 4U);
  for (int policy : policies) EXPECT_EQ(policy, SCHED_IDLE);
}

}  // namespace
}  // namespace hubtable::testing

namespace hubtable::testing {
namespace {

// Files group or others may read or write, and directories they may enter,
// under `root`; each named with its mode.
std::vector<std::string> open_to_others(const std::filesystem::path& root) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    struct stat st {};
    if (::lstat(e.path().c_str(), &st) != 0) {
      out.push_back(e.path().string() + " vanished");
      continue;
    }
    const unsigned expected = S_ISDIR(st.st_mode) ? 0700U : 0600U;
    if ((st.st_mode & 0777) != expected) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 0777);
      out.push_back(e.path().string() + " " + mode);
    }
  }
  return out;
}

TEST(FileModes, EveryFileOfADeploymentIsPrivateWhateverTheUmask) {
  const mode_t before = ::umask(022);  // the quickstart's, or a shell's
  {
    // init and apply in this process, serve as a child: the database, its
    // WAL and shared memory, the key store and the port file.
    RunningServer server;
    server.start();
    ASSERT_TRUE(server.serves("rep.mh"));
    EXPECT_TRUE(std::filesystem::exists(server.deployment().database().string() + "-wal"));
    EXPECT_EQ(open_to_others(server.deployment().root()), std::vector<std::string>{});
    struct stat st {};
    ASSERT_EQ(::stat((server.deployment().scratch() / "port").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);

    // `hubtabled init` from a shell with that umask.
    const auto dir = server.deployment().scratch() / "from-shell";
    auto r =
        run_command({hubtabled_path(), "init", "--dir", dir.string(), "--listen", "127.0.0.1:0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(open_to_others(dir), std::vector<std::string>{});
    struct stat d {};
    ASSERT_EQ(::stat(dir.c_str(), &d), 0);
    EXPECT_EQ(d.st_mode & 0777, 0700U);

    // A database file left 0644 by an older version is tightened at start.
    ASSERT_EQ(server.stop(), 0);
    ::chmod(server.deployment().database().c_str(), 0644);
    server.start();
    EXPECT_EQ(open_to_others(server.deployment().root()), std::vector<std::string>{});
  }
  ::umask(before);
}

}  // namespace
}  // namespace hubtable::testing

namespace hubtable::testing {
namespace {

TEST(DamagedLog, ALogWhoseTailWasRemovedFailsClosedSaysWhyOnceAndAlerts) {
  RunningServer server;
  server.start();
  ASSERT_TRUE(server.serves("rep.mh"));
  ASSERT_EQ(server.stop(), 0);
  // Someone with the key removes the log's last three events, not their
  // leaves in the tree.
  std::int64_t last = 0;
  {
    auto d = provision::open_deployment(server.deployment().config_path(), 1, false);
    ASSERT_TRUE(d.ok()) << d.status();
    auto s = d->db->write([&](store::Connection& c) -> absl::Status {
      auto q = c.prepare("SELECT MAX(seq) FROM audit_events");
      if (!q.ok()) return q.status();
      (void)q->step();
      last = q->integer(0);
      return c.exec("DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq > " +
                    std::to_string(last - 3));
    });
    ASSERT_TRUE(s.ok()) << s;
  }
  server.start();
  for (int i = 0; i < 5; ++i) {
    auto conn = server.connect("rep.mh");
    v1::Request login;
    login.mutable_login()->set_username("rep.mh");
    login.mutable_login()->set_password(kNewPassword);
    auto r = conn->call(login);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status().code(), v1::UNAVAILABLE);
    EXPECT_EQ(r->status().rule(), "audit.log_damaged");
  }
  const std::string log = server.log();
  std::size_t lines = 0;
  for (std::size_t at = log.find("audit log damaged"); at != std::string::npos;
       at = log.find("audit log damaged", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << log;
  EXPECT_NE(log.find("events " + std::to_string(last - 2) + ".." + std::to_string(last) +
                     " are missing from the log's end"),
            std::string::npos)
      << log;
  ASSERT_EQ(server.stop(), 0);
  auto d = provision::open_deployment(server.deployment().config_path(), 1, false);
  ASSERT_TRUE(d.ok());
  std::vector<v1::AuditEvent> alerts;
  for (auto& e : read_audit_events(*d->db)) {
    if (e.action() == "alert.verification_failed") alerts.push_back(std::move(e));
  }
  ASSERT_EQ(alerts.size(), 1u) << "one alert, in the log after the tree's end";
  EXPECT_EQ(alerts[0].sequence(), static_cast<std::uint64_t>(last) + 1);
  EXPECT_EQ(alerts[0].alert().problem(), "missing");
  EXPECT_EQ(alerts[0].alert().first_bad(), static_cast<std::uint64_t>(last) - 2);
  EXPECT_EQ(alerts[0].alert().last_bad(), static_cast<std::uint64_t>(last));
}

}  // namespace
}  // namespace hubtable::testing
