#include "api/handler_support.h"

#include <algorithm>

#include "api/service.h"
#include "domain/free_text.h"
#include "domain/identity.h"
#include "store/vocabulary.h"

namespace hubtable::api {

domain::Access authorize_in(AuditScope& scope, const domain::Actor& actor, domain::Action action,
                            const domain::AccessFacts& facts) {
  domain::Access access = domain::authorize(actor, action, facts);
  scope.role = access.role;
  return access;
}

domain::Actor actor_anywhere(const Principal& p, const std::string& table) {
  if (!table.empty()) return actor_at(p, table);
  domain::Actor actor = actor_at(p, "");
  for (const auto& t : p.table_codes()) {
    const auto more = actor_at(p, t).roles;
    actor.roles.insert(actor.roles.end(), more.begin(), more.end());
  }
  return actor;
}

std::uint32_t char_offset(std::string_view text, std::size_t byte) {
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::size_t char_count(std::string_view text) { return domain::utf8_length(text); }

absl::StatusOr<domain::Decision> check_code(store::Connection& c, const std::string& kind,
                                            const std::string& code, const std::string& table,
                                            std::string_view field) {
  auto has = store::vocabulary_has(c, kind, code, table);
  if (!has.ok()) return has.status();
  if (*has) return domain::Decision::allow("vocabulary.known");
  return domain::Decision::deny(domain::Refusal::kInvalidArgument, "vocabulary.unknown_code",
                                std::string(field) + ": unknown " + kind + " code (the table's " +
                                    kind + " vocabulary lists the codes)");
}

domain::Decision check_case_text(std::string_view field, std::string_view text,
                                 std::size_t max_chars, const domain::DeidAllowList& allow) {
  const std::string name(field);
  if (auto bad = domain::check_free_text(field, text)) return *bad;
  if (char_count(text) > max_chars) {
    return domain::Decision::deny(
        domain::Refusal::kInvalidArgument, "deid.text_too_long",
        name + " must be at most " + std::to_string(max_chars) + " characters");
  }
  const auto findings = domain::scan_for_identifiers(text, allow);
  if (findings.empty()) return domain::Decision::allow("deid.clean");
  std::string message = name + " holds likely identifiers; remove them and resubmit:";
  for (const auto& f : findings) {
    // Appended piece by piece: GCC 12's -Wrestrict misfires on `" " + string` at -O3.
    message.append(" ").append(domain::category_name(f.category)).append(" at characters ");
    message.append(std::to_string(char_offset(text, f.begin))).append("-");
    message.append(std::to_string(char_offset(text, f.end))).append(";");
  }
  message.pop_back();
  return domain::Decision::deny(domain::Refusal::kInvalidArgument, "deid.identifier_found",
                                message);
}

absl::StatusOr<domain::Schedule> schedule_of(const store::TableRecord& t) {
  std::vector<domain::WeeklySlot> slots;
  for (const auto& s : t.schedule) slots.push_back({s.weekday, s.start_minute, s.duration_minutes});
  if (slots.empty()) slots = {{2, 600, 90}, {4, 600, 90}};
  return domain::Schedule::make(t.time_zone, std::move(slots));
}

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
