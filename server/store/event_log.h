#pragma once
// Live events kept for replay: what `watch` pushed, so that someone who was
// away hears it when they come back, and each person's cursor (the last
// event they received). Events are de-identified by construction: ids,
// codes and one line a handler wrote. Runs inside the caller's transaction.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/connection.h"

namespace hubtable::store {

struct KeptEvent {
  std::int64_t seq = 0;  // assigned when kept
  std::int64_t time_us = 0;
  std::string kind, table, situation, agency, message;
  // Who hears it (api::Audience, as stored).
  std::vector<std::string> agencies;
  bool chairs = false, all_reps = false, privacy_officers = false, every_table = false;
  std::int64_t except_user = 0;
};

/// Keeps `e`; returns its seq.
absl::StatusOr<std::int64_t> keep_event(Connection& c, const KeptEvent& e);
/// Events after `after_seq` and at or after `since_us`, oldest first, at most `limit`.
absl::StatusOr<std::vector<KeptEvent>> events_after(Connection& c, std::int64_t after_seq,
                                                    std::int64_t since_us, std::int64_t limit);
/// The last event kept (0: none).
absl::StatusOr<std::int64_t> last_event_seq(Connection& c);
/// Deletes the events older than `before_us`; returns how many.
absl::StatusOr<int> drop_events_before(Connection& c, std::int64_t before_us);

/// The last event `user_id` received (0: none yet).
absl::StatusOr<std::int64_t> watch_cursor(Connection& c, std::int64_t user_id);
/// Moves the user's cursor forward to `seq` (never back).
absl::Status advance_watch_cursor(Connection& c, std::int64_t user_id, std::int64_t seq);

}  // namespace hubtable::store
