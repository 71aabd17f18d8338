#include "store/connection.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <functional>
#include <string>
#include <system_error>
#include <unordered_map>

#include "store/page_cipher.h"

namespace hubtable::store {

namespace {
absl::Status sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(message);
    case SQLITE_CONSTRAINT:
      return absl::FailedPreconditionError(message);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return absl::DataLossError(message);
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::InternalError(message);
  }
}

constexpr int kBusyTimeoutMs = 5000;

}  // namespace

// A database file hubtabled creates is its alone, whatever the umask.
absl::Status create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return absl::InternalError("cannot create " + path + ": " +
                               std::generic_category().message(errno));
  const bool ok = ::fchmod(fd, 0600) == 0;
  ::close(fd);
  if (!ok)
    return absl::InternalError("cannot chmod " + path + ": " +
                               std::generic_category().message(errno));
  return absl::OkStatus();
}

namespace {
std::string key_literal(const crypto::SecretBytes& key) {
  return "x'" + crypto::to_hex(key.view()) + "'";
}

absl::Status attach_keystore(Connection& conn, const KeyStoreFile& ks, ConnectionRole role,
                             OpenMode mode) {
  if (ks.key == nullptr || ks.key->size() != 32) {
    return absl::InvalidArgumentError("key store key must be 32 bytes");
  }
  if (mode == OpenMode::kExisting && !std::filesystem::exists(ks.path)) {
    return absl::NotFoundError("vault key store " + ks.path +
                               " does not exist; without it no sealed identifier can be opened");
  }
  if (mode == OpenMode::kCreate && !std::filesystem::exists(ks.path)) {
    if (auto s = create_private_file(ks.path); !s.ok()) return s;
  }
  auto attach = conn.prepare("ATTACH DATABASE ?1 AS keys KEY ?2");
  if (!attach.ok()) return attach.status();
  std::string literal = key_literal(*ks.key);
  attach->bind(1, ks.path).bind(2, literal);
  crypto::secure_zero(literal.data(), literal.size());
  if (auto s = attach->run(); !s.ok()) {
    if (absl::IsUnavailable(s)) return s;  // locked by another process, not a wrong key
    return absl::FailedPreconditionError("the master key does not open vault key store " + ks.path +
                                         " (wrong key, or another deployment's file)");
  }
  // Deleted keys are overwritten, in the key store as in the database.
  if (auto s = conn.exec("PRAGMA keys.secure_delete = ON;"); !s.ok()) return s;
  if (role == ConnectionRole::kWriter) {
    // EXTRA, not FULL: a rollback journal's deletion is what commits the key
    // store, and only EXTRA syncs the directory after it. Under FULL a power
    // loss just after an acknowledged identification can bring the journal
    // back, roll the key store back, and lose the data key of identifiers
    // the database kept (tests/faults shows it).
    return conn.exec("PRAGMA keys.journal_mode = DELETE; PRAGMA keys.synchronous = EXTRA;");
  }
  return absl::OkStatus();
}
}  // namespace

// A connection's compiled statements by their text, least recently used
// evicted first. An entry in use belongs to a live Statement and is never
// evicted.
class StatementCache {
 public:
  struct Entry {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
    std::uint64_t last_used = 0;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  ~StatementCache() {
    for (auto& [sql, entry] : entries_) sqlite3_finalize(entry.stmt);
  }

  // The cached statement for `sql`, marked in use; nullptr when there is
  // none or it is in use.
  Entry* take(std::string_view sql) {
    auto it = entries_.find(sql);
    if (it == entries_.end() || it->second.in_use) return nullptr;
    it->second.in_use = true;
    it->second.last_used = ++clock_;
    return &it->second;
  }

  // Keeps `stmt`, just compiled for `sql`, marked in use, making room by
  // evicting the least recently used idle entry; nullptr when `sql` is
  // already cached (in use) or every entry is in use.
  Entry* keep(std::string_view sql, sqlite3_stmt* stmt) {
    if (entries_.contains(sql)) return nullptr;
    if (entries_.size() >= Connection::kCachedStatements && !evict_one()) return nullptr;
    return &entries_.emplace(std::string(sql), Entry{stmt, true, ++clock_}).first->second;
  }

  std::atomic<std::uint64_t> compiled{0};

 private:
  bool evict_one() {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (!it->second.in_use &&
          (oldest == entries_.end() || it->second.last_used < oldest->second.last_used)) {
        oldest = it;
      }
    }
    if (oldest == entries_.end()) return false;
    sqlite3_finalize(oldest->second.stmt);
    entries_.erase(oldest);
    return true;
  }

  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
  std::uint64_t clock_ = 0;
};

Connection::Connection(sqlite3* db) : db_(db), cache_(std::make_unique<StatementCache>()) {}

Connection::~Connection() {
  cache_.reset();  // finalizes every cached statement before the handle closes
  sqlite3_close_v2(db_);
}

absl::Status Connection::exec(std::string_view sql) {
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "exec");
  return absl::OkStatus();
}

