#pragma once
// Filter 4's record and follow-up: sealed planning notes, the
// intervention, status updates and closure. Runs inside the caller's
// transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/bytes.h"
#include "domain/lifecycle.h"
#include "store/connection.h"

namespace hubtable::store {

struct PlanningNote {
  std::int64_t id = 0;
  std::string agency;
  std::int64_t author_id = 0;
  std::string author;  // username
  std::int64_t created_us = 0;
  crypto::Bytes sealed;
};
absl::StatusOr<std::int64_t> insert_planning_note(Connection& c, const std::string& situation_id,
                                                  std::int64_t agency_id, std::int64_t author_id,
                                                  std::int64_t now_us, const crypto::Bytes& sealed);
/// The situation's notes after note `after_id`, oldest first, at most `limit`.
absl::StatusOr<std::vector<PlanningNote>> list_planning_notes(Connection& c,
                                                              const std::string& situation_id,
                                                              std::int64_t after_id,
                                                              std::size_t limit);

// ---- Intervention, follow-up, closure ----------------------------------------

struct Intervention {
  std::int64_t occurred_us = 0;
  std::string outcome;
  std::vector<std::string> agencies;  // codes
  std::int64_t recorded_us = 0;
  std::optional<std::int64_t> amended_us;  // the last amendment
  int amendments = 0;
};
absl::StatusOr<std::optional<Intervention>> find_intervention(Connection& c,
                                                              const std::string& situation_id);
absl::Status record_intervention(Connection& c, const std::string& situation_id,
                                 std::int64_t occurred_us, const std::string& outcome,
                                 const std::vector<std::int64_t>& agency_ids, std::int64_t user_id,
                                 std::int64_t now_us);
/// Replaces the recorded intervention's time, outcome and agencies present.
absl::Status amend_intervention(Connection& c, const std::string& situation_id,
                                std::int64_t occurred_us, const std::string& outcome,
                                const std::vector<std::int64_t>& agency_ids, std::int64_t now_us);

struct StatusUpdate {
  std::string agency;
  std::string meeting;
  std::int64_t created_us = 0;
  std::string text;
};
/// A situation as the tasks of one agency see it.
struct TaskRow {
  std::string id;
  std::string situation_type;
  std::string originating_agency;  // code
  std::string lead_agency;         // code; empty until assigned
  std::string part;                // the agency's role in it (JOINED, LEAD, ASSISTING) or ""
  domain::SituationState state = domain::SituationState::kAwaitingDecision;
  std::int64_t decided_us = 0, ack_due_us = 0, acked_us = 0, intervention_due_us = 0,
               intervened_us = 0, last_update_us = 0;  // 0: none
};
/// The table's situations awaiting a decision or open, with `agency_id`'s
/// part in each (0: no agency), oldest first, at most `limit`.
absl::StatusOr<std::vector<TaskRow>> task_rows(Connection& c, std::int64_t table_id,
                                               std::int64_t agency_id, std::int64_t limit);

absl::Status add_status_update(Connection& c, const std::string& situation_id,
                               std::int64_t agency_id, std::int64_t author_id,
                               const std::string& meeting_id, std::int64_t now_us,
                               const std::string& text);
absl::StatusOr<std::vector<StatusUpdate>> list_status_updates(Connection& c,
                                                              const std::string& situation_id);

struct Closure {
  std::string reason;
  std::vector<std::string> services;
  std::vector<std::string> protective_factors;
};
absl::Status close_situation(Connection& c, const std::string& situation_id, const Closure& closure,
                             std::int64_t user_id, std::int64_t now_us, std::int64_t purge_due_us);
absl::StatusOr<Closure> find_closure(Connection& c, const std::string& situation_id);

/// Open (ACCEPTED) situations of every table, for deadline checks.
absl::StatusOr<std::vector<std::string>> open_situation_ids(Connection& c);

}  // namespace hubtable::store
