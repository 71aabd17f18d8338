#include "config/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/temp_dir.h"

namespace hubtable::config {
namespace {

using hubtable::testing::TempDir;

TEST(KeyFile, WrittenOwnerOnlyAndReadBack) {
  TempDir dir;
  const auto path = dir.path() / "master.key";
  crypto::Bytes key(32, 0x5a);
  ASSERT_TRUE(write_secret_file(path, key).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = load_key_file(path, 32);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(crypto::to_hex(loaded->view()), crypto::to_hex(key));
  EXPECT_EQ(write_secret_file(path, key).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(KeyFile, RefusesMissingWorldReadableAndWrongSize) {
  TempDir dir;
  EXPECT_EQ(load_key_file(dir.path() / "none", 32).status().code(), absl::StatusCode::kNotFound);
  const auto path = dir.path() / "k";
  ASSERT_TRUE(write_secret_file(path, crypto::Bytes(32, 1)).ok());
  ::chmod(path.c_str(), 0644);
  auto open = load_key_file(path, 32);
  EXPECT_EQ(open.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(open.status().message()).find("chmod 600"), std::string::npos);
  ::chmod(path.c_str(), 0640);
  EXPECT_FALSE(load_key_file(path, 32).ok());
  ::chmod(path.c_str(), 0600);
  EXPECT_EQ(load_key_file(path, 16).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace hubtable::config
