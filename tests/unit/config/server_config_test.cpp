#include "config/server_config.h"

#include <gtest/gtest.h>

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

TEST(ServerConfig, HostPortParsing) {
  EXPECT_EQ(parse_host_port("127.0.0.1:7443")->second, 7443);
  EXPECT_EQ(parse_host_port("[::1]:0")->first, "::1");
  EXPECT_FALSE(parse_host_port("127.0.0.1").ok());
  EXPECT_FALSE(parse_host_port("host:99999").ok());
  EXPECT_FALSE(parse_host_port(":80").ok());
}

}  // namespace
}  // namespace hubtable::config
