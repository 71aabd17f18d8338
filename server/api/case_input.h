#pragma once
// What a client writes about a case, checked before it is stored: free text
// written before Filter 3 (controls, length, likely identifiers) and
// vocabulary codes. Refusals name the field and where, never the text.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "domain/decision.h"
#include "domain/deid_scanner.h"
#include "store/database.h"

namespace hubtable::api {

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

/// Checks free text of the table's: with the allowed phrases of `table`.
absl::StatusOr<domain::Decision> check_case_text_at(store::Connection& c, const std::string& table,
                                                    std::string_view field, std::string_view text,
                                                    std::size_t max_chars);

/// Codes are case-insensitive: the live code of `kind` (by default or of the
/// table) that `code` spells in any case, or `code` itself when none does.
absl::StatusOr<std::string> canonical_code(store::Connection& c, const std::string& kind,
                                           const std::string& code, const std::string& table);

/// Refuses (INVALID_ARGUMENT, rule vocabulary.unknown_code, naming `field`
/// and the closest live codes, never the value sent) a code that is not a
/// live entry of `kind`, by default or of the table.
absl::StatusOr<domain::Decision> check_code(store::Connection& c, const std::string& kind,
                                            const std::string& code, const std::string& table,
                                            std::string_view field);

/// A required code: present (rule `<field>.missing`) and known.
absl::StatusOr<domain::Decision> check_required_code(store::Connection& c, const std::string& kind,
                                                     const std::string& code,
                                                     const std::string& table,
                                                     const std::string& field);

}  // namespace hubtable::api
