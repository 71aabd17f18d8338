// The page cipher (store/page_cipher.h) against SQLCipher's own: the
// `sqlcipher` shell Debian ships uses the library's built-in OpenSSL
// provider, so a file it writes and hubtable reads, and the other way round,
// shows the two write the same format.
#include "store/page_cipher.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crypto/bytes.h"
#include "store/connection.h"
#include "tests/support/sqlcipher_pages.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_key.h"

namespace hubtable::store {
namespace {

using hubtable::testing::read_file;
using hubtable::testing::TempDir;
using hubtable::testing::test_key;
using hubtable::testing::write_file;

constexpr const char* kShell = "/usr/bin/sqlcipher";  // deploy/install-deps.sh installs it

// What both sides compute over the same rows: how many, their bytes, and
// the first and last value in order.
constexpr const char* kDigestSql =
    "SELECT count(*) || '/' || total(length(v)) || '/' || min(v) || '/' || max(v) FROM t";

// Rows spread over a few hundred pages, each value different.
constexpr const char* kFillSql =
    "CREATE TABLE t (v TEXT NOT NULL);"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
    " INSERT INTO t SELECT printf('%05d-', i) || hex(randomblob(200)) FROM n;";

// The pragmas open_connection applies, as the shell takes them.
std::string shell_preamble(const crypto::SecretBytes& key) {
  return "PRAGMA key = \"x'" + crypto::to_hex(key.view()) +
         "'\";\nPRAGMA cipher_page_size = 4096;\nPRAGMA cipher_use_hmac = ON;\n";
}

// Runs `sql` in SQLCipher's own shell on `db`; its standard output, or
// nullopt when the shell failed.
std::optional<std::string> run_shell(const TempDir& dir, const std::string& db,
                                     const std::string& sql) {
  const auto script = dir.path() / "script.sql";
  const auto out = dir.path() / "shell.out";
  write_file(script, sql);
  const std::string command = std::string(kShell) + " -batch '" + db + "' < '" + script.string() +
                              "' > '" + out.string() + "' 2>&1";
  // NOLINTNEXTLINE(concurrency-mt-unsafe,cert-env33-c): this test's only thread; its own tool
  const int rc = std::system(command.c_str());
  std::string text = read_file(out);
  if (rc != 0 || text.find("Error") != std::string::npos) {
    ADD_FAILURE() << "sqlcipher shell failed (" << rc << "): " << text;
    return std::nullopt;
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string query_text(Connection& c, const std::string& sql) {
  auto q = c.prepare(sql);
  EXPECT_TRUE(q.ok()) << q.status();
  if (!q.ok()) return "";
  auto row = q->step();
  EXPECT_TRUE(row.ok() && *row) << (row.ok() ? "no row" : row.status().ToString());
  return row.ok() && *row ? q->text(0) : "";
}

// A new database at `path`, written through open_connection, holding
// kFillSql's rows; null (and the test failed) if it could not be made.
std::unique_ptr<Connection> filled_database(const std::string& path,
                                            const crypto::SecretBytes& key) {
  auto c = open_connection(path, key, ConnectionRole::kWriter, OpenMode::kCreate);
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok()) return nullptr;
  EXPECT_TRUE((*c)->exec(kFillSql).ok());
  return std::move(*c);
}

TEST(PageCipher, IsWhatEveryConnectionUsesEvenAfterTheLastOneClosed) {
  TempDir dir;
  const std::string path = (dir.path() / "t.db").string();
  for (int round = 0; round < 2; ++round) {  // the second after every codec closed
    auto c = open_connection(path, test_key(1), ConnectionRole::kWriter,
                             round == 0 ? OpenMode::kCreate : OpenMode::kExisting);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(query_text(**c, "PRAGMA cipher_provider"), kPageCipherProviderName);
    EXPECT_EQ(query_text(**c, "PRAGMA cipher"), "AES-256-CBC");
  }
}

TEST(PageCipher, ReadsWhatSqlciphersOwnProviderWrote) {
  TempDir dir;
  const std::string path = (dir.path() / "theirs.db").string();
  const auto key = test_key(2);
  auto theirs = run_shell(
      dir, path,
      shell_preamble(key) + "PRAGMA cipher_provider;\n" + kFillSql + "\n" + kDigestSql + ";\n");
  ASSERT_TRUE(theirs.has_value());
  // The shell's provider is SQLCipher's own, not this one.
  ASSERT_EQ(theirs->rfind("openssl\n", 0), 0U) << *theirs;
  const std::string their_digest = theirs->substr(theirs->find('\n') + 1);
  ASSERT_NE(their_digest.find("3000/"), std::string::npos) << their_digest;

  auto ours = open_connection(path, test_key(2), ConnectionRole::kWriter, OpenMode::kExisting);
  ASSERT_TRUE(ours.ok()) << ours.status();
  EXPECT_EQ(query_text(**ours, kDigestSql), their_digest);
  EXPECT_EQ(query_text(**ours, "PRAGMA integrity_check"), "ok");
}

TEST(PageCipher, SqlciphersOwnProviderReadsWhatThisOneWrote) {
  TempDir dir;
  const std::string path = (dir.path() / "ours.db").string();
  std::string our_digest;
  {
    auto ours = filled_database(path, test_key(3));
    ASSERT_NE(ours, nullptr);
    our_digest = query_text(*ours, kDigestSql);
  }  // closing checkpoints the WAL into the file
  // The test suite's own decryption of the raw pages agrees on the layout.
  EXPECT_EQ(hubtable::testing::database_header_summary(path, test_key(3)), "4096/48");

  auto theirs = run_shell(
      dir, path, shell_preamble(test_key(3)) + kDigestSql + ";\n" + "PRAGMA integrity_check;\n");
  ASSERT_TRUE(theirs.has_value());
  EXPECT_EQ(*theirs, our_digest + "\nok");
}

TEST(PageCipher, AChangedByteInAPageIsRefused) {
  TempDir dir;
  const std::string path = (dir.path() / "t.db").string();
  ASSERT_NE(filled_database(path, test_key(4)), nullptr);  // closed at once
  std::string bytes = read_file(path);
  constexpr std::size_t kPage = 4096;
  ASSERT_GT(bytes.size(), 10 * kPage);
  bytes[5 * kPage + 1000] = static_cast<char>(bytes[5 * kPage + 1000] ^ 0x01);
  write_file(path, bytes);

  auto c = open_connection(path, test_key(4), ConnectionRole::kWriter, OpenMode::kExisting);
  ASSERT_TRUE(c.ok()) << c.status();  // page 1 is intact
  auto q = (*c)->prepare("SELECT total(length(v)) FROM t");
  ASSERT_TRUE(q.ok());
  auto row = q->step();
  EXPECT_FALSE(row.ok());  // the HMAC of page 6 no longer matches
}

// Connections open and close on several threads while one stays open: each
// is keyed with this provider, and the registration races with nothing.
TEST(PageCipher, ConnectionsOpenedOnManyThreadsAllUseIt) {
  TempDir dir;
  const std::string path = (dir.path() / "t.db").string();
  const auto held = filled_database(path, test_key(5));
  ASSERT_NE(held, nullptr);
  const std::string digest = query_text(*held, kDigestSql);

  constexpr int kThreads = 4;
  constexpr int kOpens = 20;
  std::vector<int> agreed(kThreads, 0);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOpens; ++i) {
        auto c = open_connection(path, test_key(5), ConnectionRole::kReader, OpenMode::kExisting);
        if (!c.ok()) continue;
        if (query_text(**c, "PRAGMA cipher_provider") == kPageCipherProviderName &&
            query_text(**c, kDigestSql) == digest) {
          ++agreed[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(agreed[t], kOpens) << "thread " << t;
}

}  // namespace
}  // namespace hubtable::store
