#pragma once
// One SQLCipher connection and its prepared statements.
//
// `open_connection` is the only place the database key and pragmas are
// applied; every connection in every process goes through it.

#include <sqlcipher/sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/bytes.h"

namespace hubtable::domain {
class DeidAllowList;
}  // namespace hubtable::domain

namespace hubtable::store {

enum class ConnectionRole {
  kWriter,  // synchronous=FULL; at most one per process
  kReader,  // query_only
  kCopier,  // reads one snapshot and writes only the files it attaches (a
            // backup's copies): leaves the file's journal mode as it is
};

enum class OpenMode {
  kExisting,  // the file must exist
  kCreate,    // create the file (hubtabled init only)
};

class Statement;
class StatementCache;

/// Owns a sqlite3 handle. Not thread-safe: one thread uses a connection at a time.
class Connection {
 public:
  explicit Connection(sqlite3* db);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Runs one or more statements that return no rows.
  absl::Status exec(std::string_view sql);

  /// Prepares one statement. A statement is compiled once per connection:
  /// when the Statement is destroyed it is reset, its bindings cleared, and
  /// kept for the next prepare of the same text (the `kCachedStatements`
  /// most recently used; the same text prepared again while in use gets a
  /// statement of its own).
  absl::StatusOr<Statement> prepare(std::string_view sql);
  static constexpr std::size_t kCachedStatements = 256;
  /// How many statements this connection has compiled (prepare's misses);
  /// read from any thread.
  std::uint64_t statements_compiled() const;
  /// The virtual-machine steps run by the statements this connection holds
  /// compiled (SQLITE_STMTSTATUS_VM_STEP): what a query costs, whatever the
  /// clock. Call only while the connection is idle.
  std::uint64_t statement_steps();

  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() { return db_; }

  /// A COMMIT failed on this connection. A transaction over the database and
  /// the attached key store may then have committed in one file and not the
  /// other (see store::repair_vault); Database::write then runs its recovery.
  bool commit_failed() const { return commit_failed_; }
  void set_commit_failed(bool failed) { commit_failed_ = failed; }

  /// Inside a group of transactions that commit together
  /// (Database::write_together): a Transaction then opens nothing of its
  /// own (the group's transaction is open), its commit does nothing, and
  /// ending it without a commit asks the group to undo the caller's work.
  bool grouped() const { return grouped_; }
  void set_grouped(bool grouped) { grouped_ = grouped; }
  bool rollback_wanted() const { return rollback_wanted_; }
  void set_rollback_wanted(bool wanted) { rollback_wanted_ = wanted; }

  /// The scanner's allowed phrases by the tables asked for, as read when
  /// the reference data's token (schema 0012, reference_version) was
  /// `token` (store/vocabulary.cpp, deid_allow_list).
  struct PhraseMemo {
    std::optional<std::int64_t> token;
    std::map<std::vector<std::string>, std::shared_ptr<const domain::DeidAllowList>> by_tables;
  };
  PhraseMemo& phrase_memo() { return phrase_memo_; }
  /// Every live vocabulary entry, as read when the token was `token`
  /// (store/vocabulary.cpp, vocabulary_has).
  struct VocabularyMemo {
    std::optional<std::int64_t> token;
    std::unordered_set<std::string> live;
  };
  VocabularyMemo& vocabulary_memo() { return vocabulary_memo_; }

 private:
  sqlite3* db_;
  std::unique_ptr<StatementCache> cache_;
  bool commit_failed_ = false;
  bool grouped_ = false;
  bool rollback_wanted_ = false;
  PhraseMemo phrase_memo_;
  VocabularyMemo vocabulary_memo_;
};

/// The vault key store: a second SQLCipher file, under its own key, attached
/// to every connection as the schema `keys`. It holds the wrapped data keys
/// and blind indexes, so that a copy of the main database file taken before
/// a purge never yields what the purge destroyed. It uses a rollback journal
/// (no WAL), so a deleted key leaves no old copy in a log file.
struct KeyStoreFile {
  std::string path;
  const crypto::SecretBytes* key = nullptr;  // 32 bytes
};

/// Opens `path` with the raw 32-byte database key, applies the pragmas and
/// verifies the key by reading the schema. A wrong key or a file that is not a
/// hubtable database fails here with FAILED_PRECONDITION, before any write.
/// With `keystore`, attaches it (created only in OpenMode::kCreate).
absl::StatusOr<std::unique_ptr<Connection>> open_connection(const std::string& path,
                                                            const crypto::SecretBytes& db_key,
                                                            ConnectionRole role, OpenMode mode,
                                                            const KeyStoreFile* keystore = nullptr);

/// Creates `path` with mode 0600 before SQLite opens it (so its journal and
/// WAL files, which SQLite gives the database file's mode, are 0600 too).
/// An existing file is left as it is.
absl::Status create_private_file(const std::string& path);

/// A prepared statement. Bind indexes are 1-based, column indexes 0-based.
class Statement {
 public:
  /// Where a cached statement goes back to: its entry's `in_use` flag.
  using CacheSlot = bool*;
  explicit Statement(sqlite3_stmt* stmt, CacheSlot slot = nullptr) : stmt_(stmt), slot_(slot) {}
  ~Statement();
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), slot_(other.slot_) {
    other.stmt_ = nullptr;
    other.slot_ = nullptr;
  }
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, crypto::ByteView value);
  Statement& bind(int index, std::nullopt_t);
  Statement& bind(int index, const std::optional<std::int64_t>& value);

  /// Advances; true when a row is available, false when done.
  absl::StatusOr<bool> step();
  /// Makes the statement ready to run again with new bindings.
  void reset();
  /// Steps to completion, for statements that return no rows.
  absl::Status run();
  /// Steps through every row, calling fn(*this) on each.
  template <class F>
  absl::Status for_each_row(F&& fn) {
    for (;;) {
      auto row = step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      fn(static_cast<const Statement&>(*this));
    }
  }

  bool is_null(int column) const;
  std::int64_t integer(int column) const;
  std::optional<std::int64_t> optional_integer(int column) const;
  std::string text(int column) const;
  /// The column's text without a copy: valid until the next step or reset.
  std::string_view text_view(int column) const;
  crypto::Bytes blob(int column) const;
  /// The column's bytes without a copy: valid until the next step or reset.
  crypto::ByteView blob_view(int column) const;

 private:
  // Finalizes the statement, or resets it and hands it back to its cache.
  void release();

  sqlite3_stmt* stmt_;
  CacheSlot slot_;
  int bind_error_ = SQLITE_OK;
};

/// Prepares `sql`, binds its parameters with `bind(statement)` and runs it
/// (a statement that returns no rows).
template <class Bind>
absl::Status run_statement(Connection& c, std::string_view sql, Bind&& bind) {
  auto q = c.prepare(sql);
  if (!q.ok()) return q.status();
  bind(*q);
  return q->run();
}

/// Runs `sql`, a statement with no parameters that returns no rows ("BEGIN
/// IMMEDIATE", "COMMIT"), compiled once per connection like any other.
inline absl::Status run_statement(Connection& c, std::string_view sql) {
  return run_statement(c, sql, [](Statement&) {});
}

}  // namespace hubtable::store
