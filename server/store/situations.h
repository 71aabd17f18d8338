#pragma once
// Repository for de-identified situations (Filters 1 and 2). Runs inside the
// caller's transaction. Rejection and withdrawal keep only what the RTD keeps
// for a rejected discussion (date, originating agency, type, reason): the
// narrative, age band, gender, notes and codes are deleted (secure_delete is
// on, so freed pages are zeroed).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/lifecycle.h"
#include "store/connection.h"

namespace hubtable::store {

struct SituationRecord {
  std::string id;
  std::int64_t table_id = 0;
  std::string table_code;  // read only
  std::int64_t originating_agency_id = 0;
  std::string originating_agency;  // read only: the agency code
  std::int64_t submitted_by = 0;
  std::int64_t submitted_us = 0;
  std::int64_t filter1_attested_us = 0;
  domain::SituationState state = domain::SituationState::kAwaitingDecision;
  std::string situation_type;
  std::string age_band;
  std::string gender;
  std::string narrative;
  std::string decision_note;
  std::optional<std::int64_t> decided_us;
  std::string decided_meeting;
  std::string rejection_reason;
  std::optional<std::int64_t> intervened_us;
  // Filters 3 and 4 (read only here; changed through store/participants.h and store/follow_up.h).
  std::string lead_agency;  // agency code; empty until assigned
  std::optional<std::int64_t> assigned_us;
  std::optional<std::int64_t> ack_due_us;
  std::optional<std::int64_t> acked_us;
  std::optional<std::int64_t> intervention_due_us;
  std::optional<std::int64_t> last_update_us;
  std::optional<std::int64_t> closed_us;
  std::string closure_reason;
  std::optional<std::int64_t> purge_due_us;
  std::optional<std::int64_t> purged_us;
  std::vector<std::string> risk_factors;
  std::vector<std::string> protective_factors;
  std::vector<std::string> study_flags;
};

absl::StatusOr<bool> situation_exists(Connection& c, const std::string& id);
absl::Status insert_situation(Connection& c, const SituationRecord& s);
absl::StatusOr<std::optional<SituationRecord>> find_situation(Connection& c, const std::string& id);

/// The table's situations, newest first; `states` empty means every state.
/// list_situations' limit for "every one".
inline constexpr std::size_t kAllRows = static_cast<std::size_t>(-1);

/// Where a page of situations starts: after this one, newest first.
struct SituationCursor {
  std::int64_t submitted_us = 0;
  std::string id;  // empty: from the newest
};
/// The table's situations in `states` (all when empty), newest first, after
/// `after`, at most `limit` of them.
absl::StatusOr<std::vector<SituationRecord>> list_situations(
    Connection& c, std::int64_t table_id, const std::vector<domain::SituationState>& states,
    const SituationCursor& after, std::size_t limit);

/// Replaces an awaiting situation's de-identified content (type, age band,
/// gender, narrative, codes) with `s`'s, counting the amendment.
absl::Status amend_situation(Connection& c, const SituationRecord& s, std::int64_t now_us);

/// ACCEPTED, due for intervention by `intervention_due_us`; the originating
/// agency becomes the situation's first participant.
absl::Status accept_situation(Connection& c, const std::string& id, const std::string& meeting_id,
                              std::int64_t user_id, std::int64_t now_us, const std::string& note,
                              std::int64_t intervention_due_us);
/// REJECTED (with `reason`, at `meeting_id`) or WITHDRAWN: keeps the minimum.
absl::Status minimise_situation(Connection& c, const std::string& id, domain::SituationState state,
                                const std::string& reason, const std::string& meeting_id,
                                std::int64_t user_id, std::int64_t now_us);

}  // namespace hubtable::store
