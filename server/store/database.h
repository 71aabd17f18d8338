#pragma once
// The server's connections to its one database file: a single writer and a
// small pool of readers (WAL lets readers run beside the writer).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "store/connection.h"

namespace hubtable::store {

/// Thread-safe. `write` serialises callers on the writer connection; `read`
/// hands each caller a reader connection of its own, waiting when all are busy.
class Database {
 public:
  /// Opens (and with OpenMode::kCreate, creates) the file, applies pending
  /// migrations, and opens `readers` reader connections. With `keystore`,
  /// every connection attaches it as `keys` (see KeyStoreFile).
  static absl::StatusOr<std::unique_ptr<Database>> open(const std::string& path,
                                                        const crypto::SecretBytes& db_key,
                                                        int readers, OpenMode mode,
                                                        const KeyStoreFile* keystore = nullptr);

  /// Runs `fn` on the writer connection. A COMMIT that fails in `fn` is
  /// followed at once by the recovery (set_recovery); while that fails (a
  /// fault that persists), every later write retries it first, and until it
  /// succeeds `fn` does not run and its caller gets the recovery's error
  /// (fn returns absl::Status or absl::StatusOr).
  template <class F>
  auto write(F&& fn) {
    std::lock_guard<std::mutex> lock(writer_mutex_);
    if (writer_->commit_failed()) {
      if (absl::Status s = recover_writer(); !s.ok()) return decltype(fn(*writer_))(s);
    }
    auto result = fn(*writer_);
    if (writer_->commit_failed()) (void)recover_writer();
    return result;
  }

  /// What the writer runs, in a transaction of its own, before its next
  /// write after a failed COMMIT. Set once, before the database is shared.
  using Recovery = std::function<absl::Status(Connection&)>;
  void set_recovery(Recovery recovery) { recovery_ = std::move(recovery); }

  template <class F>
  auto read(F&& fn) {
    Lease lease(*this);
    return fn(*lease.conn);
  }

  const std::string& path() const { return path_; }

  /// After an erasure (a rejection, a withdrawal, a purge): copies every
  /// committed page into the database file and truncates the WAL to zero
  /// bytes, so that no older copy of an erased row survives in WAL frames
  /// (secure_delete has already zeroed it in the current pages). Waits for
  /// readers of older snapshots up to the busy timeout; UNAVAILABLE when one
  /// still holds the WAL.
  absl::Status truncate_wal();

  /// Empties the page caches of the writer and of every idle reader (what
  /// they hold beyond pages in use; a reader in use keeps its cache), for
  /// when the load has dropped: each connection's cache fills to its bound
  /// as the file grows and would otherwise stay full. Returns the bytes
  /// SQLite freed.
  std::int64_t release_memory();

  /// Statements compiled so far by all the connections (see
  /// Connection::prepare): once each request has run, it stays put.
  std::uint64_t statements_compiled();
  /// The steps run so far by the statements every connection holds compiled
  /// (Connection::statement_steps): a test's measure of a request's cost
  /// that does not depend on the machine. Call only while no request runs.
  std::uint64_t statement_steps();

 private:
  Database() = default;

  struct Lease {
    explicit Lease(Database& db);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Database& db;
    Connection* conn;
  };

  absl::Status recover_writer() ABSL_EXCLUSIVE_LOCKS_REQUIRED(writer_mutex_);

  std::string path_;
  Recovery recovery_;
  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_ ABSL_GUARDED_BY(writer_mutex_);
  std::mutex readers_mutex_;
  std::condition_variable reader_free_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> free_readers_ ABSL_GUARDED_BY(readers_mutex_);
};

}  // namespace hubtable::store
