// Operating a deployment with a real server: a backup taken while clients
// write, restored on a "new machine" (a fresh directory holding only the
// deployment's keys, certificates and config), every write acknowledged
// before the backup present and the audit log verified; a restore refused
// while the server runs, and a second server refused; scheduled backups.

#include "wire/asio.h"  // first: <utility> before Asio

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "ops/backup.h"
#include "ops/metrics.h"
#include "tests/integration/harness.h"

namespace hubtable::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = hubtable::v1;

// Every situation id the chair can list on t1.
std::set<std::string> listed(client::Connection& chair) {
  std::set<std::string> ids;
  v1::Request r;
  r.mutable_list_situations()->set_table("t1");
  r.mutable_list_situations()->set_page_size(100);
  for (;;) {
    auto page = chair.call(r);
    EXPECT_TRUE(page.ok() && page->status().code() == v1::OK);
    if (!page.ok() || page->status().code() != v1::OK) return ids;
    for (const auto& s : page->list_situations().situations()) ids.insert(s.id());
    if (page->list_situations().next_page_token().empty()) return ids;
    r.mutable_list_situations()->set_page_token(page->list_situations().next_page_token());
  }
}

// Writers submitting until told to stop; what was acknowledged, and when.
class Writers {
 public:
  Writers(RunningServer& server, const std::vector<std::string>& users) {
    for (const auto& user : users) {
      auto conn = server.connect(user);
      if (conn == nullptr || server.login(*conn, user).status().code() != v1::OK) {
        ADD_FAILURE() << "cannot log in " << user;
        continue;
      }
      conns_.push_back(std::move(conn));
    }
  }
  void start() {
    for (auto& conn : conns_) {
      threads_.emplace_back([this, c = conn.get()] {
        for (int n = 0; !stop_; ++n) {
          auto r = c->call(submission(n));
          if (!r.ok() || r->status().code() != v1::OK) continue;
          std::lock_guard<std::mutex> lock(mutex_);
          acked_.push_back(r->submit_situation().situation().id());
        }
      });
    }
  }
  std::vector<std::string> acked() {
    std::lock_guard<std::mutex> lock(mutex_);
    return acked_;
  }
  void stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  ~Writers() { stop(); }

 private:
  std::vector<std::unique_ptr<client::Connection>> conns_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> acked_;
};

TEST(Operations, ABackupTakenWhileClientsWriteRestoresOnANewMachine) {
  RunningServer server;
  server.start();
  Writers writers(server, {"rep.police", "rep.mh"});
  writers.start();
  ASSERT_TRUE(wait_until([&] { return writers.acked().size() >= 10; }, std::chrono::seconds(60)));
  const std::vector<std::string> before = writers.acked();
  const fs::path backups = server.deployment().scratch() / "backups";
  const std::string config = server.deployment().config_path().string();
  auto taken =
      run_command({hubtabled_path(), "backup", "--config", config, "--to", backups.string()});
  const std::vector<std::string> during = writers.acked();
  ASSERT_EQ(taken.exit_code, 0) << taken.err;
  EXPECT_NE(taken.out.find("backup written: "), std::string::npos) << taken.out;
  ASSERT_TRUE(wait_until([&] { return writers.acked().size() > during.size() + 5; },
                         std::chrono::seconds(60)))
      << "the server kept serving writes after the backup";
  writers.stop();
  const auto dirs = ops::list_backups(backups);
  ASSERT_EQ(dirs.size(), 1u);
  ASSERT_EQ(server.stop(), 0);

  // The machine is lost: a new directory gets the config, the keys and the
  // certificates the operator kept, and the users' devices keep theirs.
  const fs::path root = server.deployment().root();
  const fs::path lost = root.string() + "-lost";
  fs::rename(root, lost);
  fs::create_directories(root);
  fs::copy(lost / "hubtabled.toml", root / "hubtabled.toml");
  for (const char* dir : {"keys", "pki", "profiles"}) {
    fs::copy(lost / dir, root / dir, fs::copy_options::recursive);
  }
  auto restored =
      run_command({hubtabled_path(), "restore", "--config", config, "--from", dirs[0].string()});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_NE(restored.out.find("restored the backup of "), std::string::npos) << restored.out;
  auto verified = run_command({hubtabled_path(), "verify-audit", "--config", config});
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("audit log verified"), std::string::npos);

  server.start();
  auto chair = server.connect("chair.one");
  ASSERT_NE(chair, nullptr);
  ASSERT_EQ(server.login(*chair, "chair.one").status().code(), v1::OK);
  const std::set<std::string> present = listed(*chair);
  for (const auto& id : before) EXPECT_TRUE(present.count(id)) << id << " was acknowledged";
  // Nothing that was never acknowledged, and nothing after the backup ended.
  const std::vector<std::string> all = writers.acked();
  const std::set<std::string> acked(all.begin(), all.end());
  const std::set<std::string> by_end(during.begin(), during.end());
  for (const auto& id : present) {
    EXPECT_TRUE(acked.count(id)) << id;
    EXPECT_TRUE(by_end.count(id)) << id << " was written after the backup finished";
  }
}

