#include "domain/free_text.h"

#include <gtest/gtest.h>

namespace hubtable::domain {
namespace {

TEST(FreeText, PrintableTextWithLineBreaksAndTabsPasses) {
  EXPECT_FALSE(find_forbidden_character(
      "Plain text.\n\tIndented; d\xc3\xa9j\xc3\xa0 vu \xe2\x80\x94 ok", Lines::kMultiline));
  EXPECT_FALSE(find_forbidden_character("", Lines::kSingleLine));
  // Left-to-right and right-to-left marks are punctuation, not overrides.
  EXPECT_FALSE(
      find_forbidden_character("a\xe2\x80\x8f"
                               "b",
                               Lines::kSingleLine));
}

TEST(FreeText, EachForbiddenCharacterIsFoundAtItsCharacterPosition) {
  struct Case {
    std::string text;
    std::uint32_t code_point;
    std::size_t position;
  };
  const std::vector<Case> cases = {
      {std::string("ab\0c", 4), 0x00, 3},
      {"\xc3\xa9\x1b[0m", 0x1B, 2},
      {"x\x7f", 0x7F, 2},
      {"x\xc2\x85", 0x85, 2},
      {"\xe2\x80\xaa", 0x202A, 1},
      {"ab\xe2\x81\xa9", 0x2069, 3},
      {"a\rb", 0x0D, 2},
      {"a\xff", kNotUtf8, 2},
      {"a\xc0\xaf", kNotUtf8, 2},      // overlong '/'
      {"a\xed\xa0\x80", kNotUtf8, 2},  // a surrogate
      {"a\xe2\x80", kNotUtf8, 2},      // cut short
  };
  for (const auto& c : cases) {
    const auto found = find_forbidden_character(c.text, Lines::kMultiline);
    ASSERT_TRUE(found) << c.position;
    EXPECT_EQ(found->code_point, c.code_point);
    EXPECT_EQ(found->position, c.position);
  }
}

TEST(FreeText, SingleLineFieldsRefuseLineBreaksAndTabs) {
  EXPECT_EQ(find_forbidden_character("a\nb", Lines::kSingleLine)->code_point, 0x0Au);
  EXPECT_EQ(find_forbidden_character("a\tb", Lines::kSingleLine)->code_point, 0x09u);
  EXPECT_FALSE(find_forbidden_character("a\nb\tc", Lines::kMultiline));
}

TEST(FreeText, TheRefusalNamesFieldCharacterAndPlaceButNotTheText) {
  const auto d = check_free_text("narrative", "secret name \x1b]0;x\x07");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->rule, "text.control_character");
  EXPECT_EQ(d->refusal, Refusal::kInvalidArgument);
  EXPECT_EQ(d->message.rfind("narrative holds U+001B (escape) at character 13", 0), 0u)
      << d->message;
  EXPECT_EQ(d->message.find("secret"), std::string::npos);
  EXPECT_FALSE(check_free_text("narrative", "fine"));
}

}  // namespace
}  // namespace hubtable::domain
