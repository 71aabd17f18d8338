#pragma once
// Lead routing and follow-up deadlines (Filters 3 and 4).
//
// The suggested lead is the joined agency whose sector typically leads on
// the most of the situation's risk categories (sectors.csv); ties go to the
// agency carrying the fewest open leads at the table (participant burden),
// then to the agency code. Every suggestion says why.

#include <cstdint>
#include <string>
#include <vector>

namespace hubtable::domain {

struct LeadCandidate {
  std::string agency;
  std::string sector;
  std::vector<std::string> sector_categories;  // categories the sector typically leads on
  int open_leads = 0;                          // situations it leads that are still open
};

struct LeadSuggestion {
  std::string agency;
  std::vector<std::string> matched_categories;
  int open_leads = 0;
  std::string
      reason;  // e.g. "MENTAL_HEALTH leads on 2 of 3 risk categories (MEN, SUI); 1 open lead"
};

/// Ranks the candidates, best first. `categories` are the situation's risk
/// categories (deduplicated by the caller or not; duplicates count once).
std::vector<LeadSuggestion> rank_leads(const std::vector<std::string>& categories,
                                       const std::vector<LeadCandidate>& candidates);

/// Per-table follow-up settings (set through `apply`).
struct FollowUpPolicy {
  int ack_hours = 4;            // lead acknowledges within this of assignment
  int intervention_hours = 48;  // intervention within this of acceptance
  int retention_days = 30;      // identifiers shredded this long after closure (0: at closure)
};

inline constexpr std::int64_t kMicrosPerHour = std::int64_t{3600} * 1000 * 1000;
inline constexpr std::int64_t kMicrosPerDay = 24 * kMicrosPerHour;
/// An open situation at Filter 3 or later with no update for this long is
/// flagged to the chair.
inline constexpr std::int64_t kStaleAfterUs = 90 * kMicrosPerDay;

/// Where a situation stands on its deadlines at `now_us`.
struct FollowUpState {
  bool ack_overdue = false;
  bool intervention_overdue = false;
  bool stale = false;  // 90 days without an update
};

struct FollowUpFacts {
  std::int64_t accepted_us = 0;
  std::int64_t ack_due_us = 0;           // 0: no lead assigned
  std::int64_t acked_us = 0;             // 0: not acknowledged
  std::int64_t intervention_due_us = 0;  // 0: not accepted
  std::int64_t intervened_us = 0;        // 0: none recorded
  std::int64_t last_update_us = 0;       // 0: none
  bool open = false;                     // ACCEPTED (not closed)
};

FollowUpState follow_up_state(const FollowUpFacts& f, std::int64_t now_us);

}  // namespace hubtable::domain
