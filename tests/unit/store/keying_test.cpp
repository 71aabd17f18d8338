#include <gtest/gtest.h>

#include "crypto/hkdf.h"
#include "store/connection.h"
#include "store/database.h"
#include "store/directory.h"
#include "store/migrate.h"
#include "tests/support/temp_dir.h"

namespace hubtable::store {
namespace {

using hubtable::testing::read_file;
using hubtable::testing::TempDir;

crypto::SecretBytes key(std::uint8_t fill) {
  crypto::SecretBytes k(32);
  for (std::size_t i = 0; i < k.size(); ++i) k.data()[i] = static_cast<std::uint8_t>(fill + i);
  return k;
}

std::int64_t pragma_int(Connection& c, const std::string& name) {
  auto s = c.prepare("PRAGMA " + name);
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(*s->step());
  return s->integer(0);
}

std::string pragma_text(Connection& c, const std::string& name) {
  auto s = c.prepare("PRAGMA " + name);
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(*s->step());
  return s->text(0);
}

constexpr const char* kCanary = "CANARY-Qx7Zp-Identifier-0451";

TEST(StoreKeying, CanaryNeverAppearsInDatabaseOrWalBytes) {
  TempDir dir;
  const std::string path = (dir.path() / "t.db").string();
  auto db = Database::open(path, key(1), 1, OpenMode::kCreate);
  ASSERT_TRUE(db.ok()) << db.status();
  auto s = (*db)->write([&](Connection& c) { return set_meta(c, "canary", kCanary); });
  ASSERT_TRUE(s.ok());
  // While open, the change sits in the WAL.
  const std::string wal = read_file(path + "-wal");
  EXPECT_FALSE(wal.empty());
  EXPECT_EQ(wal.find(kCanary), std::string::npos);
  EXPECT_EQ(read_file(path).find(kCanary), std::string::npos);
  // The value is really there, readable with the key.
  auto value = (*db)->read([&](Connection& c) { return get_meta(c, "canary"); });
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(**value, kCanary);
  db->reset();
  EXPECT_EQ(read_file(path).find(kCanary), std::string::npos);
  EXPECT_EQ(read_file(path).find("SQLite format 3"), std::string::npos);
}

TEST(StoreKeying, WrongKeyIsRefusedAndLeavesTheFileUntouched) {
  TempDir dir;
  const std::string path = (dir.path() / "t.db").string();
  {
    auto db = Database::open(path, key(1), 1, OpenMode::kCreate);
    ASSERT_TRUE(db.ok());
  }
  const std::string before = read_file(path);
  auto wrong = open_connection(path, key(2), ConnectionRole::kWriter, OpenMode::kExisting);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(wrong.status().message()).find("master key does not open"),
            std::string::npos);
  auto wrong_db = Database::open(path, key(2), 1, OpenMode::kExisting);
  EXPECT_FALSE(wrong_db.ok());
  EXPECT_EQ(read_file(path), before);
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST(StoreKeying, MissingFileIsNotCreatedUnlessAsked) {
  TempDir dir;
  const std::string path = (dir.path() / "absent.db").string();
  auto c = open_connection(path, key(1), ConnectionRole::kWriter, OpenMode::kExisting);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(StoreKeying, EveryConnectionGetsThePragmas) {
  TempDir dir;
  const std::string path = (dir.path() / "t.db").string();
  auto db = Database::open(path, key(3), 1, OpenMode::kCreate);
  ASSERT_TRUE(db.ok());
  auto writer = open_connection(path, key(3), ConnectionRole::kWriter, OpenMode::kExisting);
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ(pragma_int(**writer, "cipher_page_size"), 4096);
  EXPECT_EQ(pragma_int(**writer, "foreign_keys"), 1);
  EXPECT_EQ(pragma_int(**writer, "secure_delete"), 1);
  EXPECT_EQ(pragma_int(**writer, "synchronous"), 2);  // FULL
  EXPECT_EQ(pragma_text(**writer, "journal_mode"), "wal");
  auto reader = open_connection(path, key(3), ConnectionRole::kReader, OpenMode::kExisting);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(pragma_int(**reader, "query_only"), 1);
  EXPECT_FALSE((*reader)->exec("INSERT INTO meta VALUES ('a', 'b')").ok());
}

TEST(StoreMigrations, AppliedOnceAndTrackedByUserVersion) {
  TempDir dir;
  const std::string path = (dir.path() / "t.db").string();
  {
    auto db = Database::open(path, key(4), 1, OpenMode::kCreate);
    ASSERT_TRUE(db.ok());
  }
  auto c = open_connection(path, key(4), ConnectionRole::kWriter, OpenMode::kExisting);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(pragma_int(**c, "user_version"), latest_schema_version());
  EXPECT_TRUE(migrate(**c).ok());  // idempotent
  ASSERT_TRUE((*c)->exec("PRAGMA user_version = 999").ok());
  auto refused = migrate(**c);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(refused.message()).find("newer than this hubtabled"), std::string::npos);
}

// An empty view may hold no pointer at all; it is still empty text, never
// NULL (a NOT NULL column would refuse the row).
TEST(StoreStatement, AnEmptyViewBindsEmptyTextNotNull) {
  TempDir dir;
  const std::string path = (dir.path() / "t.db").string();
  auto c = open_connection(path, key(1), ConnectionRole::kWriter, OpenMode::kCreate);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE((*c)->exec("CREATE TABLE t (v TEXT NOT NULL)").ok());
  auto ins = (*c)->prepare("INSERT INTO t (v) VALUES (?1)");
  ASSERT_TRUE(ins.ok());
  ins->bind(1, std::string_view());
  ASSERT_TRUE(ins->run().ok());
  auto q = (*c)->prepare("SELECT typeof(v), length(v) FROM t");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->step());
  EXPECT_EQ(q->text(0), "text");
  EXPECT_EQ(q->integer(1), 0);
}

}  // namespace
}  // namespace hubtable::store
