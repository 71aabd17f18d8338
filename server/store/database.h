#pragma once
// The server's connections to its one database file: a single writer and a
// small pool of readers (WAL lets readers run beside the writer).

#include <semaphore.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
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

  /// Group commit: runs `fn` on the writer as write() does, together with
  /// the other callers of write_together that arrive while a group is being
  /// committed. One of them (the leader) runs the group's functions one
  /// after the other inside one write transaction and commits them
  /// together: one COMMIT and one fsync for all. Each caller gets its fn's
  /// result only once its group has committed (so no answer leaves before
  /// what it depends on is durable). When the group's COMMIT fails, or a
  /// fault (a full disk, an I/O error) rolls its whole transaction back,
  /// nothing of the group is stored and every caller in it gets that error,
  /// whatever its fn returned. A fn that fails, or ends its Transaction
  /// without a commit, after writing undoes its own work only: the group is
  /// rolled back and run again without it, so fn may run more than once and
  /// must start afresh each time (only its last run's result counts). fn
  /// returns absl::Status or absl::StatusOr, and must not wait on the writer
  /// itself (write or write_together).
  template <class F>
  auto write_together(F&& fn) {
    using Result = decltype(fn(std::declval<Connection&>()));
    std::optional<Result> result;
    Grouped job;
    job.run = [&](Connection& c) {
      result.emplace(fn(c));
      return status_of(*result);
    };
    if (absl::Status s = run_grouped(job); !s.ok()) return Result(s);
    return std::move(*result);
  }
  /// The most functions one group commits.
  static constexpr std::size_t kMaxGroup = 64;

  /// Before it commits, a group's leader waits, up to the gather window,
  /// until as many callers are queued as the last group held, and until no
  /// request is still on its way (an Arriving held on a thread that has not
  /// yet called write_together). Requests worked on at the same moment then
  /// share one COMMIT, where each group would otherwise take only the few
  /// that queued while the one before it committed. Under a steady load the
  /// groups keep their size; when it drops, a leader waits once, the window
  /// ends, and the next waits for as many as it took. A lone caller never
  /// waits.
  ///
  /// An Arriving counts its thread's request as on its way until the
  /// thread's first write_together (it has arrived), or its end for a
  /// request that never writes. A request still on its way when a window
  /// ends is counted no more: it is slow, and no later leader waits for it.
  /// Held by the service around each request's work; one per thread at a
  /// time.
  class Arriving {
   public:
    explicit Arriving(Database& db);
    ~Arriving();
    Arriving(const Arriving&) = delete;
    Arriving& operator=(const Arriving&) = delete;

   private:
    friend class Database;
    Database& db_;
    Arriving* outer_;          // the thread's previous one, restored at the end
    std::uint64_t round_ = 0;  // counted while db_.arriving_round_ has not moved on
    bool arrived_ = false;
  };
  /// The longest a leader waits for callers.
  static constexpr std::chrono::microseconds kGatherWindow{500};
  /// For tests: another window (a long one makes who joins which group
  /// deterministic; zero waits for no one).
  void set_gather_window(std::chrono::microseconds window);
  /// Groups committed so far, and the functions they held (for tests and
  /// metrics; read from any thread).
  struct GroupCounts {
    std::uint64_t groups = 0;
    std::uint64_t members = 0;
    std::uint64_t reruns = 0;  // groups run again without a member that undid its work
    // Groups whose leader waited for requests on their way: all of them
    // came, or the window ended first.
    std::uint64_t gathered = 0;
    std::uint64_t window_ended = 0;
  };
  GroupCounts group_counts();
  /// Callers of write_together waiting for a group to take them.
  std::size_t waiting_to_commit();
  /// Requests on their way to the writer (Arriving still counted).
  std::size_t on_their_way();

  /// What the writer runs, in a transaction of its own, before its next
  /// write after a failed COMMIT. Set once, before the database is shared.
  using Recovery = std::function<absl::Status(Connection&)>;
  void set_recovery(Recovery recovery) { recovery_ = std::move(recovery); }

  template <class F>
  auto read(F&& fn) {
    Lease lease(*this);
    return fn(*lease.conn);
  }
  /// The calls of read() so far: a test's count of the readers a request
  /// took.
  std::uint64_t reads();

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

  static const absl::Status& status_of(const absl::Status& s) { return s; }
  template <class T>
  static absl::Status status_of(const absl::StatusOr<T>& s) {
    return s.status();
  }

  // A caller of write_together: its function in a group, and the group's
  // outcome. outcome and done are written by the leader of its group before
  // it is woken, and read by it after.
  struct Grouped {
    Grouped();
    ~Grouped();
    Grouped(const Grouped&) = delete;
    Grouped& operator=(const Grouped&) = delete;
    std::function<absl::Status(Connection&)> run;
    absl::Status outcome;
    bool done = false;
    // Posted once: when its group has committed, or when it is to lead the
    // next group. A POSIX semaphore: its waits do not spin (GCC 12's
    // std::binary_semaphore yields the processor first, several times), and
    // glibc lets it be destroyed as soon as a wait on it returns, while the
    // poster may still be leaving sem_post.
    sem_t woken;
  };
  absl::Status run_grouped(Grouped& job);
  // With group_mutex_ held, by a leader: waits, for at most the gather
  // window, until all_arrived().
  void gather(std::unique_lock<std::mutex>& lock) ABSL_EXCLUSIVE_LOCKS_REQUIRED(group_mutex_);
  // As many queued as the last group held, and none on its way; or a
  // group's worth queued.
  bool all_arrived() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(group_mutex_) {
    return (arriving_ == 0 && waiting_.size() >= last_group_) || waiting_.size() >= kMaxGroup;
  }
  // With group_mutex_ held: `a` has arrived or ended (once counted off, it
  // stays so).
  void count_off(Arriving& a) ABSL_EXCLUSIVE_LOCKS_REQUIRED(group_mutex_);
  // With group_mutex_ held: wakes a gathering leader once all_arrived().
  void wake_gatherer() ABSL_EXCLUSIVE_LOCKS_REQUIRED(group_mutex_);
  // Runs and commits one group on the writer; adds to `reruns` each time the
  // group ran again without a member that undid its work.
  absl::Status commit_group(const std::vector<Grouped*>& group, std::uint64_t& reruns);

  std::string path_;
  Recovery recovery_;
  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_ ABSL_GUARDED_BY(writer_mutex_);
  std::mutex group_mutex_;
  std::vector<Grouped*> waiting_ ABSL_GUARDED_BY(group_mutex_);
  bool leading_ ABSL_GUARDED_BY(group_mutex_) = false;
  std::size_t arriving_ ABSL_GUARDED_BY(group_mutex_) = 0;  // Arriving still counted
  std::uint64_t arriving_round_ ABSL_GUARDED_BY(group_mutex_) = 0;
  std::chrono::microseconds gather_window_ ABSL_GUARDED_BY(group_mutex_) = kGatherWindow;
  bool gathering_ ABSL_GUARDED_BY(group_mutex_) = false;      // a leader waits in gather()
  std::size_t last_group_ ABSL_GUARDED_BY(group_mutex_) = 1;  // members of the last group
  std::condition_variable all_arrived_;
  GroupCounts group_counts_ ABSL_GUARDED_BY(group_mutex_);
  std::mutex readers_mutex_;
  std::condition_variable reader_free_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> free_readers_ ABSL_GUARDED_BY(readers_mutex_);
  std::uint64_t reads_ ABSL_GUARDED_BY(readers_mutex_) = 0;
};

}  // namespace hubtable::store
