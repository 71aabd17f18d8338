#include "store/database.h"

#include <algorithm>

#include "store/migrate.h"

namespace hubtable::store {

namespace {
// The key store's schema. Only these two tables live there; both are
// deleted row by row when a situation's identifiers are purged.
constexpr const char* kKeyStoreSchema = R"sql(
CREATE TABLE IF NOT EXISTS keys.data_keys (
  situation_id TEXT PRIMARY KEY,
  wrapped      BLOB NOT NULL,      -- AES-256-GCM under the vault KEK, AAD = situation id
  created_us   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS keys.blind_index (
  situation_id TEXT NOT NULL,
  table_id     INTEGER NOT NULL,
  digest       BLOB NOT NULL,      -- HMAC-SHA256 of normalised name and date of birth
  created_us   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS keys.blind_index_lookup ON blind_index(table_id, digest);
CREATE INDEX IF NOT EXISTS keys.blind_index_situation ON blind_index(situation_id);
)sql";
}  // namespace

absl::StatusOr<std::unique_ptr<Database>> Database::open(const std::string& path,
                                                         const crypto::SecretBytes& db_key,
                                                         int readers, OpenMode mode,
                                                         const KeyStoreFile* keystore) {
  std::unique_ptr<Database> db(new Database());
  db->path_ = path;
  auto writer = open_connection(path, db_key, ConnectionRole::kWriter, mode, keystore);
  if (!writer.ok()) return writer.status();
  db->writer_ = std::move(*writer);
  if (auto s = migrate(*db->writer_); !s.ok()) return s;
  if (keystore != nullptr) {
    if (auto s = db->writer_->exec(kKeyStoreSchema); !s.ok()) return s;
  }
  for (int i = 0; i < std::max(readers, 1); ++i) {
    auto reader =
        open_connection(path, db_key, ConnectionRole::kReader, OpenMode::kExisting, keystore);
    if (!reader.ok()) return reader.status();
    db->free_readers_.push_back(reader->get());
    db->readers_.push_back(std::move(*reader));
  }
  return db;
}

absl::Status Database::truncate_wal() {
  return write([](Connection& c) -> absl::Status {
    auto q = c.prepare("PRAGMA main.wal_checkpoint(TRUNCATE)");
    if (!q.ok()) return q.status();
    auto row = q->step();
    if (!row.ok()) return row.status();
    // (busy, frames in the WAL, frames checkpointed); busy: a reader held on.
    if (*row && q->integer(0) != 0) {
      return absl::UnavailableError("the WAL could not be truncated: a reader held it");
    }
    return absl::OkStatus();
  });
}

absl::Status Database::recover_writer() {
  // What the failed COMMIT left open ends (SQLite rolled back what it could).
  if (sqlite3_get_autocommit(writer_->handle()) == 0) (void)writer_->exec("ROLLBACK");
  writer_->set_commit_failed(false);
  if (!recovery_) return absl::OkStatus();
  absl::Status s = recovery_(*writer_);
  if (!s.ok()) writer_->set_commit_failed(true);
  return s;
}

namespace {
// The request on its way to the writer that this thread works on, if any.
thread_local Database::Arriving* t_arriving = nullptr;
}  // namespace

Database::Arriving::Arriving(Database& db) : db_(db), outer_(t_arriving) {
  std::lock_guard<std::mutex> lock(db_.group_mutex_);
  ++db_.arriving_;
  round_ = db_.arriving_round_;
  t_arriving = this;
}

Database::Arriving::~Arriving() {
  t_arriving = outer_;
  std::lock_guard<std::mutex> lock(db_.group_mutex_);
  db_.count_off(*this);
  db_.wake_gatherer();
}

void Database::count_off(Arriving& a) {
  if (a.arrived_) return;
  a.arrived_ = true;
  if (a.round_ == arriving_round_) --arriving_;  // else a window ended on it: not counted
}

void Database::wake_gatherer() {
  if (gathering_ && all_arrived()) all_arrived_.notify_one();
}

void Database::gather(std::unique_lock<std::mutex>& lock) {
  if (all_arrived()) return;
  gathering_ = true;
  const bool all = all_arrived_.wait_until(lock, std::chrono::steady_clock::now() + gather_window_,
                                           [this] { return all_arrived(); });
  gathering_ = false;
  if (all) {
    ++group_counts_.gathered;
    return;
  }
  // Those still on their way are slow (a password to hash, a report to
  // build): no later leader waits for them again.
  ++group_counts_.window_ended;
  ++arriving_round_;
  arriving_ = 0;
}

void Database::set_gather_window(std::chrono::microseconds window) {
  std::lock_guard<std::mutex> lock(group_mutex_);
  gather_window_ = window;
}

Database::Grouped::Grouped() { sem_init(&woken, 0, 0); }
Database::Grouped::~Grouped() { sem_destroy(&woken); }

absl::Status Database::run_grouped(Grouped& job) {
  std::unique_lock<std::mutex> lock(group_mutex_);
  waiting_.push_back(&job);
  if (Arriving* a = t_arriving; a != nullptr && &a->db_ == this) count_off(*a);
  wake_gatherer();
  if (leading_) {
    // Sleep until this caller's group has committed, or until the leader
    // before it hands it the next group. Only those callers are woken: the
    // others sleep on (woken all at once, as they were, they would only find
    // their work not done, and queue on the mutex to see it).
    lock.unlock();
    while (sem_wait(&job.woken) != 0) {
      // EINTR: a signal handler ran first; wait again.
    }
    if (job.done) return job.outcome;
    lock.lock();
  } else {
    leading_ = true;
  }
  // This caller leads: no other group is being committed, and its own
  // function is first in the queue, so in the group it takes. The requests
  // being worked on beside it join first, unless they take too long.
  gather(lock);
  const auto n = static_cast<std::ptrdiff_t>(std::min(waiting_.size(), kMaxGroup));
  std::vector<Grouped*> group(waiting_.begin(), waiting_.begin() + n);
  waiting_.erase(waiting_.begin(), waiting_.begin() + n);
  lock.unlock();
  std::uint64_t reruns = 0;
  absl::Status outcome = commit_group(group, reruns);
  lock.lock();
  ++group_counts_.groups;
  group_counts_.members += group.size();
  last_group_ = group.size();
  group_counts_.reruns += reruns;
  // Those who arrived during the commit are the next group, and the first of
  // them leads it. leading_ stays set across the hand-over.
  Grouped* const next = waiting_.empty() ? nullptr : waiting_.front();
  leading_ = next != nullptr;
  lock.unlock();
  if (next != nullptr) sem_post(&next->woken);
  for (Grouped* g : group) {
    g->outcome = outcome;
    g->done = true;
    if (g != &job) sem_post(&g->woken);
  }
  return outcome;
}

namespace {
// A member that throws ends the process: the group's open transaction and
// the callers waiting on it could not be left in any state worth keeping.
absl::Status run_member(const std::function<absl::Status(Connection&)>& fn,
                        Connection& c) noexcept {
  return fn(c);
}
}  // namespace

absl::Status Database::commit_group(const std::vector<Grouped*>& group, std::uint64_t& reruns) {
  std::lock_guard<std::mutex> lock(writer_mutex_);
  Connection& c = *writer_;
  sqlite3* const h = c.handle();
  if (c.commit_failed()) {
    if (absl::Status s = recover_writer(); !s.ok()) return s;
  }
  // Members are not wrapped in savepoints: SQLCipher encrypts every page a
  // savepoint journals, which would cost each member what sharing the
  // COMMIT saves. A member that must undo what it wrote (it failed, or it
  // ended its Transaction without a commit, after a change) is left out
  // instead: the group's transaction is rolled back and run again without
  // it. A member that wrote nothing needs no undoing, whatever it returned.
  std::vector<bool> left_out(group.size(), false);
  for (;;) {
    if (absl::Status s = run_statement(c, "BEGIN IMMEDIATE"); !s.ok()) return s;
    c.set_grouped(true);
    absl::Status fault = absl::OkStatus();
    bool again = false;
    for (std::size_t i = 0; i < group.size() && fault.ok() && !again; ++i) {
      if (left_out[i]) continue;
      const int changes_before = sqlite3_total_changes(h);
      c.set_rollback_wanted(false);
      const absl::Status own = run_member(group[i]->run, c);
      if (sqlite3_get_autocommit(h) != 0) {
        // A fault rolled back the whole transaction, the others' work with it.
        fault = own.ok() ? absl::UnavailableError("the group's transaction was rolled back") : own;
      } else if ((c.rollback_wanted() || !own.ok()) && sqlite3_total_changes(h) != changes_before) {
        left_out[i] = true;  // its own result stands; its writes go
        again = true;
      }
    }
    c.set_grouped(false);
    c.set_rollback_wanted(false);
    if (!fault.ok()) return fault;
    if (again) {
      if (absl::Status s = run_statement(c, "ROLLBACK"); !s.ok()) {
        c.set_commit_failed(true);
        (void)recover_writer();
        return s;
      }
      ++reruns;
      continue;
    }
    absl::Status outcome = run_statement(c, "COMMIT");
    if (!outcome.ok()) {
      c.set_commit_failed(true);
      (void)recover_writer();
    }
    return outcome;
  }
}

Database::GroupCounts Database::group_counts() {
  std::lock_guard<std::mutex> lock(group_mutex_);
  return group_counts_;
}

std::size_t Database::waiting_to_commit() {
  std::lock_guard<std::mutex> lock(group_mutex_);
  return waiting_.size();
}

std::size_t Database::on_their_way() {
  std::lock_guard<std::mutex> lock(group_mutex_);
  return arriving_;
}

std::int64_t Database::release_memory() {
  const sqlite3_int64 before = sqlite3_memory_used();
  {
    std::lock_guard<std::mutex> lock(writer_mutex_);
    (void)sqlite3_db_release_memory(writer_->handle());
  }
  {
    // A reader on the free list is not in use, and none is taken while the lock is held.
    std::lock_guard<std::mutex> lock(readers_mutex_);
    for (Connection* reader : free_readers_) (void)sqlite3_db_release_memory(reader->handle());
  }
  return before - sqlite3_memory_used();
}

std::uint64_t Database::statements_compiled() {
  std::uint64_t n = 0;
  {
    std::lock_guard<std::mutex> lock(writer_mutex_);
    n += writer_->statements_compiled();
  }
  for (const auto& reader : readers_) n += reader->statements_compiled();
  return n;
}

std::uint64_t Database::statement_steps() {
  std::uint64_t n = 0;
  {
    std::lock_guard<std::mutex> lock(writer_mutex_);
    n += writer_->statement_steps();
  }
  std::lock_guard<std::mutex> lock(readers_mutex_);
  for (const auto& reader : readers_) n += reader->statement_steps();
  return n;
}

Database::Lease::Lease(Database& database) : db(database), conn(nullptr) {
  std::unique_lock<std::mutex> lock(db.readers_mutex_);
  db.reader_free_.wait(lock, [&] { return !db.free_readers_.empty(); });
  conn = db.free_readers_.back();
  db.free_readers_.pop_back();
  ++db.reads_;
}

std::uint64_t Database::reads() {
  std::lock_guard<std::mutex> lock(readers_mutex_);
  return reads_;
}

Database::Lease::~Lease() {
  {
    std::lock_guard<std::mutex> lock(db.readers_mutex_);
    db.free_readers_.push_back(conn);
  }
  db.reader_free_.notify_one();
}

}  // namespace hubtable::store
