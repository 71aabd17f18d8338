#pragma once
// Agenda lines as stored and as the wire shows them: the section names, the
// late line a situation gets when it reaches a meeting already sitting, and
// a meeting's answer.

#include <string>

#include "absl/status/status.h"
#include "domain/agenda.h"
#include "domain/schedule.h"
#include "hubtable/v1/meeting.pb.h"
#include "store/meetings.h"

namespace hubtable::api {

/// Section names as stored.
std::string section_text(domain::AgendaSection s);

/// Appends a late line for the situation to the open meeting's agenda (no-op
/// when it is already there).
absl::Status append_late_item(store::Connection& c, const store::MeetingRecord& m,
                              const std::string& situation_id, domain::AgendaSection section);

/// An agenda line's outcome as the wire spells it ("" before a decision).
std::string outcome_text(const store::AgendaItemRecord& i);

/// A meeting as the wire shows it, its start in the table's time zone.
void fill_meeting(const store::MeetingRecord& m, const domain::Schedule& sched,
                  hubtable::v1::Meeting& out);

hubtable::v1::AgendaSection section_proto(const std::string& s);

/// Who attended meeting `meeting_id`, by agency, and the table's agencies
/// with nobody there (for the open meeting's room and for the minutes).
absl::Status fill_attendance(store::Connection& c, const std::string& meeting_id,
                             hubtable::v1::Attendance& out);

/// A position from the wire as the store takes it.
int position_arg(std::uint32_t position);

}  // namespace hubtable::api
