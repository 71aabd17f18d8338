#include "domain/free_text.h"

#include <cstdio>

#include "wire/text.h"

namespace hubtable::domain {

std::optional<ForbiddenCharacter> find_forbidden_character(std::string_view text, Lines lines) {
  std::size_t position = 0;
  for (std::size_t i = 0; i < text.size();) {
    ++position;
    const wire::CodePoint c = wire::decode_utf8(text, i);
    if (c.length == 0) return ForbiddenCharacter{kNotUtf8, position};
    if (wire::is_control(c.value, lines == Lines::kMultiline)) {
      return ForbiddenCharacter{c.value, position};
    }
    i += c.length;
  }
  return std::nullopt;
}

std::string describe_character(std::uint32_t cp) {
  if (cp == kNotUtf8) return "a byte that is not UTF-8";
  const char* name = nullptr;
  switch (cp) {
    case 0x00:
      name = "NUL";
      break;
    case 0x07:
      name = "bell";
      break;
    case 0x08:
      name = "backspace";
      break;
    case 0x09:
      name = "tab";
      break;
    case 0x0A:
      name = "line feed";
      break;
    case 0x0D:
      name = "carriage return";
      break;
    case 0x1B:
      name = "escape";
      break;
    case 0x7F:
      name = "delete";
      break;
    case 0x9B:
      name = "control sequence introducer";
      break;
    case 0x202A:
      name = "left-to-right embedding";
      break;
    case 0x202B:
      name = "right-to-left embedding";
      break;
    case 0x202C:
      name = "pop directional formatting";
      break;
    case 0x202D:
      name = "left-to-right override";
      break;
    case 0x202E:
      name = "right-to-left override";
      break;
    case 0x2066:
      name = "left-to-right isolate";
      break;
    case 0x2067:
      name = "right-to-left isolate";
      break;
    case 0x2068:
      name = "first strong isolate";
      break;
    case 0x2069:
      name = "pop directional isolate";
      break;
    default:
      name = cp >= 0x2000 ? "bidirectional control" : "control character";
      break;
  }
  char code[16];
  std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
  return std::string(code) + " (" + name + ")";
}

std::optional<Decision> check_free_text(std::string_view field, std::string_view text,
                                        Lines lines) {
  const auto bad = find_forbidden_character(text, lines);
  if (!bad) return std::nullopt;
  std::string message(field);
  message.append(" holds ").append(describe_character(bad->code_point));
  message.append(" at character ").append(std::to_string(bad->position));
  message.append(lines == Lines::kMultiline
                     ? ": free text may hold printable characters, spaces, tabs and line breaks"
                     : ": this field may hold printable characters and spaces only");
  return Decision::deny(Refusal::kInvalidArgument, "text.control_character", std::move(message));
}

}  // namespace hubtable::domain
