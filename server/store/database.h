#pragma once
// The server's connections to its one database file: a single writer and a
// small pool of readers (WAL lets readers run beside the writer).

#include <condition_variable>
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

  template <class F>
  auto write(F&& fn) {
    std::lock_guard<std::mutex> lock(writer_mutex_);
    return fn(*writer_);
  }

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

  std::string path_;
  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_ ABSL_GUARDED_BY(writer_mutex_);
  std::mutex readers_mutex_;
  std::condition_variable reader_free_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> free_readers_ ABSL_GUARDED_BY(readers_mutex_);
};

}  // namespace hubtable::store
