#include "domain/deid_scanner.h"

#include <gtest/gtest.h>

#include "tests/support/build_paths.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

namespace hubtable::domain {
namespace {

struct Labelled {
  std::set<std::string> expected;  // empty: clean
  std::string text;
};

std::vector<Labelled> corpus(const char* path = HUBTABLE_DEID_CORPUS) {
  std::ifstream in(hubtable::testing::in_build(path));
  std::vector<Labelled> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    Labelled l;
    l.text = line.substr(tab + 1);
    std::stringstream labels(line.substr(0, tab));
    for (std::string c; std::getline(labels, c, ',');) {
      if (c != "CLEAN") l.expected.insert(c);
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::set<std::string> categories(const std::vector<Finding>& findings) {
  std::set<std::string> out;
  for (const auto& f : findings) out.insert(std::string(category_name(f.category)));
  return out;
}

struct Measured {
  int identifying = 0, caught = 0, clean = 0, false_positives = 0;
  double recall() const { return static_cast<double>(caught) / identifying; }
  double false_positive_rate() const { return static_cast<double>(false_positives) / clean; }
};

/// Recall (an identifying sentence counts as caught when every expected
/// category is found) and the false-positive rate (clean sentences flagged).
Measured measure(const std::vector<Labelled>& sentences, const char* name) {
  Measured m;
  for (const auto& s : sentences) {
    const auto found = categories(scan_for_identifiers(s.text));
    if (s.expected.empty()) {
      ++m.clean;
      if (!found.empty()) {
        ++m.false_positives;
        std::printf("%s: false positive (%s): %s\n", name, found.begin()->c_str(), s.text.c_str());
      }
      continue;
    }
    ++m.identifying;
    bool all = true;
    for (const auto& c : s.expected) all = all && found.count(c) != 0;
    if (all) {
      ++m.caught;
    } else {
      std::printf("%s: missed: %s\n", name, s.text.c_str());
    }
  }
  std::printf("%s: %d identifying, %d clean; recall %.3f, false-positive rate %.3f\n", name,
              m.identifying, m.clean, m.recall(), m.false_positive_rate());
  return m;
}

/// At least 0.95 recall and at most 0.05 false positives on the corpus at `path`.
void expect_targets(const char* path, const char* name, std::size_t at_least) {
  const auto sentences = corpus(path);
  ASSERT_GE(sentences.size(), at_least) << name;
  const Measured m = measure(sentences, name);
  EXPECT_GE(m.recall(), 0.95) << name;
  EXPECT_LE(m.false_positive_rate(), 0.05) << name;
}

TEST(DeidScanner, CorpusRecallAndFalsePositiveRate) {
  expect_targets(HUBTABLE_DEID_CORPUS, "original corpus", 200);
}

// The labelled corpus of issue 16: the development half is what the scanner
// was tuned on; the held-out half was split off once and never tuned on.
TEST(DeidScanner, DevelopmentHalfRecallAndFalsePositiveRate) {
  expect_targets(HUBTABLE_DEID_DEV, "development half", 300);
}

TEST(DeidScanner, HeldOutHalfRecallAndFalsePositiveRate) {
  expect_targets(HUBTABLE_DEID_HELDOUT, "held-out half", 300);
}

TEST(DeidScanner, OverlappingMatchesTakeTheLongestMatchsCategory) {
  const auto f = scan_for_identifiers("SIN 046 454 286 was given.");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(category_name(f[0].category), "ID_NUMBER");
}

// Found by the deid_scan fuzzer: "¾" reads as "3⁄4", so findings apart in
// the normalised text shared characters at the writer's offsets.
TEST(DeidScanner, FindingsNeverOverlapAtTheWritersOffsets) {
  const std::string text = "\u00be\u00be\u00be\u00be\u00be\u00be\u00be";
  const auto f = scan_for_identifiers(text);
  ASSERT_FALSE(f.empty());
  std::size_t previous_end = 0;
  for (const auto& finding : f) {
    EXPECT_LT(finding.begin, finding.end);
    EXPECT_LE(finding.end, text.size());
    EXPECT_GE(finding.begin, previous_end);
    previous_end = finding.end;
  }
}

TEST(DeidScanner, FindingsGiveCategoryAndOffsetsOnly) {
  const std::string text = "Call 306-555-0142 today.";
  const auto f = scan_for_identifiers(text);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(category_name(f[0].category), "PHONE_NUMBER");
  EXPECT_EQ(text.substr(f[0].begin, f[0].end - f[0].begin), "306-555-0142");
}

TEST(DeidScanner, AllowListedAgencyNamesPass) {
  const std::string text = "The youth was referred to Riverbend Youth Outreach last week.";
  EXPECT_FALSE(scan_for_identifiers(text).empty());
  DeidAllowList allow{{"Riverbend Youth Outreach"}};
  EXPECT_TRUE(scan_for_identifiers(text, allow).empty());
}

// A phrase is read as the text is (look-alike spaces and dashes as their
// ASCII forms), once, when the list is made; empty phrases and repeats are
// left out.
TEST(DeidScanner, AllowListPhrasesAreNormalisedOnceAsTheTextIs) {
  const DeidAllowList allow{
      {"Riverbend\u00A0Youth\u2011Outreach", "", "Riverbend Youth-Outreach", "Hub"}};
  EXPECT_EQ(allow.phrases(), (std::vector<std::string>{"Hub", "Riverbend Youth-Outreach"}));
  const std::string text = "The youth was referred to Riverbend Youth-Outreach last week.";
  EXPECT_FALSE(scan_for_identifiers(text).empty());
  EXPECT_TRUE(scan_for_identifiers(text, allow).empty());
  const std::string pasted = "The youth was referred to Riverbend\u00A0Youth\u2013Outreach.";
  EXPECT_TRUE(scan_for_identifiers(pasted, allow).empty());
}

TEST(DeidScanner, EmptyAndPunctuationOnlyTextIsClean) {
  EXPECT_TRUE(scan_for_identifiers("").empty());
  EXPECT_TRUE(scan_for_identifiers("... -- !!! ???").empty());
}

// Look-alikes of the ASCII forms the patterns know, as a word processor or
// a phone pastes them. Each must be found, at the writer's own offsets.
struct LookAlike {
  const char* what;
  std::string text;
  std::string_view category;
  std::string identifier;  // the bytes of `text` the finding must cover
};

TEST(DeidScanner, UnicodeLookAlikesAreFoundWhereTheWriterTypedThem) {
  const std::string nbsp = "\u00A0";
  const std::string en_dash = "\u2013";
  const std::string zwsp = "\u200B";
  const std::vector<LookAlike> cases = {
      {"non-breaking spaces", "Call (306)" + nbsp + "555" + nbsp + "0142 now.", "PHONE_NUMBER",
       "(306)" + nbsp + "555" + nbsp + "0142"},
      {"en-dashes", "Call 306" + en_dash + "555" + en_dash + "0142 now.", "PHONE_NUMBER",
       "306" + en_dash + "555" + en_dash + "0142"},
      {"full-width digits",
       "Call \uFF13\uFF10\uFF16-\uFF15\uFF15\uFF15-\uFF10\uFF11\uFF14\uFF12 now.", "PHONE_NUMBER",
       "\uFF13\uFF10\uFF16-\uFF15\uFF15\uFF15-\uFF10\uFF11\uFF14\uFF12"},
      {"zero-width spaces", "Call 306-" + zwsp + "555-" + zwsp + "0142 now.", "PHONE_NUMBER",
       "306-" + zwsp + "555-" + zwsp + "0142"},
      {"full-width hyphens in a date", "Born 2009\uFF0D03\uFF0D14 in the north.", "FULL_DATE",
       "2009\uFF0D03\uFF0D14"},
      {"a full-width at sign", "Write to jo.doe\uFF20mail.example.com soon.", "EMAIL",
       "jo.doe\uFF20mail.example.com"},
      {"a soft hyphen in a postal code", "Lives near S7K\u00AD 1A1 now.", "POSTAL_CODE",
       "S7K\u00AD 1A1"},
  };
  for (const auto& c : cases) {
    const auto f = scan_for_identifiers(c.text);
    ASSERT_EQ(f.size(), 1u) << c.what;
    EXPECT_EQ(category_name(f[0].category), c.category) << c.what;
    EXPECT_EQ(c.text.substr(f[0].begin, f[0].end - f[0].begin), c.identifier) << c.what;
  }
}

TEST(DeidScanner, AccentsAndOtherScriptsAreNotMangled) {
  // A composed and a decomposed e-acute read the same; offsets stay on
  // character boundaries of the text as given.
  const std::string decomposed = "Le jeune a vu Rene\u0301 Tremblay hier.";
  const auto f = scan_for_identifiers(decomposed);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(category_name(f[0].category), "PERSON_NAME");
  EXPECT_EQ(decomposed.substr(f[0].begin, f[0].end - f[0].begin), "Rene\u0301 Tremblay");
  EXPECT_TRUE(
      scan_for_identifiers("\u00C9cole secondaire: la jeune est en 10e ann\u00E9e.").empty());
}

TEST(DeidScanner, BytesThatAreNotUtf8AreScannedNotDropped) {
  const std::string text = std::string("Call 306-555-0142 \xff\xfe now.");
  const auto f = scan_for_identifiers(text);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(text.substr(f[0].begin, f[0].end - f[0].begin), "306-555-0142");
}

// Scanning must cost the same per byte whatever the text: the inputs that
// made std::regex backtrack (long runs of letters, digits and dots) grow
// the time linearly. Checked as a ratio of the same machine's timings, so a
// slow or loaded machine does not decide the outcome: 16 times the text
// must take well under 16 squared times as long.
double best_seconds(const std::string& text) {
  double best = 1e9;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    (void)scan_for_identifiers(text);
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

std::string repeat(const std::string& unit, std::size_t bytes) {
  std::string out;
  while (out.size() + unit.size() <= bytes) out += unit;
  return out;
}

TEST(DeidScanner, WorstCaseInputsScanInLinearTime) {
  for (const std::string unit : {"a.", "1", "1.", "a", "Aa ", "1 ", "a@", "A-1 ", "a.1@"}) {
    const double small = best_seconds(repeat(unit, 2048));
    const double large = best_seconds(repeat(unit, 32768));
    EXPECT_LT(large, 48 * std::max(small, 1e-4))
        << "'" << unit << "' * n: " << small << " s for 2 KiB, " << large << " s for 32 KiB";
  }
}

}  // namespace
}  // namespace hubtable::domain
