#pragma once
// Text on the wire: every string field is UTF-8, and free text is data,
// never control. Shared by the server's checks (domain/free_text.h) and the
// client's escaping of what it prints. Pure; no dependencies.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hubtable::wire {

/// One UTF-8 sequence: its code point and length in bytes. `length` is 0
/// when the bytes are not a valid, shortest-form sequence of a scalar value.
struct CodePoint {
  std::uint32_t value = 0;
  std::size_t length = 0;
};

/// Decodes the sequence starting at text[i] (i < text.size()).
CodePoint decode_utf8(std::string_view text, std::size_t i);

/// The byte offset of the first byte that is not part of valid UTF-8.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

/// Whether a code point is control rather than text: C0 controls (NUL
/// included) other than newline and tab (and those too unless
/// `line_breaks_are_text`), DEL, C1 controls, and the bidirectional
/// embeddings, overrides and isolates that reorder what is displayed.
bool is_control(std::uint32_t code_point, bool line_breaks_are_text);

/// `text` as HTML character data or a quoted attribute value: & < > " '
/// as references.
std::string html_escape(std::string_view text);

}  // namespace hubtable::wire
