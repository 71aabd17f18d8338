#include "api/agenda_lines.h"

#include <algorithm>

namespace hubtable::api {

std::string section_text(domain::AgendaSection s) {
  switch (s) {
    case domain::AgendaSection::kNew:
      return "NEW";
    case domain::AgendaSection::kReturning:
      return "RETURNING";
    case domain::AgendaSection::kOverdue:
      return "OVERDUE";
  }
  return "NEW";
}

absl::Status append_late_item(store::Connection& c, const store::MeetingRecord& m,
                              const std::string& situation_id, domain::AgendaSection section) {
  auto items = store::list_agenda(c, m.id);
  if (!items.ok()) return items.status();
  int end = 0;
  for (const auto& i : *items) {
    if (i.situation_id == situation_id) return absl::OkStatus();
    end = std::max(end, i.start_offset_seconds + i.time_box_seconds);
  }
  const domain::PlannedItem planned =
      domain::plan_late_addition({situation_id, section, 0}, end, m.available_seconds);
  store::AgendaItemRecord rec;
  rec.meeting_id = m.id;
  rec.position = static_cast<int>(items->size()) + 1;
  rec.situation_id = situation_id;
  rec.section = section_text(section);
  rec.time_box_seconds = planned.time_box_seconds;
  rec.start_offset_seconds = planned.start_offset_seconds;
  rec.late = true;
  rec.beyond_time = planned.beyond_time;
  return store::add_agenda_item(c, rec);
}

}  // namespace hubtable::api
