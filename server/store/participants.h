#pragma once
// The agencies working a situation (Filters 3 and 4): who joined, the lead
// and the assisting agencies, and what lead suggestions are made of
// (sectors' typical risk categories, open leads). Runs inside the caller's
// transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/connection.h"

namespace hubtable::store {

struct Participant {
  std::int64_t agency_id = 0;
  std::string agency;  // code
  std::string sector;
  std::string role;  // JOINED, LEAD or ASSISTING
  std::int64_t joined_us = 0;
};
/// The situation's participating agencies, in joining order.
absl::StatusOr<std::vector<Participant>> list_participants(Connection& c,
                                                           const std::string& situation_id);
/// Joins `agency_id` to the situation in `role` (JOINED unless the chair
/// adds an assisting agency).
absl::Status add_participant(Connection& c, const std::string& situation_id, std::int64_t agency_id,
                             std::int64_t user_id, std::int64_t now_us,
                             const char* role = "JOINED");
/// Changes a participant's role (the lead's stays as assigned).
absl::Status set_participant_role(Connection& c, const std::string& situation_id,
                                  std::int64_t agency_id, const char* role);

/// What the chair's adding an agency depends on: the agency, its
/// information-sharing agreement, and whether it has a rep at the table.
struct AgencyStanding {
  std::int64_t id = 0;
  std::string isa_signed_on;
  std::string isa_expires_on;
  bool rep_at_table = false;
};
absl::StatusOr<std::optional<AgencyStanding>> agency_standing(Connection& c,
                                                              const std::string& agency,
                                                              std::int64_t table_id);

/// Names the lead and assisting agencies (every other participant goes back
/// to JOINED) and starts the acknowledgement clock.
absl::Status assign_lead(Connection& c, const std::string& situation_id, std::int64_t lead_id,
                         const std::vector<std::int64_t>& assisting_ids, std::int64_t user_id,
                         std::int64_t now_us, std::int64_t ack_due_us);
absl::Status acknowledge_lead(Connection& c, const std::string& situation_id, std::int64_t user_id,
                              std::int64_t now_us);

/// Open (ACCEPTED) situations each agency leads at the table: agency id -> count.
absl::StatusOr<std::vector<std::pair<std::int64_t, int>>> open_lead_counts(Connection& c,
                                                                           std::int64_t table_id);

/// A sector's typical risk categories (sectors.csv's third column).
absl::StatusOr<std::vector<std::string>> sector_categories(Connection& c,
                                                           const std::string& sector);
/// The risk categories of a list of risk factor codes (deduplicated).
absl::StatusOr<std::vector<std::string>> risk_categories(Connection& c,
                                                         const std::vector<std::string>& factors,
                                                         const std::string& table_code);

}  // namespace hubtable::store
