#include "config/server_config.h"

#include <gtest/gtest.h>

#include "tests/support/build_paths.h"
#include "tests/support/temp_dir.h"

namespace hubtable::config {
namespace {

using hubtable::testing::TempDir;
using hubtable::testing::write_file;

TEST(ServerConfig, RenderedConfigLoadsWithPathsRelativeToItsDirectory) {
  TempDir dir;
  const auto path = dir.path() / "hubtabled.toml";
  write_file(path, render_server_config("abc123", "127.0.0.1", 0, "table.example.org") +
                       "\n[limits]\nmax_connections = 7\nframe_timeout_ms = 1500\n");
  auto c = load_server_config(path);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->deployment_id, "abc123");
  EXPECT_EQ(c->listen_port, 0);
  EXPECT_EQ(c->server_name, "table.example.org");
  EXPECT_EQ(c->master_key, std::filesystem::absolute(dir.path()) / "keys/master.key");
  EXPECT_EQ(c->limits.max_connections, 7);
  EXPECT_EQ(c->limits.frame_timeout.count(), 1500);
  EXPECT_EQ(c->limits.max_frame_bytes, kMaxFrameBytes);
}

TEST(ServerConfig, ErrorsNameTheKey) {
  TempDir dir;
  const auto path = dir.path() / "c.toml";
  write_file(path,
             render_server_config("id", "127.0.0.1", 1, "n") + "\n[limits]\nmax_connections = 0\n");
  auto bad_limit = load_server_config(path);
  ASSERT_FALSE(bad_limit.ok());
  EXPECT_NE(std::string(bad_limit.status().message()).find("limits.max_connections"),
            std::string::npos);
  write_file(path, "deployment_id = 'x'\n");
  auto missing = load_server_config(path);
  EXPECT_NE(std::string(missing.status().message()).find("server.listen"), std::string::npos);
  write_file(path, "this is = = not toml");
  EXPECT_EQ(load_server_config(path).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ServerConfig, AlertRulesAreReadFromTheAlertsSection) {
  TempDir dir;
  const auto path = dir.path() / "c.toml";
  const std::string base = render_server_config("id", "127.0.0.1", 1, "n");
  write_file(path, base);
  auto defaults = load_server_config(path);
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->limits.alerts.reveal_situations, 10);
  EXPECT_EQ(defaults->limits.alerts.hours.start_minute, 7 * 60);

  write_file(path, base +
                       "\n[alerts]\nreveal_situations = 4\nreveal_window_minutes = 30\n"
                       "denials = 8\nverify_interval_hours = 0\n"
                       "working_hours = \"08:30-17:00\"\nworking_days = [\"mon\", \"sat\"]\n");
  auto c = load_server_config(path);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->limits.alerts.reveal_situations, 4);
  EXPECT_EQ(c->limits.alerts.reveal_window_us, std::int64_t{30} * 60 * 1'000'000);
  EXPECT_EQ(c->limits.alerts.denials, 8);
  EXPECT_EQ(c->limits.alerts.verify_interval_us, 0);
  EXPECT_EQ(c->limits.alerts.hours.start_minute, 8 * 60 + 30);
  EXPECT_EQ(c->limits.alerts.hours.end_minute, 17 * 60);
  EXPECT_EQ(c->limits.alerts.hours.days, 0x21U);

  for (const auto& [bad, named] : std::vector<std::pair<std::string, std::string>>{
           {"denials = 1", "alerts.denials"},
           {"working_hours = \"19:00-07:00\"", "HH:MM-HH:MM"},
           {"working_days = [\"someday\"]", "working days"},
           {"working_days = [1]", "alerts.working_days"},
       }) {
    std::string text = base;
    text += "\n[alerts]\n" + bad + "\n";
    write_file(path, text);
    auto refused = load_server_config(path);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(std::string(refused.status().message()).find(named), std::string::npos)
        << refused.status();
  }
}

TEST(ServerConfig, TheExampleConfigLoadsAndStatesTheDefaults) {
  auto c = load_server_config(hubtable::testing::in_build(HUBTABLE_EXAMPLE_CONFIG));
  ASSERT_TRUE(c.ok()) << c.status();
  const Limits defaults;
  EXPECT_EQ(c->limits.max_connections, defaults.max_connections);
  EXPECT_EQ(c->limits.checkpoint_interval, defaults.checkpoint_interval);
  EXPECT_EQ(c->limits.worker_threads, defaults.worker_threads);
  const auto& a = c->limits.alerts;
  const auto& d = defaults.alerts;
  EXPECT_EQ(a.reveal_situations, d.reveal_situations);
  EXPECT_EQ(a.reveal_window_us, d.reveal_window_us);
  EXPECT_EQ(a.denials, d.denials);
  EXPECT_EQ(a.denial_window_us, d.denial_window_us);
  EXPECT_EQ(a.after_hours_quiet_us, d.after_hours_quiet_us);
  EXPECT_EQ(a.verify_interval_us, d.verify_interval_us);
  EXPECT_EQ(a.hours.start_minute, d.hours.start_minute);
  EXPECT_EQ(a.hours.end_minute, d.hours.end_minute);
  EXPECT_EQ(a.hours.days, d.hours.days);
  const BackupSchedule b;
  EXPECT_EQ(c->backup.directory, "/var/backups/hubtable");
  EXPECT_EQ(c->backup.every, b.every);
  EXPECT_EQ(c->backup.keep, b.keep);
}