TEST(Operations, OneProcessOwnsTheDeploymentFiles) {
  RunningServer server;
  const fs::path backups = server.deployment().scratch() / "backups";
  const std::string config = server.deployment().config_path().string();
  ASSERT_EQ(run_command({hubtabled_path(), "backup", "--config", config, "--to", backups.string()})
                .exit_code,
            0);
  server.start();
  const std::string before = read_file(server.deployment().database());
  auto refused = run_command({hubtabled_path(), "restore", "--config", config, "--from",
                              ops::list_backups(backups).at(0).string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err,
            "hubtabled: another hubtabled process (the server, a restore or a rekey) is using the "
            "deployment of " +
                server.deployment().database().string() + "\n");
  auto second = run_command({hubtabled_path(), "serve", "--config", config});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("another hubtabled process"), std::string::npos) << second.err;
  EXPECT_TRUE(server.serves());
}

TEST(Operations, TheServerBacksUpOnItsScheduleAndKeepsTheNewest) {
  RunningServer server(std::string(R"toml(
[backup]
directory = "../backups"
every = "1s"
keep = 2
)toml") + kTestLimits);
  server.start();
  const fs::path backups = server.deployment().scratch() / "backups";
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string log = server.log();
        std::size_t n = 0;
        for (auto at = log.find("scheduled backup written"); at != std::string::npos;
             at = log.find("scheduled backup written", at + 1)) {
          ++n;
        }
        return n >= 3;
      },
      std::chrono::seconds(60)))
      << server.log();
  EXPECT_LE(ops::list_backups(backups).size(), 2u);
  EXPECT_GE(ops::list_backups(backups).size(), 1u);
  EXPECT_TRUE(server.serves());
  ASSERT_EQ(server.stop(), 0);
}

// A port free now on 127.0.0.1 (the metrics endpoint's must be known
// before the server starts).
std::uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

TEST(Operations, StatusAndMetricsTellTheOperatorHowTheServerIsWithoutCaseData) {
  const std::uint16_t metrics_port = free_port();
  RunningServer server("[metrics]\nlisten = \"127.0.0.1:" + std::to_string(metrics_port) + "\"\n" +
                       kTestLimits);
  const std::string config = server.deployment().config_path().string();
  auto stopped = run_command({hubtabled_path(), "status", "--config", config});
  EXPECT_EQ(stopped.exit_code, 3) << stopped.err;
  EXPECT_NE(stopped.out.find("server:          not running"), std::string::npos) << stopped.out;
  EXPECT_NE(stopped.out.find("last backup:     never"), std::string::npos) << stopped.out;

  server.start();
  auto rep = server.connect("rep.police");
  ASSERT_EQ(server.login(*rep, "rep.police").status().code(), v1::OK);
  v1::Request submit = submission(1);
  submit.mutable_submit_situation()->set_narrative("Canary Quillfeather has missed the term.");
  auto refused = rep->call(submit);  // a name: the scanner refuses it
  ASSERT_TRUE(refused.ok());
  EXPECT_NE(refused->status().code(), v1::OK);
  auto submitted = rep->call(submission(2));
  ASSERT_TRUE(submitted.ok() && submitted->status().code() == v1::OK);
  ASSERT_EQ(run_command({hubtabled_path(), "backup", "--config", config, "--to",
                         (server.deployment().scratch() / "backups").string()})
                .exit_code,
            0);

  auto text = ops::scrape_metrics("127.0.0.1", metrics_port);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(ops::metric_value(*text, "hubtable_up"), 1.0);
  EXPECT_GE(ops::metric_value(*text, "hubtable_connections").value_or(0), 1.0);
  EXPECT_GE(ops::metric_value(*text, "hubtable_audit_events").value_or(0), 10.0);
  EXPECT_GE(ops::metric_value(*text, "hubtable_backup_age_seconds").value_or(-1), 0.0);
  EXPECT_GE(ops::metric_value(*text, "hubtable_checkpoint_age_seconds").value_or(-1), 0.0);
  EXPECT_GT(ops::metric_value(*text, "hubtable_disk_free_bytes").value_or(0), 0.0);
  EXPECT_TRUE(ops::metric_value(*text, "hubtable_worker_queue_depth").has_value());
  // Every audited request so far was a member of a committed group.
  const double groups = ops::metric_value(*text, "hubtable_commit_groups_total").value_or(0);
  EXPECT_GE(groups, 1.0);
  EXPECT_GE(ops::metric_value(*text, "hubtable_commit_group_members_total").value_or(0), groups);
  // A leader that waited for others is counted once, whether they came or not.
  EXPECT_LE(ops::metric_value(*text, "hubtable_commit_gathered_total").value_or(-1) +
                ops::metric_value(*text, "hubtable_commit_gather_window_ended_total").value_or(-1),
            groups);
  EXPECT_GE(ops::metric_value(*text, "hubtable_commit_gathered_total").value_or(-1), 0.0);
  EXPECT_GE(ops::metric_value(*text, "hubtable_commit_gather_window_ended_total").value_or(-1),
            0.0);
  EXPECT_NE(text->find("hubtable_requests_total{kind=\"submit_situation\",outcome=\"ok\"} 1\n"),
            std::string::npos)
      << *text;
  EXPECT_NE(text->find("hubtable_refusals_total{rule=\"" + refused->status().rule() + "\"} 1\n"),
            std::string::npos)
      << *text;
  EXPECT_NE(text->find("hubtable_request_duration_seconds_bucket{kind=\"login\",le=\"+Inf\"} 1\n"),
            std::string::npos)
      << *text;
  // No case data, no user names.
  for (const char* secret : {"Canary", "Quillfeather", "rep.police", "Rep Police"}) {
    EXPECT_EQ(text->find(secret), std::string::npos) << secret;
  }

  auto running = run_command({hubtabled_path(), "status", "--config", config});
  EXPECT_EQ(running.exit_code, 0) << running.err;
  EXPECT_NE(running.out.find("server:          running"), std::string::npos) << running.out;
  EXPECT_NE(running.out.find("connections:     1\n"), std::string::npos) << running.out;
  EXPECT_EQ(running.out.find("last backup:     never"), std::string::npos) << running.out;
  EXPECT_EQ(running.out.find("Canary"), std::string::npos);
}

