#pragma once
// Helpers shared by the request handlers: who the caller is at a table,
// de-identification checks of free text, schedules and late agenda lines.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "api/principal.h"
#include "domain/agenda.h"
#include "domain/authorize.h"
#include "domain/deid_scanner.h"
#include "domain/schedule.h"
#include "store/meetings.h"

namespace hubtable::api {

struct AuditScope;

/// Asks the one access policy (domain::authorize) and records in `scope`
/// the role the caller acted in, for the audit event, allowed or refused.
domain::Access authorize_in(AuditScope& scope, const domain::Actor& actor, domain::Action action,
                            const domain::AccessFacts& facts = {});

/// The caller at `table`, or, when `table` is empty, with the roles of every
/// table they sit at (for requests not about one table).
domain::Actor actor_anywhere(const Principal& p, const std::string& table);

/// Code points in text[0, byte): offsets a person can count.
std::uint32_t char_offset(std::string_view text, std::size_t byte);

/// Code points in `text`.
std::size_t char_count(std::string_view text);

/// Checks free text written before Filter 3: no control character (see
/// domain/free_text.h), at most `max_chars` characters and no likely direct
/// identifier. Denies with INVALID_ARGUMENT naming `field`, the character or
/// each finding's category and character offsets, never the text.
domain::Decision check_case_text(std::string_view field, std::string_view text,
                                 std::size_t max_chars, const domain::DeidAllowList& allow);

/// Refuses (INVALID_ARGUMENT, rule vocabulary.unknown_code, naming `field`)
/// a code that is not a live entry of `kind`, by default or of the table.
absl::StatusOr<domain::Decision> check_code(store::Connection& c, const std::string& kind,
                                            const std::string& code, const std::string& table,
                                            std::string_view field);

/// The table's schedule (Tuesday and Thursday 10:00 for 90 minutes when it
/// has none).
absl::StatusOr<domain::Schedule> schedule_of(const store::TableRecord& t);

/// Section names as stored.
std::string section_text(domain::AgendaSection s);

/// Appends a late line for the situation to the open meeting's agenda (no-op
/// when it is already there).
absl::Status append_late_item(store::Connection& c, const store::MeetingRecord& m,
                              const std::string& situation_id, domain::AgendaSection section);

}  // namespace hubtable::api