TEST(ServerConfig, BackupsAreScheduledFromTheBackupSection) {
  TempDir dir;
  const auto path = dir.path() / "c.toml";
  const std::string base = render_server_config("id", "127.0.0.1", 1, "n");
  write_file(path, base);
  auto off = load_server_config(path);
  ASSERT_TRUE(off.ok());
  EXPECT_TRUE(off->backup.directory.empty());
  write_file(path, base + "\n[backup]\ndirectory = 'backups'\nevery = '90m'\nkeep = 3\n");
  auto on = load_server_config(path);
  ASSERT_TRUE(on.ok()) << on.status();
  EXPECT_EQ(on->backup.directory, std::filesystem::absolute(dir.path()) / "backups");
  EXPECT_EQ(on->backup.every, std::chrono::minutes(90));
  EXPECT_EQ(on->backup.keep, 3);
  for (const char* bad : {"every = 'daily'", "every = '0s'", "every = 5", "keep = 0",
                          "directory = ''", "directory = 7"}) {
    write_file(path, base + "\n[backup]\n" + bad + "\n");
    auto refused = load_server_config(path);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(std::string(refused.status().message()).find("backup."), std::string::npos)
        << refused.status();
  }
}

TEST(ServerConfig, TheMetricsEndpointListensOnLoopbackOnly) {
  TempDir dir;
  const auto path = dir.path() / "c.toml";
  const std::string base = render_server_config("id", "127.0.0.1", 1, "n");
  write_file(path, base);
  EXPECT_EQ(load_server_config(path)->metrics_port, 0);
  for (const char* ok : {"127.0.0.1:9464", "[::1]:9464", "127.0.0.2:80"}) {
    write_file(path, base + "\n[metrics]\nlisten = '" + ok + "'\n");
    auto c = load_server_config(path);
    ASSERT_TRUE(c.ok()) << ok << ": " << c.status();
    EXPECT_NE(c->metrics_port, 0);
  }
  for (const char* bad :
       {"0.0.0.0:9464", "192.0.2.1:9464", "localhost:9464", "127.0.0.1:0", "[::]:9464", "9464"}) {
    write_file(path, base + "\n[metrics]\nlisten = '" + bad + "'\n");
    auto c = load_server_config(path);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(std::string(c.status().message()).find("metrics.listen must be a loopback"),
              std::string::npos);
  }
}

TEST(ServerConfig, TheMasterKeyMayBeASystemdCredential) {
  TempDir dir;
  const auto path = dir.path() / "c.toml";
  std::string text = render_server_config("id", "127.0.0.1", 1, "n");
  const std::string file = "master_key = 'keys/master.key'";
  ASSERT_NE(text.find(file), std::string::npos);
  text.replace(text.find(file), file.size(), "master_key = 'credential:master.key'");
  write_file(path, text);
  // NOLINTBEGIN(concurrency-mt-unsafe): this test's own thread only.
  ::unsetenv("CREDENTIALS_DIRECTORY");
  auto without = load_server_config(path);
  ASSERT_FALSE(without.ok());
  EXPECT_NE(std::string(without.status().message()).find("LoadCredential=master.key"),
            std::string::npos);
  ::setenv("CREDENTIALS_DIRECTORY", "/run/credentials/hubtabled.service", 1);
  auto with = load_server_config(path);
  ::unsetenv("CREDENTIALS_DIRECTORY");
  // NOLINTEND(concurrency-mt-unsafe)
  ASSERT_TRUE(with.ok()) << with.status();
  EXPECT_EQ(with->master_key, "/run/credentials/hubtabled.service/master.key");
  text.replace(text.find("credential:master.key"), 21, "credential:../x");
  write_file(path, text);
  EXPECT_FALSE(load_server_config(path).ok());
}

TEST(ServerConfig, HostPortParsing) {
  EXPECT_EQ(parse_host_port("127.0.0.1:7443")->second, 7443);
  EXPECT_EQ(parse_host_port("[::1]:0")->first, "::1");
  EXPECT_FALSE(parse_host_port("127.0.0.1").ok());
  EXPECT_FALSE(parse_host_port("host:99999").ok());
  EXPECT_FALSE(parse_host_port(":80").ok());
}

}  // namespace
}  // namespace hubtable::config
