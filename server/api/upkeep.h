#pragma once
// The server's own work, besides answering requests: signing checkpoints of
// the audit log, checking the log (its end at every start and after a
// database error, the whole walk periodically), the retention sweep and
// deadline events, and erasing what a rejection, withdrawal or purge left
// in the WAL. Runs on the worker pool (Service schedules it) and, for
// tests, synchronously.
//
// Thread-safe: the sets of what was already told are guarded by a mutex,
// the flags are atomic, and the Checkpointer is safe to share (see
// audit/checkpointer.h).

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "api/audited_work.h"
#include "audit/checkpointer.h"
#include "domain/clock.h"
#include "store/database.h"

namespace hubtable::api {

class Upkeep {
 public:
  /// `disable_unused_after_us`: accounts idle this long are disabled (0: never).
  Upkeep(store::Database& db, const domain::Clock& clock, audit::Checkpointer checkpointer,
         AuditedWork& audited, std::int64_t disable_unused_after_us);

  /// Crypto-shreds situations whose retention ended and pushes deadline
  /// events (acknowledgement overdue, intervention overdue, open 90 days
  /// without an update), each once per process. Returns how many
  /// situations were purged.
  absl::StatusOr<int> sweep();

  /// Disables accounts that made no request in the configured time (or were
  /// issued and never used), ending their sessions, and records one-time
  /// passwords that expired unused; each audited once. Part of sweep().
  /// Returns how many accounts were disabled.
  absl::StatusOr<int> retire_unused_accounts();

  /// Signs a checkpoint of the audit log when at least `min_unsigned`
  /// events follow the last one.
  absl::Status checkpoint(std::uint64_t min_unsigned = 1);
  /// The same after a request, reading the database only when the last
  /// event a request appended (AuditedWork::last_appended) lies at least
  /// `min_unsigned` events past the last checkpoint this process has seen:
  /// most requests end without a look at the log.
  absl::Status checkpoint_after_request(std::uint64_t min_unsigned);

  /// The server's own walk of its stored log. A problem raises a
  /// "verification_failed" alert, once per problem per process. Returns
  /// whether the log verified.
  absl::StatusOr<bool> verify_log();

  /// Checks that the log can take its next event: when its tail was removed
  /// while its tree remains, the server fails closed (one log line, a
  /// verification_failed alert written after the tree's end, and
  /// log_damaged() from then on).
  absl::Status check_log_end();
  bool log_damaged() const { return log_damaged_.load(); }

  /// Stores each person's last event received live (EventHub::take_delivered)
  /// as their watch cursor, and drops the kept events older than the
  /// replay window.
  absl::Status keep_watch_cursors(const std::map<std::int64_t, std::int64_t>& delivered);

  /// After an erasure: truncates the WAL (store::Database::truncate_wal);
  /// when a reader holds it, the next sweep tries again.
  void erase_old_copies();

  const audit::Checkpointer& checkpointer() const { return checkpointer_; }

 private:
  store::Database& db_;
  const domain::Clock& clock_;
  audit::Checkpointer checkpointer_;
  AuditedWork& audited_;
  std::int64_t disable_unused_after_us_;
  std::mutex notified_mutex_;
  // "kind/situation" deadline events pushed and still due at the last sweep.
  std::set<std::string> notified_ ABSL_GUARDED_BY(notified_mutex_);
  // Verification problems already alerted.
  std::set<std::string> verify_alerted_ ABSL_GUARDED_BY(notified_mutex_);
  std::atomic<bool> log_damaged_{false};
  std::atomic<bool> erasure_pending_{false};   // an erased row may survive in WAL frames
  std::atomic<std::uint64_t> signed_seen_{0};  // the largest checkpoint seen signed
};

}  // namespace hubtable::api
