#include "domain/tasks.h"

#include <algorithm>

namespace hubtable::domain {

std::vector<Task> tasks_for(const TaskFacts& f, std::int64_t now_us) {
  std::vector<Task> out;
  auto add = [&](TaskKind kind, std::int64_t due) {
    out.push_back({kind, due, due != 0 && now_us > due});
  };
  if (f.state == SituationState::kAwaitingDecision) {
    if (f.originated) add(TaskKind::kDecision, f.next_meeting_us);
    return out;
  }
  if (!is_open_case(f.state)) return out;
  const FollowUpFacts& u = f.follow_up;
  if (f.chair && !f.lead_named) add(TaskKind::kAssignLead, u.intervention_due_us);
  if (f.part == Part::kLead) {
    if (u.acked_us == 0) add(TaskKind::kAcknowledge, u.ack_due_us);
    if (u.intervened_us == 0) add(TaskKind::kIntervene, u.intervention_due_us);
    const std::int64_t last = std::max(u.last_update_us, u.accepted_us);
    if (follow_up_state(u, now_us).stale) add(TaskKind::kUpdate, last + kStaleAfterUs);
  }
  if (f.part == Part::kAssisting && u.intervened_us == 0) {
    add(TaskKind::kAssist, u.intervention_due_us);
  }
  return out;
}

bool due_before(const Task& a, const Task& b) {
  if (a.overdue != b.overdue) return a.overdue;
  if ((a.due_us == 0) != (b.due_us == 0)) return b.due_us == 0;
  return a.due_us < b.due_us;
}

}  // namespace hubtable::domain
