#include "api/case_input.h"

#include "absl/strings/ascii.h"

#include <algorithm>
#include <cctype>
#include <vector>

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

namespace {

/// Edits (insert, delete, replace) between `a` and `b`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

absl::StatusOr<std::vector<std::string>> live_codes(store::Connection& c, const std::string& kind,
                                                    const std::string& table) {
  store::VocabularyQuery q;
  q.kind = kind;
  if (!table.empty()) q.table_codes = {table};
  auto rows = store::list_vocabulary(c, q);
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(r.code);
  return out;
}

}  // namespace

absl::StatusOr<std::string> canonical_code(store::Connection& c, const std::string& kind,
                                           const std::string& code, const std::string& table) {
  if (code.empty()) return code;
  auto has = store::vocabulary_has(c, kind, code, table);
  if (!has.ok()) return has.status();
  if (*has) return code;
  auto codes = live_codes(c, kind, table);
  if (!codes.ok()) return codes.status();
  const std::string wanted = absl::AsciiStrToUpper(absl::string_view(code));
  for (const auto& known : *codes) {
    if (absl::AsciiStrToUpper(absl::string_view(known)) == wanted) return known;
  }
  return code;
}

absl::StatusOr<domain::Decision> check_code(store::Connection& c, const std::string& kind,
                                            const std::string& code, const std::string& table,
                                            std::string_view field) {
  auto has = store::vocabulary_has(c, kind, code, table);
  if (!has.ok()) return has.status();
  if (*has) return domain::Decision::allow("vocabulary.known");
  // The closest live codes, by spelling (never the value sent: it is echoed nowhere).
  auto codes = live_codes(c, kind, table);
  if (!codes.ok()) return codes.status();
  const std::string wanted = absl::AsciiStrToUpper(absl::string_view(code));
  std::vector<std::pair<std::size_t, std::string>> ranked;
  for (const auto& known : *codes) {
    const std::string k = absl::AsciiStrToUpper(absl::string_view(known));
    const std::size_t d = k.rfind(wanted, 0) == 0 && !wanted.empty() ? 0 : edit_distance(wanted, k);
    if (d <= std::max<std::size_t>(2, k.size() / 3)) ranked.emplace_back(d, known);
  }
  std::sort(ranked.begin(), ranked.end());
  std::string message = std::string(field) + ": unknown code";
  if (ranked.empty()) {
    message += " (the table's " + kind + " vocabulary lists the codes)";
  } else {
    message += "; the closest:";
    for (std::size_t i = 0; i < ranked.size() && i < 3; ++i) {
      message.append(i == 0 ? " " : ", ").append(ranked[i].second);
    }
  }
  return domain::invalid("vocabulary.unknown_code", message);
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
  auto allowed = store::deid_allow_list(c, {table});
  if (!allowed.ok()) return allowed.status();
  return check_case_text(field, text, max_chars, **allowed);
}

}  // namespace hubtable::api
