#include "wire/toml_document.h"

#include <gtest/gtest.h>

namespace hubtable::wire {
namespace {

std::string error_of(std::string_view text) {
  auto r = parse_toml(text, "f.toml");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

TEST(TomlDocument, WhatTomlPlusPlusMishandlesNeverReachesIt) {
  // toml++ 3.3 reaches an unreachable branch (undefined behaviour) on a
  // character beyond ASCII after a value, and asserts on a bad table key.
  EXPECT_EQ(error_of("a = 20\xce\xa2"),
            "f.toml: line 1: a character beyond ASCII outside quotes (put text in a \"string\")");
  EXPECT_EQ(error_of("a = 1\n\nb = 2\xc2\xa0"),
            "f.toml: line 3: a character beyond ASCII outside quotes (put text in a \"string\")");
  EXPECT_NE(error_of("[[/agency]]\n").find("f.toml: line 1: Error while parsing key"),
            std::string::npos);
}

TEST(TomlDocument, TextThatIsNotUtf8OrHoldsControlsIsRefusedByLine) {
  EXPECT_EQ(error_of("a = 1\nx = \"\xff\"\n"),
            "f.toml: line 2: not UTF-8 text (save the file as UTF-8)");
  EXPECT_EQ(error_of(std::string("x = \"a\0b\"\n", 10)), "f.toml: line 1: a control character");
  EXPECT_EQ(error_of("x = \"a\x1b[2Jb\"\n"), "f.toml: line 1: a control character");
  EXPECT_EQ(error_of(std::string(kMaxTomlBytes + 1, '#')), "f.toml: larger than 8388608 bytes");
}

TEST(TomlDocument, TextBeyondAsciiInStringsAndCommentsIsFine) {
  auto r = parse_toml(
      "name = \"caf\xc3\xa9\" # d\xc3\xa9j\xc3\xa0\n"
      "multi = \"\"\"\nsaid \"oui\" \\\n  \xc3\xa9t\xc3\xa9\n\"\"\"\n"
      "lit = '''\nraw \\ \xc3\xa9\n'''\n"
      "'cl\xc3\xa9' = 'val\xc3\xa9'\r\n",
      "f.toml");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)["name"].value_or(std::string()), "caf\xc3\xa9");
  EXPECT_EQ((*r)["cl\xc3\xa9"].value_or(std::string()), "val\xc3\xa9");
  EXPECT_EQ((*r)["multi"].value_or(std::string()), "said \"oui\" \xc3\xa9t\xc3\xa9\n");
}

TEST(TomlDocument, AMissingFileIsNotFound) {
  auto r = parse_toml_file("/nonexistent/hubtable.toml");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace hubtable::wire
