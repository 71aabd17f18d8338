#pragma once
// The one way hubtable reads TOML (hubtabled.toml, apply files, profile.toml,
// people files), with what toml++ 3.3 gets wrong kept away from it: text
// that is not UTF-8, control characters, and characters beyond ASCII
// outside strings and comments (which reach an "unreachable" branch of its
// whitespace test: undefined behaviour). Include this header, not toml++.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

// toml++ asserts on some malformed input in builds without NDEBUG (the
// sanitizer build); the error path right after the assertion reports it.
#ifndef TOML_ASSERT
#define TOML_ASSERT(expr) static_cast<void>(0)
#endif
#include <toml++/toml.h>

namespace hubtable::wire {

/// Files larger than this are refused unread.
inline constexpr std::size_t kMaxTomlBytes = std::size_t{8} << 20;

/// What in `text` keeps it from reaching the parser ("line 3: ..."), or
/// empty. Pure; linear in the text.
std::string toml_text_problem(std::string_view text);

/// Parses `text`; errors are INVALID_ARGUMENT naming `source` and the line.
absl::StatusOr<toml::table> parse_toml(std::string_view text, std::string_view source);

/// Reads and parses a file (at most kMaxTomlBytes).
absl::StatusOr<toml::table> parse_toml_file(const std::filesystem::path& path);

}  // namespace hubtable::wire
