#pragma once
// The meeting agenda: which situations come up, in what order, and how long
// each may take so the agenda fits the meeting. Pure: the caller loads the
// situations and stores the plan.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hubtable::domain {

enum class AgendaSection { kNew, kReturning, kOverdue };

/// RETURNING, or OVERDUE when the intervention was due before `now_us`
/// (the table's deadline after acceptance, 48 hours by default) and none is
/// recorded.
AgendaSection section_for_accepted(std::int64_t intervention_due_us,
                                   std::optional<std::int64_t> intervened_us, std::int64_t now_us);

struct AgendaEntry {
  std::string situation_id;
  AgendaSection section = AgendaSection::kNew;
  std::int64_t since_us = 0;  // submitted (new) or accepted (returning, overdue)
};

struct PlannedItem {
  std::string situation_id;
  AgendaSection section = AgendaSection::kNew;
  int time_box_seconds = 0;
  int start_offset_seconds = 0;  // from the meeting's start
  bool late = false;
  bool beyond_time = false;  // starts after the time available: will likely carry over
};

struct AgendaPlan {
  std::vector<PlannedItem> items;
  int available_seconds = 0;
  int planned_seconds = 0;
  bool fits = true;
};

/// Time a meeting of `meeting_minutes` leaves for agenda items, after the
/// opening (check-in, last meeting's follow-ups) and the wrap-up.
int available_seconds(int meeting_minutes);

/// Orders entries: new situations oldest first, then returning, then overdue
/// (each oldest first), and gives each a time box. When the nominal boxes
/// (new 10 min, overdue 5, returning 3) do not fit, they shrink in proportion
/// down to a floor (new 4 min, overdue 2, returning 1); items that still do
/// not fit are marked beyond_time.
AgendaPlan plan_agenda(std::vector<AgendaEntry> entries, int meeting_minutes);

/// A late addition: appended after the last item with its nominal box.
PlannedItem plan_late_addition(const AgendaEntry& entry, int after_offset_seconds,
                               int available_seconds);

}  // namespace hubtable::domain
