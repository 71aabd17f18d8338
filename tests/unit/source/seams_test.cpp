// Rules about where things are spelled, checked on the server's sources:
// server messages speak product words (the command line adds its own flags,
// client/cli/advice.cpp), situation states are spelled only by the
// lifecycle and the store's conversion, a request kind only by its row in
// the request table and its handler, and the layers meet at small seams.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/build_paths.h"

namespace {

namespace fs = std::filesystem;

const fs::path& source_root() {
  static const fs::path root = fs::path(hubtable::testing::in_build(HUBTABLE_SOURCE_DIR));
  return root;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The server's C++ sources, by path relative to server/.
std::vector<std::pair<std::string, std::string>> server_sources() {
  std::vector<std::pair<std::string, std::string>> out;
  const fs::path root = source_root() / "server";
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const auto ext = entry.path().extension();
    if (ext != ".cpp" && ext != ".h") continue;
    out.emplace_back(fs::relative(entry.path(), root).string(), read_all(entry.path()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Literal {
  std::string file;
  std::string text;
};

// Every string literal in the server's C++ sources (comments skipped).
std::vector<Literal> server_literals() {
  std::vector<Literal> out;
  const fs::path root = fs::path(hubtable::testing::in_build(HUBTABLE_SOURCE_DIR)) / "server";
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
  const std::regex flag(
      R"(--[a-z]|`hubtable |hubtable (login|vocab|situation|meeting)\b|)"
      R"(\((situation|meeting|audit|vocab|deid|report|login|watch)( [a-z_]+)?\))");
  for (const auto& l : server_literals()) {
    if (l.file == "main.cpp") continue;
    EXPECT_FALSE(std::regex_search(l.text, flag)) << l.file << ": \"" << l.text << "\"";
  }
}

TEST(Seams, SituationStatesAreSpelledOnlyByTheLifecycle) {
  // A literal that is a state, or SQL that spells one ('ACCEPTED').
  const std::regex state(R"(^(AWAITING_DECISION|ACCEPTED|REJECTED|WITHDRAWN|CLOSED)$|)"
                         R"('(AWAITING_DECISION|ACCEPTED|REJECTED|WITHDRAWN|CLOSED)')");
  for (const auto& l : server_literals()) {
    if (l.file == "domain/lifecycle.cpp") continue;
    EXPECT_FALSE(std::regex_search(l.text, state)) << l.file << ": \"" << l.text << "\"";
  }
}

struct Kind {
  std::string message;  // RevealSituationRequest
  std::string field;    // reveal_situation
};

// The request kinds, from the protocol's Request oneof.
std::vector<Kind> request_kinds() {
  const std::string proto = read_all(source_root() / "proto/hubtable/v1/envelope.proto");
  const auto start = proto.find("message Request {");
  const auto end = proto.find("\n}", start);
  const std::string body = proto.substr(start, end - start);
  const std::regex row(R"((\w+Request) (\w+) = \d+;)");
  std::vector<Kind> out;
  for (std::sregex_iterator it(body.begin(), body.end(), row), e; it != e; ++it) {
    out.push_back({(*it)[1].str(), (*it)[2].str()});
  }
  return out;
}

// A request kind is spelled by its proto message, its row in the request
// table, and its handler: no parallel list elsewhere in the server.
TEST(Seams, ARequestKindIsSpelledOnlyInItsRowAndItsHandler) {
  const auto kinds = request_kinds();
  ASSERT_GT(kinds.size(), 30u);
  // Each file without its comments, a header and its source as one.
  std::map<std::string, std::string> code_only;
  const std::regex comment(R"(//[^\n]*)");
  for (const auto& [name, text] : server_sources()) {
    code_only[fs::path(name).replace_extension().string()] += std::regex_replace(text, comment, "");
  }
  for (const auto& k : kinds) {
    std::set<std::string> files;
    // The message's name, its accessor, or the response's mutable accessor.
    const std::string spellings[] = {k.message, "." + k.field + "()", ">" + k.field + "()",
                                     "mutable_" + k.field + "("};
    for (const auto& [name, text] : code_only) {
      if (name == "api/request_table") continue;
      // The browser's event stream is the watch request: the bridge names
      // that one request, and no other.
      if (name == "net/http_bridge" && k.field == "watch") continue;
      for (const auto& spelled : spellings) {
        if (text.find(spelled) != std::string::npos) files.insert(name);
      }
    }
    EXPECT_LE(files.size(), 1u) << k.field << " is spelled in " << ::testing::PrintToString(files);
  }
}

TEST(Seams, NoRequestFileIsLongerThan450Lines) {
  for (const auto& [name, text] : server_sources()) {
    if (!name.starts_with("api/")) continue;
    const auto lines = std::count(text.begin(), text.end(), '\n');
    EXPECT_LE(lines, 450) << name;
  }
}

// The network layer hands requests to the small interface it uses.
TEST(Seams, TheNetworkLayerIncludesOnlyTheRequestSinkOfTheRequestLayer) {
  const std::regex include(R"re(#include "api/([^"]+)")re");
  for (const auto& [name, text] : server_sources()) {
    if (!name.starts_with("net/")) continue;
    for (std::sregex_iterator it(text.begin(), text.end(), include), e; it != e; ++it) {
      const std::string header = (*it)[1].str();
      EXPECT_TRUE(header == "request_sink.h" || header == "request_context.h")
          << name << " includes api/" << header;
    }
  }
}

// A function longer than 80 lines says why in a comment above it (the
// policy's one switch, a sequence whose order is the point...).
TEST(Seams, NoLongFunctionWithoutACommentSayingWhy) {
  const std::regex strings(R"re("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)')re");
  const std::regex namespace_line(R"(^\s*(namespace\b.*\{|\}\s*//\s*namespace))");
  for (const auto& [name, text] : server_sources()) {
    if (!name.ends_with(".cpp")) continue;
    std::vector<std::string> lines;
    std::stringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (std::regex_search(lines[i], namespace_line)) continue;
      std::string code = std::regex_replace(lines[i], strings, "\"\"");
      if (const auto c = code.find("//"); c != std::string::npos) code.resize(c);
      for (char ch : code) {
        if (ch == '{' && depth++ == 0) {
          // The signature starts after the blank line, comment or closing
          // brace above it.
          start = i;
          while (start > 0 && !lines[start - 1].empty() && !lines[start - 1].starts_with("//") &&
                 !lines[start - 1].starts_with("}") && !lines[start - 1].starts_with("#")) {
            --start;
          }
        }
        if (ch == '}' && --depth == 0 && i - start + 1 > 80) {
          const bool commented = start > 0 && lines[start - 1].starts_with("//");
          EXPECT_TRUE(commented) << name << ":" << start + 1 << " is " << i - start + 1
                                 << " lines long and no comment says why";
        }
      }
    }
  }
}

}  // namespace
