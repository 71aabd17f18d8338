#include <gtest/gtest.h>

#include <optional>

#include "crypto/hkdf.h"
#include "store/connection.h"
#include "store/database.h"
#include "store/directory.h"
#include "store/migrate.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_key.h"

namespace hubtable::store {
namespace {

using hubtable::testing::read_file;
using hubtable::testing::TempDir;

crypto::SecretBytes key(std::uint8_t fill) { return hubtable::testing::test_key(fill); }

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

// After a busy hour the caches give their pages back, and the data is all
// still there.
TEST(StoreDatabase, ReleasesItsPageCachesAndKeepsWorking) {
  TempDir dir;
  const std::string path = (dir.path() / "t.db").string();
  auto db = Database::open(path, key(5), 2, OpenMode::kCreate);
  ASSERT_TRUE(db.ok());
  const std::string value(1000, 'v');
  constexpr int kRows = 500;  // ~125 pages, well within a cache's bound
  auto wrote = (*db)->write([&](Connection& c) {
    for (int i = 0; i < kRows; ++i) {
      if (auto s = set_meta(c, "row" + std::to_string(i), value); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
  ASSERT_TRUE(wrote.ok()) << wrote;
  // Reads every row's bytes, so the reader's cache holds the table.
  auto bytes_stored = [&] {
    return (*db)->read([&](Connection& c) {
      auto q = c.prepare("SELECT sum(length(value)) FROM meta WHERE key LIKE 'row%'");
      EXPECT_TRUE(q.ok() && *q->step());
      return q->integer(0);
    });
  };
  EXPECT_EQ(bytes_stored(), std::int64_t{kRows} * 1000);
  const std::int64_t freed = (*db)->release_memory();
  EXPECT_GT(freed, std::int64_t{kRows} * 1000 / 2);  // most of what was cached
  EXPECT_EQ(bytes_stored(), std::int64_t{kRows} * 1000);
  EXPECT_TRUE((*db)->write([&](Connection& c) { return set_meta(c, "after", "x"); }).ok());
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

// A statement is compiled once per connection and comes back from the cache
// reset: no row, no binding, no read of the file left in it.
TEST(StoreStatement, EachTextIsCompiledOncePerConnection) {
  TempDir dir;
  const std::string path = (dir.path() / "t.db").string();
  auto c = open_connection(path, key(1), ConnectionRole::kWriter, OpenMode::kCreate);
  ASSERT_TRUE(c.ok()) << c.status();
  Connection& conn = **c;
  const char* sql = "SELECT ?1 || 'x'";
  auto answer = [&](std::optional<std::string> bound) -> std::optional<std::string> {
    auto q = conn.prepare(sql);
    EXPECT_TRUE(q.ok());
    if (bound) q->bind(1, *bound);
    EXPECT_TRUE(*q->step());
    if (q->is_null(0)) return std::nullopt;
    return q->text(0);
  };
  const std::uint64_t before = conn.statements_compiled();
  EXPECT_EQ(answer("a"), "ax");
  EXPECT_EQ(answer("b"), "bx");
  // The bound value went with the last use: unbound is NULL again.
  EXPECT_EQ(answer(std::nullopt), std::nullopt);
  EXPECT_EQ(conn.statements_compiled(), before + 1);

  // The same text twice at once: each gets a statement of its own.
  auto outer = conn.prepare("SELECT value FROM (SELECT 1 AS value UNION ALL SELECT 2)");
  auto inner = conn.prepare("SELECT value FROM (SELECT 1 AS value UNION ALL SELECT 2)");
  ASSERT_TRUE(outer.ok() && inner.ok());
  ASSERT_TRUE(*outer->step());
  ASSERT_TRUE(*inner->step());
  ASSERT_TRUE(*inner->step());
  ASSERT_TRUE(*outer->step());
  EXPECT_EQ(outer->integer(0), 2);
  EXPECT_EQ(conn.statements_compiled(), before + 3);
}

TEST(StoreStatement, TheLeastRecentlyUsedAreDroppedBeyondTheBound) {
  TempDir dir;
  const std::string path = (dir.path() / "t.db").string();
  auto c = open_connection(path, key(1), ConnectionRole::kWriter, OpenMode::kCreate);
  ASSERT_TRUE(c.ok()) << c.status();
  Connection& conn = **c;
  auto select = [&](std::size_t i) {
    auto q = conn.prepare("SELECT " + std::to_string(i));
    ASSERT_TRUE(q.ok());
    ASSERT_TRUE(*q->step());
    EXPECT_EQ(q->integer(0), static_cast<std::int64_t>(i));
  };
  constexpr std::size_t kMore = Connection::kCachedStatements + 10;
  for (std::size_t i = 0; i < kMore; ++i) select(i);
  const std::uint64_t compiled = conn.statements_compiled();
  select(kMore - 1);  // recent: still cached
  EXPECT_EQ(conn.statements_compiled(), compiled);
  select(0);  // the oldest: dropped, compiled again
  EXPECT_EQ(conn.statements_compiled(), compiled + 1);
}

// A statement stepped part of the way and dropped no longer holds its
// snapshot: the WAL can be truncated at once.
TEST(StoreStatement, ACachedStatementHoldsNoReadOfTheFile) {
  TempDir dir;
  const std::string path = (dir.path() / "t.db").string();
  auto db = Database::open(path, key(2), 1, OpenMode::kCreate);
  ASSERT_TRUE(db.ok());
  for (const char* k : {"a", "b", "c"}) {
    ASSERT_TRUE((*db)->write([&](Connection& c) { return set_meta(c, k, "v"); }).ok());
  }
  (*db)->read([&](Connection& c) {
    auto q = c.prepare("SELECT key FROM meta ORDER BY key");
    ASSERT_TRUE(q.ok());
    ASSERT_TRUE(*q->step());  // one row of several, then dropped
  });
  ASSERT_TRUE((*db)->write([&](Connection& c) { return set_meta(c, "d", "v"); }).ok());
  EXPECT_TRUE((*db)->truncate_wal().ok());
  EXPECT_EQ(std::filesystem::file_size(path + "-wal"), 0u);
}

}  // namespace
}  // namespace hubtable::store
