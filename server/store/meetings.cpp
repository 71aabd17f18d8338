#include "store/meetings.h"

#include "store/situation_state.h"

namespace hubtable::store {

namespace {

constexpr const char* kMeetingColumns =
    "SELECT m.id, m.table_id, t.code, m.scheduled_start_us, m.duration_minutes, m.unscheduled, "
    "m.opened_us, m.opened_by, m.closed_us, m.agenda_frozen_us, m.available_seconds, "
    "(SELECT COUNT(*) FROM attendance a WHERE a.meeting_id = m.id) "
    "FROM meetings m JOIN situation_tables t ON t.id = m.table_id ";

MeetingRecord meeting_row(const Statement& r) {
  MeetingRecord m;
  m.id = r.text(0);
  m.table_id = r.integer(1);
  m.table_code = r.text(2);
  m.scheduled_start_us = r.integer(3);
  m.duration_minutes = static_cast<int>(r.integer(4));
  m.unscheduled = r.integer(5) != 0;
  m.opened_us = r.integer(6);
  m.opened_by = r.integer(7);
  m.closed_us = r.optional_integer(8);
  m.agenda_frozen_us = r.integer(9);
  m.available_seconds = static_cast<int>(r.integer(10));
  m.attendees = static_cast<int>(r.integer(11));
  return m;
}

template <class Row, class F>
absl::StatusOr<std::vector<Row>> collect(Statement& s, F&& make) {
  std::vector<Row> out;
  auto st = s.for_each_row([&](const Statement& r) { out.push_back(make(r)); });
  if (!st.ok()) return st;
  return out;
}

template <class Row>
absl::StatusOr<std::optional<Row>> first(absl::StatusOr<std::vector<Row>> rows) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows->front()));
}

}  // namespace

