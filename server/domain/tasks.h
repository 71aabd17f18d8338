#pragma once
// What is due for a person: the work that falls to their agency (and, for a
// chair, to the table) on each situation, with its deadline. Pure rules over
// a situation's follow-up facts; `hubtable tasks` shows them.

#include <cstdint>
#include <vector>

#include "domain/lifecycle.h"
#include "domain/routing.h"

namespace hubtable::domain {

enum class TaskKind {
  kAcknowledge,  // the lead acknowledges its assignment
  kIntervene,    // the lead records the intervention
  kUpdate,       // the lead updates a stale situation
  kAssignLead,   // the chair names a lead for an accepted situation
  kDecision,     // the agency's submission awaits the table's decision
  kAssist,       // an assisting agency: the intervention is due
};

/// How the caller's agency takes part in a situation.
enum class Part { kNone, kJoined, kAssisting, kLead };

struct TaskFacts {
  SituationState state = SituationState::kAwaitingDecision;
  FollowUpFacts follow_up;
  bool lead_named = false;
  bool originated = false;           // the caller's agency submitted it
  Part part = Part::kNone;           // the caller's agency's part in it
  bool chair = false;                // the caller chairs its table
  std::int64_t next_meeting_us = 0;  // when the table next sits (0: unknown)
};

struct Task {
  TaskKind kind;
  std::int64_t due_us = 0;  // 0: no deadline
  bool overdue = false;
};

/// The tasks a situation gives the caller at `now_us`.
std::vector<Task> tasks_for(const TaskFacts& f, std::int64_t now_us);

/// Overdue first, then the soonest deadline, then those without one.
bool due_before(const Task& a, const Task& b);

}  // namespace hubtable::domain
