#include "api/agenda_lines.h"

#include <algorithm>
#include <limits>
#include <map>

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
  auto listed = store::agenda_lists(c, m.id, situation_id);
  if (!listed.ok()) return listed.status();
  if (*listed) return absl::OkStatus();
  auto end = store::agenda_planned_seconds(c, m.id);
  if (!end.ok()) return end.status();
  auto last = store::agenda_last_position(c, m.id);
  if (!last.ok()) return last.status();
  const domain::PlannedItem planned =
      domain::plan_late_addition({situation_id, section, 0}, *end, m.available_seconds);
  store::AgendaItemRecord rec;
  rec.meeting_id = m.id;
  rec.position = *last + 1;
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

absl::Status fill_attendance(store::Connection& c, const std::string& meeting_id,
                             hubtable::v1::Attendance& out) {
  auto people = store::list_attendance(c, meeting_id);
  if (!people.ok()) return people.status();
  std::map<std::string, hubtable::v1::AgencyAttendance> by_agency;
  for (const auto& a : *people) {
    if (a.role == "CHAIR") out.set_chair_present(true);
    if (a.role == "PRIVACY_OFFICER") out.set_privacy_officers(out.privacy_officers() + 1);
    if (a.role == "CHAIR" || a.role == "PRIVACY_OFFICER") continue;
    auto& line = by_agency[a.agency_code];
    line.set_agency(a.agency_code);
    line.set_agency_name(a.agency_name);
    if (a.role == "GUEST") {
      line.set_guests(line.guests() + 1);
    } else {
      line.set_people(line.people() + 1);
    }
  }
  for (auto& [code, line] : by_agency) *out.add_present() = std::move(line);
  auto absent = store::absent_agencies(c, meeting_id);
  if (!absent.ok()) return absent.status();
  for (const auto& [code, name] : *absent) {
    auto* a = out.add_absent();
    a->set_agency(code);
    a->set_agency_name(name);
  }
  return absl::OkStatus();
}

int position_arg(std::uint32_t position) {
  return static_cast<int>(std::min<std::uint32_t>(position, std::numeric_limits<int>::max()));
}

}  // namespace hubtable::api
