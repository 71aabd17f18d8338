#include "domain/routing.h"

#include <algorithm>
#include <set>

namespace hubtable::domain {

std::vector<LeadSuggestion> rank_leads(const std::vector<std::string>& categories,
                                       const std::vector<LeadCandidate>& candidates) {
  const std::set<std::string> wanted(categories.begin(), categories.end());
  std::vector<LeadSuggestion> out;
  out.reserve(candidates.size());
  for (const auto& c : candidates) {
    LeadSuggestion s;
    s.agency = c.agency;
    s.open_leads = c.open_leads;
    std::set<std::string> seen;
    for (const auto& cat : c.sector_categories) {
      if (wanted.count(cat) != 0 && seen.insert(cat).second) s.matched_categories.push_back(cat);
    }
    s.reason = c.sector + " leads on " + std::to_string(s.matched_categories.size()) + " of " +
               std::to_string(wanted.size()) + " risk categories";
    if (!s.matched_categories.empty()) {
      s.reason += " (";
      for (std::size_t i = 0; i < s.matched_categories.size(); ++i) {
        if (i != 0) s.reason += ", ";
        s.reason += s.matched_categories[i];
      }
      s.reason += ")";
    }
    s.reason.append("; ")
        .append(std::to_string(c.open_leads))
        .append(c.open_leads == 1 ? " open lead" : " open leads")
        .append(" at this table");
    out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(), [](const LeadSuggestion& a, const LeadSuggestion& b) {
    if (a.matched_categories.size() != b.matched_categories.size()) {
      return a.matched_categories.size() > b.matched_categories.size();
    }
    if (a.open_leads != b.open_leads) return a.open_leads < b.open_leads;
    return a.agency < b.agency;
  });
  return out;
}

FollowUpState follow_up_state(const FollowUpFacts& f, std::int64_t now_us) {
  FollowUpState s;
  if (!f.open) return s;
  s.ack_overdue = f.ack_due_us != 0 && f.acked_us == 0 && now_us > f.ack_due_us;
  s.intervention_overdue =
      f.intervention_due_us != 0 && f.intervened_us == 0 && now_us > f.intervention_due_us;
  const std::int64_t last = std::max(f.last_update_us, f.accepted_us);
  s.stale = now_us - last > kStaleAfterUs;
  return s;
}

}  // namespace hubtable::domain
