#pragma once
// The table's Filter-2 decisions after they are made: a rejection's content
// held until its meeting closes, corrections at that meeting, and their
// trail for the audit and the minutes. Runs inside the caller's transaction.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/lifecycle.h"
#include "store/connection.h"

namespace hubtable::store {

struct Rejection {
  std::string reason;  // rejection_reason code
  std::string meeting_id;
  std::int64_t user_id = 0;
  std::int64_t now_us = 0;
  /// Hold the narrative, age band, gender and codes until the meeting
  /// closes (erase_held_rejections), so the decision can be corrected;
  /// otherwise they are deleted now.
  bool hold = true;
};
/// REJECTED, from awaiting a decision: the record keeps the minimum.
absl::Status reject_situation(Connection& c, const std::string& id, const Rejection& r);

/// Back to AWAITING_DECISION, from ACCEPTED (its decision note, deadlines
/// and participants go) or from REJECTED (its held content comes back).
absl::Status undecide_situation(Connection& c, const std::string& id);

/// Whether a rejection's content is still held.
absl::StatusOr<bool> rejection_held(Connection& c, const std::string& situation_id);
/// Deletes the held content of the rejections made at `meeting_id`;
/// returns how many.
absl::StatusOr<int> erase_held_rejections(Connection& c, const std::string& meeting_id);
/// Deletes one situation's held content (the chair erases it at once).
absl::Status erase_held_rejection(Connection& c, const std::string& situation_id);

/// Correcting the accepted decision's note, or the rejection's reason.
absl::Status set_decision_note(Connection& c, const std::string& id, const std::string& note);
absl::Status set_rejection_reason(Connection& c, const std::string& id, const std::string& reason);

struct Correction {
  std::string situation_id;
  std::string meeting_id;
  domain::SituationState from = domain::SituationState::kAwaitingDecision;
  std::string from_reason;
  domain::SituationState to = domain::SituationState::kAwaitingDecision;
  std::string to_reason;
  std::int64_t corrected_by = 0;
  std::int64_t corrected_us = 0;
};
absl::Status record_correction(Connection& c, const Correction& k);
/// The corrections made at a meeting, in order.
absl::StatusOr<std::vector<Correction>> list_corrections(Connection& c,
                                                         const std::string& meeting_id);

}  // namespace hubtable::store