TEST(Operations, TheAdministratorListsTheAccountsAndHowTheyStand) {
  TestDeployment dep;
  const std::string config = dep.config_path().string();
  auto listed = run_command({hubtabled_path(), "accounts", "--config", config});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out.find("USERNAME"), 0u) << listed.out;
  for (const char* user : {"admin", "rep.police", "chair.one", "po.one"}) {
    EXPECT_NE(listed.out.find(user), std::string::npos) << user;
  }
  EXPECT_NE(listed.out.find("one-time password valid until "), std::string::npos) << listed.out;
  auto refused =
      run_command({hubtabled_path(), "enable-account", "--config", config, "--user", "rep.police"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err, "hubtabled: rep.police is not disabled\n");
  auto unknown =
      run_command({hubtabled_path(), "enable-account", "--config", config, "--user", "nobody"});
  EXPECT_EQ(unknown.err, "hubtabled: no user named nobody\n");
}

// The service manager's end of sd_notify: a datagram socket.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    timeval tv{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~NotifySocket() { ::close(fd_); }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  /// Collects what arrives until `done(messages)` holds or `timeout`.
  template <class F>
  bool receive_until(F done, std::chrono::seconds timeout) {
    return wait_until(
        [&] {
          char buf[512];
          const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
          if (n > 0) messages.emplace_back(buf, static_cast<std::size_t>(n));
          return done(messages);
        },
        timeout);
  }
  std::vector<std::string> messages;

 private:
  fs::path path_;
  int fd_ = -1;
};

std::size_t count_of(const std::vector<std::string>& messages, const std::string& text) {
  std::size_t n = 0;
  for (const auto& m : messages) n += m.find(text) != std::string::npos ? 1 : 0;
  return n;
}

TEST(Operations, UnderSystemdTheServerSaysWhenItIsReadyAndFeedsTheWatchdog) {
  RunningServer server;
  NotifySocket notify(server.deployment().scratch() / "notify");
  // Inherited by the server, as systemd passes them (tests start servers
  // from this thread only).
  // NOLINTBEGIN(concurrency-mt-unsafe)
  ::setenv("NOTIFY_SOCKET", (server.deployment().scratch() / "notify").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "400000", 1);
  server.start();
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  // NOLINTEND(concurrency-mt-unsafe)
  ASSERT_TRUE(notify.receive_until(
      [](const auto& m) { return count_of(m, "READY=1") == 1 && count_of(m, "WATCHDOG=1") >= 3; },
      std::chrono::seconds(30)))
      << ::testing::PrintToString(notify.messages);
  EXPECT_EQ(count_of(notify.messages,
                     "READY=1\nSTATUS=listening on port " + std::to_string(server.port())),
            1u);
  ASSERT_EQ(server.stop(), 0);
  EXPECT_TRUE(notify.receive_until([](const auto& m) { return count_of(m, "STOPPING=1") == 1; },
                                   std::chrono::seconds(5)));
}

}  // namespace
}  // namespace hubtable::testing
