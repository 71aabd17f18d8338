// The server refuses to start, with one clear line and without touching the
// database, when its keys or database are wrong.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "config/key_file.h"
#include "tests/integration/harness.h"

namespace hubtable::testing {
namespace {

class Startup : public ::testing::Test {
 protected:
  std::filesystem::path key() { return dep_.root() / "keys/master.key"; }

  // Runs serve, expects a refusal naming `expected`, and an untouched database.
  void expect_refusal(const std::string& expected) {
    const std::string before = read_file(dep_.database());
    auto r = run_command({HUBTABLED_PATH, "serve", "--config", dep_.config_path().string(),
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
  TestDeployment other;
  std::filesystem::copy_file(other.database(), dep_.database(),
                             std::filesystem::copy_options::overwrite_existing);
  expect_refusal("master key does not open database");
}

TEST_F(Startup, DatabaseAndKeyFromAnotherDeployment) {
  TestDeployment other;
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

}  // namespace
}  // namespace hubtable::testing
