#pragma once
// Repository for meetings, attendance and frozen agendas. Runs inside the
// caller's transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/lifecycle.h"
#include "domain/routing.h"
#include "store/connection.h"
#include "store/directory.h"

namespace hubtable::store {

struct TableRecord {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  std::string time_zone;
  std::vector<ScheduleRow> schedule;
  domain::FollowUpPolicy follow_up;  // deadlines and retention
};

absl::StatusOr<std::optional<TableRecord>> find_table(Connection& c, const std::string& code);
absl::StatusOr<std::optional<std::int64_t>> find_agency_id(Connection& c, const std::string& code);

struct MeetingRecord {
  std::string id;
  std::int64_t table_id = 0;
  std::string table_code;
  std::int64_t scheduled_start_us = 0;
  int duration_minutes = 0;
  bool unscheduled = false;
  std::int64_t opened_us = 0;
  std::int64_t opened_by = 0;
  std::optional<std::int64_t> closed_us;
  std::int64_t agenda_frozen_us = 0;
  int available_seconds = 0;
  int attendees = 0;  // read only
};

absl::StatusOr<std::optional<MeetingRecord>> find_meeting(Connection& c, const std::string& id);
absl::StatusOr<std::optional<MeetingRecord>> find_open_meeting(Connection& c,
                                                               std::int64_t table_id);
/// Opened meetings (the open one included), most recent start first.
absl::StatusOr<std::vector<MeetingRecord>> list_held_meetings(Connection& c, std::int64_t table_id,
                                                              int limit);
absl::Status insert_meeting(Connection& c, const MeetingRecord& m);
absl::Status close_meeting(Connection& c, const std::string& id, std::int64_t user_id,
                           std::int64_t now_us);

struct AttendanceRecord {
  std::int64_t user_id = 0;
  std::optional<std::int64_t> agency_id;
  std::string agency_code;  // read only
  std::string agency_name;  // read only
  std::string role;         // CHAIR, REP, PRIVACY_OFFICER, GUEST
  bool presents_for_agency = false;
  std::int64_t checked_in_us = 0;
};

absl::StatusOr<std::optional<AttendanceRecord>> find_attendance(Connection& c,
                                                                const std::string& meeting_id,
                                                                std::int64_t user_id);
absl::Status add_attendance(Connection& c, const std::string& meeting_id,
                            const AttendanceRecord& a);
absl::StatusOr<std::vector<AttendanceRecord>> list_attendance(Connection& c,
                                                              const std::string& meeting_id);
/// The agencies (code, name) with an enabled rep at the meeting's table of
/// whom no one presented for the agency at the meeting, by code.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> absent_agencies(
    Connection& c, const std::string& meeting_id);
/// True when someone who presents for `agency_id` is checked in.
absl::StatusOr<bool> agency_present(Connection& c, const std::string& meeting_id,
                                    std::int64_t agency_id);

struct AgendaItemRecord {
  std::string meeting_id;
  int position = 0;
  std::string situation_id;
  std::string section;  // NEW, RETURNING, OVERDUE
  int time_box_seconds = 0;
  int start_offset_seconds = 0;
  bool late = false;
  bool beyond_time = false;
  std::optional<domain::SituationState> outcome;  // accepted, rejected, withdrawn; none yet
  // Read only, joined from the situation:
  std::string situation_type;
  std::string originating_agency;
  std::string rejection_reason;
};

absl::Status add_agenda_item(Connection& c, const AgendaItemRecord& item);
absl::StatusOr<std::vector<AgendaItemRecord>> list_agenda(Connection& c,
                                                          const std::string& meeting_id);
/// The lines after `after_position`, in order, at most `limit` (-1: all).
absl::StatusOr<std::vector<AgendaItemRecord>> list_agenda(Connection& c,
                                                          const std::string& meeting_id,
                                                          int after_position, std::int64_t limit);
/// Where the agenda's last line ends, in seconds from the meeting's start.
absl::StatusOr<int> agenda_planned_seconds(Connection& c, const std::string& meeting_id);
/// The agenda's last position (0: no lines yet).
absl::StatusOr<int> agenda_last_position(Connection& c, const std::string& meeting_id);
/// Whether the situation has a line on the meeting's agenda.
absl::StatusOr<bool> agenda_lists(Connection& c, const std::string& meeting_id,
                                  const std::string& situation_id);
/// Records the outcome on the meeting's agenda line for the situation;
/// FAILED_PRECONDITION when the situation is not on that agenda.
absl::Status set_agenda_outcome(Connection& c, const std::string& meeting_id,
                                const std::string& situation_id, domain::SituationState outcome);

}  // namespace hubtable::store
