#pragma once
// Free text is data, never control. Narratives, notes, updates,
// justifications and identifiers are shown on other people's terminals and
// screens: a character that would move the cursor, clear the screen, set a
// window title, hide what follows (NUL) or reorder what is displayed
// (bidirectional overrides and isolates) is refused, naming the character
// and where it is, never echoing the text. Pure.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/decision.h"

namespace hubtable::domain {

/// Newlines and tabs are text in a narrative, not in a name.
enum class Lines { kMultiline, kSingleLine };

struct ForbiddenCharacter {
  std::uint32_t code_point;  // kNotUtf8 for a byte that is not part of valid UTF-8
  std::size_t position;      // 1-based character position
};
inline constexpr std::uint32_t kNotUtf8 = 0xFFFFFFFF;

/// The first character free text may not hold: C0 controls (NUL included)
/// other than newline and tab (and those too for kSingleLine), DEL, C1
/// controls, bidirectional embeddings, overrides and isolates, and bytes
/// that are not UTF-8.
std::optional<ForbiddenCharacter> find_forbidden_character(std::string_view text, Lines lines);

/// "U+001B (escape)", for messages.
std::string describe_character(std::uint32_t code_point);

/// Refuses (INVALID_ARGUMENT, rule text.control_character) text holding a
/// forbidden character: "narrative holds U+001B (escape) at character 12; ...".
std::optional<Decision> check_free_text(std::string_view field, std::string_view text,
                                        Lines lines = Lines::kMultiline);

}  // namespace hubtable::domain
