#include "domain/deid_scanner.h"

#include <gtest/gtest.h>

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

std::vector<Labelled> corpus() {
  std::ifstream in(HUBTABLE_DEID_CORPUS);
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

TEST(DeidScanner, CorpusRecallAndFalsePositiveRate) {
  const auto sentences = corpus();
  ASSERT_GE(sentences.size(), 200u);
  int identifying = 0, caught = 0, clean = 0, false_positives = 0;
  for (const auto& s : sentences) {
    const auto found = categories(scan_for_identifiers(s.text));
    if (s.expected.empty()) {
      ++clean;
      if (!found.empty()) {
        ++false_positives;
        std::printf("false positive (%s): %s\n", found.begin()->c_str(), s.text.c_str());
      }
      continue;
    }
    ++identifying;
    bool all = true;
    for (const auto& c : s.expected) all = all && found.count(c) != 0;
    if (all) {
      ++caught;
    } else {
      std::printf("missed: %s\n", s.text.c_str());
    }
  }
  const double recall = static_cast<double>(caught) / identifying;
  const double fpr = static_cast<double>(false_positives) / clean;
  std::printf(
      "de-identification corpus: %d identifying, %d clean; recall %.3f, "
      "false-positive rate %.3f\n",
      identifying, clean, recall, fpr);
  EXPECT_GE(recall, 0.95);
  EXPECT_LE(fpr, 0.05);
}

TEST(DeidScanner, OverlappingMatchesTakeTheLongestMatchsCategory) {
  const auto f = scan_for_identifiers("SIN 046 454 286 was given.");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(category_name(f[0].category), "ID_NUMBER");
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

TEST(DeidScanner, EmptyAndPunctuationOnlyTextIsClean) {
  EXPECT_TRUE(scan_for_identifiers("").empty());
  EXPECT_TRUE(scan_for_identifiers("... -- !!! ???").empty());
}

}  // namespace
}  // namespace hubtable::domain
