#include "wire/toml_document.h"

#include <fstream>
#include <iterator>

#include "wire/text.h"

namespace hubtable::wire {

namespace {

enum class Where { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };

bool starts(std::string_view text, std::size_t i, std::string_view what) {
  return text.substr(i, what.size()) == what;
}

}  // namespace

std::string toml_text_problem(std::string_view text) {
  if (text.size() > kMaxTomlBytes) {
    return "larger than " + std::to_string(kMaxTomlBytes) + " bytes";
  }
  if (auto bad = first_invalid_utf8(text)) {
    std::size_t line = 1;
    for (std::size_t k = 0; k < *bad; ++k) line += text[k] == '\n' ? 1 : 0;
    return "line " + std::to_string(line) + ": not UTF-8 text (save the file as UTF-8)";
  }
  Where where = Where::kCode;
  std::size_t line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      // Single-line strings and comments end at the line's end.
      if (where == Where::kComment || where == Where::kBasic || where == Where::kLiteral) {
        where = Where::kCode;
      }
      continue;
    }
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F) {
      return "line " + std::to_string(line) + ": a control character";
    }
    switch (where) {
      case Where::kCode:
        if (c == '#') {
          where = Where::kComment;
        } else if (c == '"') {
          where = starts(text, i, "\"\"\"") ? Where::kMultiBasic : Where::kBasic;
          if (where == Where::kMultiBasic) i += 2;
        } else if (c == '\'') {
          where = starts(text, i, "'''") ? Where::kMultiLiteral : Where::kLiteral;
          if (where == Where::kMultiLiteral) i += 2;
        } else if (c >= 0x80) {
          return "line " + std::to_string(line) +
                 ": a character beyond ASCII outside quotes (put text in a \"string\")";
        }
        break;
      case Where::kComment:
        break;
      case Where::kBasic:
        if (c == '\\') {
          if (i + 1 < text.size() && text[i + 1] != '\n') ++i;
        } else if (c == '"') {
          where = Where::kCode;
        }
        break;
      case Where::kLiteral:
        if (c == '\'') where = Where::kCode;
        break;
      case Where::kMultiBasic:
        if (c == '\\') {
          if (i + 1 < text.size() && text[i + 1] != '\n') ++i;
        } else if (starts(text, i, "\"\"\"")) {
          where = Where::kCode;
          i += 2;
        }
        break;
      case Where::kMultiLiteral:
        if (starts(text, i, "'''")) {
          where = Where::kCode;
          i += 2;
        }
        break;
    }
  }
  return {};
}

absl::StatusOr<toml::table> parse_toml(std::string_view text, std::string_view source) {
  const std::string name(source);
  if (const std::string problem = toml_text_problem(text); !problem.empty()) {
    return absl::InvalidArgumentError(name + ": " + problem);
  }
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(name + ": line " + std::to_string(e.source().begin.line) +
                                      ": " + std::string(e.description()));
  }
}

absl::StatusOr<toml::table> parse_toml_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return absl::NotFoundError("cannot read " + path.string() + ": " + ec.message());
  if (size > kMaxTomlBytes) {
    return absl::InvalidArgumentError(path.string() + ": larger than " +
                                      std::to_string(kMaxTomlBytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path.string());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_toml(text, path.string());
}

}  // namespace hubtable::wire