absl::StatusOr<std::optional<TableRecord>> find_table(Connection& c, const std::string& code) {
  auto s = c.prepare(
      "SELECT id, code, name, time_zone, ack_hours, intervention_hours, retention_days "
      "FROM situation_tables WHERE code = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, code);
  auto row = s->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<TableRecord>();
  TableRecord t{s->integer(0), s->text(1), s->text(2), s->text(3), {}, {}};
  t.follow_up.ack_hours = static_cast<int>(s->integer(4));
  t.follow_up.intervention_hours = static_cast<int>(s->integer(5));
  t.follow_up.retention_days = static_cast<int>(s->integer(6));
  auto slots = c.prepare(
      "SELECT weekday, start_minute, duration_minutes FROM table_schedules WHERE table_id = ?1 "
      "ORDER BY weekday, start_minute");
  if (!slots.ok()) return slots.status();
  slots->bind(1, t.id);
  auto st = slots->for_each_row([&](const Statement& r) {
    t.schedule.push_back({static_cast<int>(r.integer(0)), static_cast<int>(r.integer(1)),
                          static_cast<int>(r.integer(2))});
  });
  if (!st.ok()) return st;
  return std::optional<TableRecord>(std::move(t));
}

absl::StatusOr<std::optional<std::int64_t>> find_agency_id(Connection& c, const std::string& code) {
  auto s = c.prepare("SELECT id FROM agencies WHERE code = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, code);
  auto row = s->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(s->integer(0));
}

absl::StatusOr<std::optional<MeetingRecord>> find_meeting(Connection& c, const std::string& id) {
  auto s = c.prepare(std::string(kMeetingColumns) + "WHERE m.id = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, id);
  return first(collect<MeetingRecord>(*s, meeting_row));
}

absl::StatusOr<std::optional<MeetingRecord>> find_open_meeting(Connection& c,
                                                               std::int64_t table_id) {
  auto s =
      c.prepare(std::string(kMeetingColumns) + "WHERE m.table_id = ?1 AND m.closed_us IS NULL");
  if (!s.ok()) return s.status();
  s->bind(1, table_id);
  return first(collect<MeetingRecord>(*s, meeting_row));
}

absl::StatusOr<std::vector<MeetingRecord>> list_held_meetings(Connection& c, std::int64_t table_id,
                                                              int limit) {
  auto s = c.prepare(
      std::string(kMeetingColumns) +
      "WHERE m.table_id = ?1 ORDER BY m.scheduled_start_us DESC, m.opened_us DESC LIMIT ?2");
  if (!s.ok()) return s.status();
  s->bind(1, table_id).bind(2, std::int64_t{limit});
  return collect<MeetingRecord>(*s, meeting_row);
}

absl::Status insert_meeting(Connection& c, const MeetingRecord& m) {
  auto s = c.prepare(
      "INSERT INTO meetings (id, table_id, scheduled_start_us, duration_minutes, unscheduled, "
      "opened_us, opened_by, agenda_frozen_us, available_seconds) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!s.ok()) return s.status();
  s->bind(1, m.id)
      .bind(2, m.table_id)
      .bind(3, m.scheduled_start_us)
      .bind(4, std::int64_t{m.duration_minutes})
      .bind(5, std::int64_t{m.unscheduled ? 1 : 0})
      .bind(6, m.opened_us)
      .bind(7, m.opened_by)
      .bind(8, m.agenda_frozen_us)
      .bind(9, std::int64_t{m.available_seconds});
  return s->run();
}

absl::Status close_meeting(Connection& c, const std::string& id, std::int64_t user_id,
                           std::int64_t now_us) {
  auto s = c.prepare(
      "UPDATE meetings SET closed_us = ?2, closed_by = ?3 WHERE id = ?1 AND closed_us IS NULL");
  if (!s.ok()) return s.status();
  s->bind(1, id).bind(2, now_us).bind(3, user_id);
  if (auto st = s->run(); !st.ok()) return st;
  if (c.changes() != 1) return absl::FailedPreconditionError("meeting is not open");
  return absl::OkStatus();
}

namespace {
constexpr const char* kAttendanceColumns =
    "SELECT a.user_id, a.agency_id, COALESCE(g.code, ''), COALESCE(g.name, ''), a.role, "
    "a.presents_for_agency, a.checked_in_us FROM attendance a "
    "LEFT JOIN agencies g ON g.id = a.agency_id ";

AttendanceRecord attendance_row(const Statement& r) {
  AttendanceRecord a;
  a.user_id = r.integer(0);
  a.agency_id = r.optional_integer(1);
  a.agency_code = r.text(2);
  a.agency_name = r.text(3);
  a.role = r.text(4);
  a.presents_for_agency = r.integer(5) != 0;
  a.checked_in_us = r.integer(6);
  return a;
}
}  // namespace

absl::StatusOr<std::optional<AttendanceRecord>> find_attendance(Connection& c,
                                                                const std::string& meeting_id,
                                                                std::int64_t user_id) {
  auto s =
      c.prepare(std::string(kAttendanceColumns) + "WHERE a.meeting_id = ?1 AND a.user_id = ?2");
  if (!s.ok()) return s.status();
  s->bind(1, meeting_id).bind(2, user_id);
  return first(collect<AttendanceRecord>(*s, attendance_row));
}

absl::Status add_attendance(Connection& c, const std::string& meeting_id,
                            const AttendanceRecord& a) {
  auto s = c.prepare(
      "INSERT INTO attendance (meeting_id, user_id, agency_id, role, presents_for_agency, "
      "checked_in_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!s.ok()) return s.status();
  s->bind(1, meeting_id)
      .bind(2, a.user_id)
      .bind(3, a.agency_id)
      .bind(4, a.role)
      .bind(5, std::int64_t{a.presents_for_agency ? 1 : 0})
      .bind(6, a.checked_in_us);
  return s->run();
}

absl::StatusOr<std::vector<AttendanceRecord>> list_attendance(Connection& c,
                                                              const std::string& meeting_id) {
  auto s = c.prepare(std::string(kAttendanceColumns) +
                     "WHERE a.meeting_id = ?1 ORDER BY g.code, a.checked_in_us");
  if (!s.ok()) return s.status();
  s->bind(1, meeting_id);
  return collect<AttendanceRecord>(*s, attendance_row);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> absent_agencies(
    Connection& c, const std::string& meeting_id) {
  auto q = c.prepare(
      "SELECT DISTINCT a.code, a.name FROM meetings m "
      "JOIN role_grants g ON g.table_id = m.table_id AND g.role = 'REP' "
      "JOIN users u ON u.id = g.user_id AND u.disabled_us IS NULL "
      "JOIN agencies a ON a.id = u.agency_id "
      "WHERE m.id = ?1 AND NOT EXISTS (SELECT 1 FROM attendance t WHERE t.meeting_id = m.id "
      "AND t.agency_id = a.id AND t.presents_for_agency = 1) ORDER BY a.code");
  if (!q.ok()) return q.status();
  q->bind(1, meeting_id);
  std::vector<std::pair<std::string, std::string>> out;
  auto st = q->for_each_row([&](const Statement& r) { out.emplace_back(r.text(0), r.text(1)); });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<bool> agency_present(Connection& c, const std::string& meeting_id,
                                    std::int64_t agency_id) {
  auto s = c.prepare(
      "SELECT 1 FROM attendance WHERE meeting_id = ?1 AND agency_id = ?2 AND "
      "presents_for_agency = 1 LIMIT 1");
  if (!s.ok()) return s.status();
  s->bind(1, meeting_id).bind(2, agency_id);
  return s->step();
}

absl::Status add_agenda_item(Connection& c, const AgendaItemRecord& item) {
  auto s = c.prepare(
      "INSERT INTO agenda_items (meeting_id, position, situation_id, section, time_box_seconds, "
      "start_offset_seconds, late, beyond_time, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
      "?9)");
  if (!s.ok()) return s.status();
  s->bind(1, item.meeting_id)
      .bind(2, std::int64_t{item.position})
      .bind(3, item.situation_id)
      .bind(4, item.section)
      .bind(5, std::int64_t{item.time_box_seconds})
      .bind(6, std::int64_t{item.start_offset_seconds})
      .bind(7, std::int64_t{item.late ? 1 : 0})
      .bind(8, std::int64_t{item.beyond_time ? 1 : 0})
      .bind(9, item.outcome ? domain::state_name(*item.outcome) : std::string_view());
  return s->run();
}

absl::StatusOr<std::vector<AgendaItemRecord>> list_agenda(Connection& c,
                                                          const std::string& meeting_id) {
  return list_agenda(c, meeting_id, 0, -1);
}

// The last entry of agenda_items_end (schema 0012), not every item of the
// meeting. Written as ORDER BY ... LIMIT 1: SQLCipher 3.4's SQLite (3.15)
// answers MAX() of an expression by visiting every row the index finds.
absl::StatusOr<int> agenda_planned_seconds(Connection& c, const std::string& meeting_id) {
  auto s = c.prepare(
      "SELECT start_offset_seconds + time_box_seconds FROM agenda_items WHERE meeting_id = ?1 "
      "ORDER BY start_offset_seconds + time_box_seconds DESC LIMIT 1");
  if (!s.ok()) return s.status();
  s->bind(1, meeting_id);
  auto row = s->step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<int>(s->integer(0)) : 0;
}

// Both answered from agenda_items' keys, (meeting_id, position) and
// (meeting_id, situation_id): a late addition costs the same on a long agenda.
absl::StatusOr<int> agenda_last_position(Connection& c, const std::string& meeting_id) {
  auto s = c.prepare("SELECT COALESCE(MAX(position), 0) FROM agenda_items WHERE meeting_id = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, meeting_id);
  auto row = s->step();
  if (!row.ok()) return row.status();
  return static_cast<int>(s->integer(0));
}

absl::StatusOr<bool> agenda_lists(Connection& c, const std::string& meeting_id,
                                  const std::string& situation_id) {
  auto s = c.prepare("SELECT 1 FROM agenda_items WHERE meeting_id = ?1 AND situation_id = ?2");
  if (!s.ok()) return s.status();
  s->bind(1, meeting_id).bind(2, situation_id);
  return s->step();
}

absl::StatusOr<std::vector<AgendaItemRecord>> list_agenda(Connection& c,
                                                          const std::string& meeting_id,
                                                          int after_position, std::int64_t limit) {
  auto s = c.prepare(
      "SELECT i.meeting_id, i.position, i.situation_id, i.section, i.time_box_seconds, "
      "i.start_offset_seconds, i.late, i.beyond_time, i.outcome, s.situation_type, g.code, "
      "COALESCE(s.rejection_reason, '') FROM agenda_items i "
      "JOIN situations s ON s.id = i.situation_id "
      "JOIN agencies g ON g.id = s.originating_agency_id "
      "WHERE i.meeting_id = ?1 AND i.position > ?2 ORDER BY i.position LIMIT ?3");
  if (!s.ok()) return s.status();
  s->bind(1, meeting_id).bind(2, std::int64_t{after_position}).bind(3, limit);
  return collect<AgendaItemRecord>(*s, [](const Statement& r) {
    AgendaItemRecord i;
    i.meeting_id = r.text(0);
    i.position = static_cast<int>(r.integer(1));
    i.situation_id = r.text(2);
    i.section = r.text(3);
    i.time_box_seconds = static_cast<int>(r.integer(4));
    i.start_offset_seconds = static_cast<int>(r.integer(5));
    i.late = r.integer(6) != 0;
    i.beyond_time = r.integer(7) != 0;
    if (!r.text_view(8).empty()) i.outcome = state_at(r, 8);
    i.situation_type = r.text(9);
    i.originating_agency = r.text(10);
    i.rejection_reason = r.text(11);
    return i;
  });
}

absl::Status set_agenda_outcome(Connection& c, const std::string& meeting_id,
                                const std::string& situation_id, domain::SituationState outcome) {
  auto s =
      c.prepare("UPDATE agenda_items SET outcome = ?3 WHERE meeting_id = ?1 AND situation_id = ?2");
  if (!s.ok()) return s.status();
  // Undecided again (a corrected decision): no outcome.
  s->bind(1, meeting_id)
      .bind(2, situation_id)
      .bind(3, outcome == domain::SituationState::kAwaitingDecision ? std::string_view()
                                                                    : domain::state_name(outcome));
  if (auto st = s->run(); !st.ok()) return st;
  if (c.changes() == 1) return absl::OkStatus();
  return absl::FailedPreconditionError("situation is not on the meeting's agenda");
}

}  // namespace hubtable::store
