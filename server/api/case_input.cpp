#include "api/case_input.h"

#include "domain/free_text.h"
#include "domain/identity.h"
#include "store/vocabulary.h"

namespace hubtable::api {

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
  return domain::invalid("vocabulary.unknown_code", std::string(field) + ": unknown " + kind +
                                                        " code (the table's " + kind +
                                                        " vocabulary lists the codes)");
}

absl::StatusOr<domain::Decision> check_required_code(store::Connection& c, const std::string& kind,
                                                     const std::string& code,
                                                     const std::string& table,
                                                     const std::string& field) {
  if (code.empty()) return domain::invalid(field + ".missing", field + " is required");
  return check_code(c, kind, code, table, field);
}

domain::Decision check_case_text(std::string_view field, std::string_view text,
                                 std::size_t max_chars, const domain::DeidAllowList& allow) {
  const std::string name(field);
  if (auto bad = domain::check_free_text(field, text)) return *bad;
  if (char_count(text) > max_chars) {
    return domain::invalid("deid.text_too_long",
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
  return domain::invalid("deid.identifier_found", message);
}

absl::StatusOr<domain::Decision> check_case_text_at(store::Connection& c, const std::string& table,
                                                    std::string_view field, std::string_view text,
                                                    std::size_t max_chars) {
  auto allowed = store::deid_allowed_phrases(c, {table});
  if (!allowed.ok()) return allowed.status();
  return check_case_text(field, text, max_chars, domain::DeidAllowList{std::move(*allowed)});
}

}  // namespace hubtable::api
