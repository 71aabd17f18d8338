#pragma once
// Agenda lines as stored: the section names, and the late line a situation
// gets when it reaches a meeting already sitting.

#include <string>

#include "absl/status/status.h"
#include "domain/agenda.h"
#include "store/meetings.h"

namespace hubtable::api {

/// Section names as stored.
std::string section_text(domain::AgendaSection s);

/// Appends a late line for the situation to the open meeting's agenda (no-op
/// when it is already there).
absl::Status append_late_item(store::Connection& c, const store::MeetingRecord& m,
                              const std::string& situation_id, domain::AgendaSection section);

}  // namespace hubtable::api
