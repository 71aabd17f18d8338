// Rules about where things are spelled, checked on the server's sources:
// server messages speak product words (the command line adds its own flags,
// client/cli/advice.cpp), and situation states are spelled only by the
// lifecycle and the store's conversion.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Literal {
  std::string file;
  std::string text;
};

// Every string literal in the server's C++ sources (comments skipped).
std::vector<Literal> server_literals() {
  std::vector<Literal> out;
  const fs::path root = fs::path(HUBTABLE_SOURCE_DIR) / "server";
  const std::regex literal(R"re("((?:[^"\\\n]|\\.)*)")re");
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const auto ext = entry.path().extension();
    if (ext != ".cpp" && ext != ".h") continue;
    std::ifstream in(entry.path());
    std::string line;
    const std::string name = fs::relative(entry.path(), root).string();
    while (std::getline(in, line)) {
      const auto comment = line.find("//");
      const auto first_quote = line.find('"');
      if (comment != std::string::npos && comment < first_quote) continue;
      if (line.find("#include") != std::string::npos) continue;
      for (std::sregex_iterator it(line.begin(), line.end(), literal), end; it != end; ++it) {
        out.push_back({name, (*it)[1].str()});
      }
    }
  }
  return out;
}

TEST(Seams, TheSourcesAreRead) {
  const auto literals = server_literals();
  EXPECT_GT(literals.size(), 1000u);
  bool seen = false;
  for (const auto& l : literals) seen = seen || l.text == "name the lead agency";
  EXPECT_TRUE(seen) << "a known message is found";
}

// hubtabled's own command line (main.cpp) names its own flags.
TEST(Seams, NoServerMessageNamesACommandLineFlagOrCommand) {
  const std::regex flag(R"(--[a-z]|`hubtable |hubtable (login|vocab|situation|meeting)\b)");
  for (const auto& l : server_literals()) {
    if (l.file == "main.cpp") continue;
    EXPECT_FALSE(std::regex_search(l.text, flag)) << l.file << ": \"" << l.text << "\"";
  }
}

TEST(Seams, SituationStatesAreSpelledOnlyByTheLifecycle) {
  const std::regex state(R"(^(AWAITING_DECISION|ACCEPTED|REJECTED|WITHDRAWN|CLOSED)$)");
  for (const auto& l : server_literals()) {
    if (l.file == "domain/lifecycle.cpp") continue;
    EXPECT_FALSE(std::regex_search(l.text, state)) << l.file << ": \"" << l.text << "\"";
  }
}

}  // namespace