absl::StatusOr<Statement> Connection::prepare(std::string_view sql) {
  if (StatementCache::Entry* cached = cache_->take(sql)) {
    return Statement(cached->stmt, &cached->in_use);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "prepare");
  cache_->compiled.fetch_add(1, std::memory_order_relaxed);
  if (stmt == nullptr) return Statement(stmt);  // only a comment or white space
  StatementCache::Entry* kept = cache_->keep(sql, stmt);
  return Statement(stmt, kept != nullptr ? &kept->in_use : nullptr);
}

std::uint64_t Connection::statements_compiled() const {
  return cache_->compiled.load(std::memory_order_relaxed);
}

std::uint64_t Connection::statement_steps() {
  std::uint64_t n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s != nullptr;
       s = sqlite3_next_stmt(db_, s)) {
    n += static_cast<std::uint64_t>(sqlite3_stmt_status(s, SQLITE_STMTSTATUS_VM_STEP, 0));
  }
  return n;
}

std::int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Connection::changes() const { return sqlite3_changes(db_); }

absl::StatusOr<std::unique_ptr<Connection>> open_connection(const std::string& path,
                                                            const crypto::SecretBytes& db_key,
                                                            ConnectionRole role, OpenMode mode,
                                                            const KeyStoreFile* keystore) {
  if (db_key.size() != 32) return absl::InvalidArgumentError("database key must be 32 bytes");
  if (mode == OpenMode::kExisting && !std::filesystem::exists(path)) {
    return absl::NotFoundError("database " + path + " does not exist (run hubtabled init)");
  }
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (mode == OpenMode::kCreate) {
    flags |= SQLITE_OPEN_CREATE;
    if (!std::filesystem::exists(path)) {
      if (auto s = create_private_file(path); !s.ok()) return s;
    }
  }
  install_page_cipher();
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  auto conn = std::make_unique<Connection>(raw);
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, "open " + path);

  // Raw key as a blob literal so SQLCipher skips PBKDF2: the key is already
  // uniformly random (HKDF output).
  std::string literal = key_literal(db_key);
  rc = sqlite3_key(raw, literal.data(), static_cast<int>(literal.size()));
  crypto::secure_zero(literal.data(), literal.size());
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, "key");

  // SQLCipher 3.4 does not store these settings in the file: apply them on
  // every open, before the first read. The defaults apply to attached files.
  if (auto s = conn->exec(
          "PRAGMA cipher_page_size = 4096; PRAGMA cipher_use_hmac = ON; "
          "PRAGMA cipher_default_page_size = 4096; PRAGMA cipher_default_use_hmac = ON;");
      !s.ok()) {
    return s;
  }
  // Wait out another process's write lock, the first read included.
  if (auto s = conn->exec("PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs) + ";");
      !s.ok()) {
    return s;
  }
  // Verify the key at once. A wrong key or foreign file fails on page 1; a
  // file another process holds locked past the timeout is not a wrong key.
  if (auto s = conn->exec("SELECT count(*) FROM sqlite_master;"); !s.ok()) {
    if (absl::IsUnavailable(s)) return s;
    return absl::FailedPreconditionError("the master key does not open database " + path +
                                         " (wrong key, or a database from another deployment)");
  }
  if (auto s = conn->exec("PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;"); !s.ok()) {
    return s;
  }
  if (role == ConnectionRole::kWriter) {
    if (auto s = conn->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"); !s.ok()) {
      return s;
    }
  }
  if (keystore != nullptr) {
    if (auto s = attach_keystore(*conn, *keystore, role, mode); !s.ok()) return s;
  }
  if (role == ConnectionRole::kReader) {
    if (auto s = conn->exec("PRAGMA query_only = ON;"); !s.ok()) return s;
  }
  return conn;
}

Statement::~Statement() { release(); }

void Statement::release() {
  if (slot_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  // Ends the statement's read of the file and frees its bound values, so the
  // cached statement holds neither a lock nor data.
  reset();
  *slot_ = false;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = SQLITE_OK;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    release();
    stmt_ = other.stmt_;
    slot_ = other.slot_;
    bind_error_ = other.bind_error_;
    other.stmt_ = nullptr;
    other.slot_ = nullptr;
  }
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  // An empty view may hold no pointer; SQLite would bind that as NULL.
  const char* data = value.data() != nullptr ? value.data() : "";
  int rc = sqlite3_bind_text(stmt_, index, data, static_cast<int>(value.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bind(int index, crypto::ByteView value) {
  int rc = sqlite3_bind_blob(stmt_, index, value.data(), static_cast<int>(value.size()),
                             SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bind(int index, std::nullopt_t) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind(index, std::nullopt);
}

absl::StatusOr<bool> Statement::step() {
  sqlite3* db = sqlite3_db_handle(stmt_);
  if (bind_error_ != SQLITE_OK) return sqlite_error(db, bind_error_, "bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db, rc, "step");
}

absl::Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::optional<std::int64_t> Statement::optional_integer(int column) const {
  if (is_null(column)) return std::nullopt;
  return integer(column);
}

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::string_view Statement::text_view(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

crypto::Bytes Statement::blob(int column) const {
  const crypto::ByteView v = blob_view(column);
  return crypto::Bytes(v.begin(), v.end());
}

crypto::ByteView Statement::blob_view(int column) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(n)};
}

}  // namespace hubtable::store
