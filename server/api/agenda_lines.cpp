#include "api/agenda_lines.h"

#include <algorithm>
#include <limits>

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

std::string outcome_text(const store::AgendaItemRecord& i) {
  return i.outcome ? std::string(domain::state_name(*i.outcome)) : std::string();
}

void fill_meeting(const store::MeetingRecord& m, const domain::Schedule& sched,
                  hubtable::v1::Meeting& out) {
  out.set_id(m.id);
  out.set_table(m.table_code);
  out.set_state(m.closed_us ? hubtable::v1::MEETING_CLOSED : hubtable::v1::MEETING_OPEN);
  out.set_scheduled_start_us(m.scheduled_start_us);
  out.set_local_start(sched.local_label(m.scheduled_start_us));
  out.set_time_zone(sched.time_zone());
  out.set_duration_minutes(static_cast<std::uint32_t>(m.duration_minutes));
  out.set_unscheduled(m.unscheduled);
  out.set_opened_us(m.opened_us);
  out.set_closed_us(m.closed_us.value_or(0));
  out.set_attendees(static_cast<std::uint32_t>(m.attendees));
}

hubtable::v1::AgendaSection section_proto(const std::string& s) {
  if (s == "RETURNING") return hubtable::v1::RETURNING;
  if (s == "OVERDUE") return hubtable::v1::OVERDUE;
  return hubtable::v1::NEW_SITUATION;
}

int position_arg(std::uint32_t position) {
  return static_cast<int>(std::min<std::uint32_t>(position, std::numeric_limits<int>::max()));
}

}  // namespace hubtable::api
