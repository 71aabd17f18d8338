#include "domain/scan_text.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace hubtable::domain {

namespace {

constexpr auto kOptions = static_cast<utf8proc_option_t>(
    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_LUMP | UTF8PROC_IGNORE);

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* p) const { std::free(p); }  // NOLINT: utf8proc mallocs
};

bool is_starter(utf8proc_int32_t cp) { return utf8proc_get_property(cp)->combining_class == 0; }

// Appends one normalised code point, or nothing for a format character.
void append_code_point(utf8proc_int32_t cp, std::string& out) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_CF:
      return;  // zero-width and bidirectional marks that IGNORE leaves
    case UTF8PROC_CATEGORY_PD:
      out.push_back('-');
      return;
    case UTF8PROC_CATEGORY_ZS:
      out.push_back(' ');
      return;
    default:
      break;
  }
  utf8proc_uint8_t buf[4];
  const auto n = utf8proc_encode_char(cp, buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

}  // namespace

ScanText::ScanText(std::string_view original) {
  text_.reserve(original.size());
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(original.data());
  const std::size_t n = original.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII before ASCII (or the end) is its own normal form.
    if (bytes[i] < 0x80 && (i + 1 == n || bytes[i + 1] < 0x80)) {
      text_.push_back(static_cast<char>(bytes[i]));
      ++i;
      continue;
    }
    // A starter and the non-starters that follow it.
    const std::size_t text_begin = text_.size();
    utf8proc_int32_t cp = 0;
    const auto len = utf8proc_iterate(bytes + i, static_cast<utf8proc_ssize_t>(n - i), &cp);
    std::size_t end = i + 1;  // a byte that is not UTF-8 stands alone, as it is
    if (len <= 0) {
      text_.push_back(static_cast<char>(bytes[i]));
    } else {
      end = i + static_cast<std::size_t>(len);
      while (end < n) {
        utf8proc_int32_t next = 0;
        auto more = utf8proc_iterate(bytes + end, static_cast<utf8proc_ssize_t>(n - end), &next);
        if (more <= 0 || is_starter(next)) break;
        end += static_cast<std::size_t>(more);
      }
      utf8proc_uint8_t* mapped = nullptr;
      const auto m =
          utf8proc_map(bytes + i, static_cast<utf8proc_ssize_t>(end - i), &mapped, kOptions);
      std::unique_ptr<utf8proc_uint8_t, FreeDeleter> owned(mapped);
      if (m < 0) {
        text_.append(original.substr(i, end - i));
      } else {
        for (utf8proc_ssize_t k = 0; k < m;) {
          utf8proc_int32_t c = 0;
          const auto step = utf8proc_iterate(mapped + k, m - k, &c);
          if (step <= 0) break;
          append_code_point(c, text_);
          k += step;
        }
      }
    }
    const std::string_view out = std::string_view(text_).substr(text_begin);
    if (out != original.substr(i, end - i)) changed_.push_back({text_begin, text_.size(), i, end});
    i = end;
  }
}

ScanText::Origin ScanText::origin_of(std::size_t at) const {
  // The last changed run starting at or before `at`.
  auto it = std::upper_bound(changed_.begin(), changed_.end(), at,
                             [](std::size_t x, const Changed& c) { return x < c.text_begin; });
  if (it == changed_.begin()) return {at, at + 1};  // before any change: the same byte
  --it;
  if (at < it->text_end) return {it->original_begin, it->original_end};
  const std::size_t same = it->original_end + (at - it->text_end);
  return {same, same + 1};
}

std::pair<std::size_t, std::size_t> ScanText::original_span(std::size_t begin,
                                                            std::size_t end) const {
  if (text_.empty()) return {0, 0};
  end = std::min(std::max(end, begin + 1), text_.size());
  begin = std::min(begin, text_.size() - 1);
  return {origin_of(begin).begin, origin_of(end - 1).end};
}

}  // namespace hubtable::domain
