#include "domain/report_rules.h"

#include <gtest/gtest.h>

#include <random>

namespace hubtable::domain {
namespace {

constexpr std::int64_t kHour = 3600LL * 1000 * 1000;

std::vector<Cell> counts(std::initializer_list<std::uint64_t> values) {
  std::vector<Cell> cells;
  for (auto v : values) cells.push_back({v, Withheld::kShown});
  return cells;
}

std::vector<Withheld> marks(const std::vector<Cell>& cells) {
  std::vector<Withheld> out;
  out.reserve(cells.size());
  for (const auto& c : cells) out.push_back(c.withheld);
  return out;
}

// The subtraction attack: no count under 5 may be worked out exactly.
void expect_no_small_count_pinned(const std::vector<Cell>& cells, const std::vector<Sum>& sums) {
  const auto b = attacker_bounds(cells, sums);
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].count > 0 && cells[i].count < kSmallCount) {
      EXPECT_NE(cells[i].withheld, Withheld::kShown) << "cell " << i;
      EXPECT_LT(b[i].low, b[i].high) << "cell " << i << " (" << cells[i].count << ") is pinned";
      // The attacker's bounds are sound: the true count lies within them.
      EXPECT_LE(b[i].low, cells[i].count);
      EXPECT_GE(b[i].high, cells[i].count);
    }
  }
}

TEST(Quantile, InterpolatesBetweenRanks) {
  std::vector<std::int64_t> v = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(quantile(v, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile(v, 0.9), 3.7);
  EXPECT_DOUBLE_EQ(quantile(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile(v, 1.0), 4.0);
  std::vector<std::int64_t> one = {7};
  EXPECT_DOUBLE_EQ(quantile(one, 0.9), 7.0);
  std::vector<std::int64_t> none;
  EXPECT_DOUBLE_EQ(quantile(none, 0.5), 0.0);
}

TEST(Bands, OpenAgeAndInterventionHoursIncludeTheirUpperBound) {
  const std::int64_t day = 24 * kHour;
  EXPECT_EQ(open_age_band(0), "0-7");
  EXPECT_EQ(open_age_band(7 * day + day - 1), "0-7");
  EXPECT_EQ(open_age_band(8 * day), "8-30");
  EXPECT_EQ(open_age_band(31 * day), "31-90");
  EXPECT_EQ(open_age_band(91 * day), "91+");
  EXPECT_EQ(intervention_hours_band(24 * kHour), "0-24");
  EXPECT_EQ(intervention_hours_band(24 * kHour + 1), "24-48");
  EXPECT_EQ(intervention_hours_band(48 * kHour), "24-48");
  EXPECT_EQ(intervention_hours_band(72 * kHour), "48-72");
  EXPECT_EQ(intervention_hours_band(73 * kHour), "72+");
}

TEST(Overdue, LateOrPastDue) {
  EXPECT_FALSE(overdue(std::nullopt, std::nullopt, 100));
  EXPECT_FALSE(overdue(50, 40, 100));
  EXPECT_FALSE(overdue(50, 50, 100));
  EXPECT_TRUE(overdue(50, 51, 60));
  EXPECT_TRUE(overdue(50, std::nullopt, 51));
  EXPECT_FALSE(overdue(50, std::nullopt, 50));
}

TEST(Suppression, NothingSmallNothingWithheld) {
  auto cells = counts({30, 10, 20, 0});
  suppress_small_counts(cells, {{0, {1, 2, 3}}});
  EXPECT_EQ(marks(cells), std::vector<Withheld>(4, Withheld::kShown));
}

TEST(Suppression, OneSmallCountTakesTheSmallestOtherWithIt) {
  // 25 = 3 + 12 + 10 + 0: with only the 3 withheld, 25 - 12 - 10 = 3.
  auto cells = counts({25, 3, 12, 10, 0});
  const std::vector<Sum> sums = {{0, {1, 2, 3, 4}}};
  suppress_small_counts(cells, sums);
  EXPECT_EQ(marks(cells),
            (std::vector<Withheld>{Withheld::kShown, Withheld::kSmall, Withheld::kShown,
                                   Withheld::kComplementary, Withheld::kShown}));
  expect_no_small_count_pinned(cells, sums);
}

TEST(Suppression, TwoSmallCountsThatGiveEachOtherAwayNeedAThird) {
  // 4 + 4 = 8: both "<5" and the total 28 - 20 = 8 pins both to 4.
  auto cells = counts({28, 4, 4, 20});
  const std::vector<Sum> sums = {{0, {1, 2, 3}}};
  suppress_small_counts(cells, sums);
  EXPECT_EQ(cells[3].withheld, Withheld::kComplementary);
  expect_no_small_count_pinned(cells, sums);
  // 1 + 1 = 2 is just as exposed.
  auto ones = counts({22, 1, 1, 20});
  suppress_small_counts(ones, sums);
  EXPECT_EQ(ones[3].withheld, Withheld::kComplementary);
  expect_no_small_count_pinned(ones, sums);
}

TEST(Suppression, TwoSmallCountsWithSlackStandAlone) {
  // 3 + 2 = 5: each could be 1 to 4.
  auto cells = counts({25, 3, 2, 20});
  const std::vector<Sum> sums = {{0, {1, 2, 3}}};
  suppress_small_counts(cells, sums);
  EXPECT_EQ(cells[3].withheld, Withheld::kShown);
  expect_no_small_count_pinned(cells, sums);
}

TEST(Suppression, AWithheldBaseIsNotGivenAwayByItsBreakdown) {
  // Decisions: 40 submitted = 30 accepted + 3 rejected + 7 awaiting.
  // Rejection reasons add up to the 3; age bands add up to the 30 accepted;
  // the months add up to the 40.
  // cells: 0 submitted, 1 accepted, 2 rejected, 3 awaiting,
  //        4..5 reasons of the rejected, 6..8 age bands, 9..11 months.
  auto cells = counts({40, 30, 3, 7, 2, 1, 20, 6, 4, 15, 13, 12});
  const std::vector<Sum> sums = {{0, {1, 2, 3}}, {2, {4, 5}}, {1, {6, 7, 8}}, {0, {9, 10, 11}}};
  suppress_small_counts(cells, sums);
  expect_no_small_count_pinned(cells, sums);
  EXPECT_EQ(cells[2].withheld, Withheld::kSmall);
  EXPECT_EQ(cells[8].withheld, Withheld::kSmall);
  // The awaiting 7 goes with the rejected 3; the age band 6 with the 4.
  EXPECT_EQ(cells[3].withheld, Withheld::kComplementary);
  EXPECT_EQ(cells[7].withheld, Withheld::kComplementary);
  EXPECT_EQ(cells[0].withheld, Withheld::kShown);
}

TEST(Suppression, AChainThroughLinkedSumsIsFollowed) {
  // The months give the accepted total away (all shown); the accepted
  // total then pins the one small age band unless another band goes.
  // cells: 0 accepted; 1..3 months; 4..6 age bands.
  auto cells = counts({30, 10, 10, 10, 2, 8, 20});
  const std::vector<Sum> sums = {{0, {1, 2, 3}}, {0, {4, 5, 6}}};
  suppress_small_counts(cells, sums);
  expect_no_small_count_pinned(cells, sums);
  EXPECT_EQ(cells[5].withheld, Withheld::kComplementary);
  EXPECT_EQ(cells[1].withheld, Withheld::kShown);
}

TEST(Suppression, AComplementPinnedBelowIsProtectedThereNotByWithholdingTotals) {
  // 100 accepted = 3 open + 97 closed; 97 closed = 50 + 47 by reason. The
  // 97 must go with the 3, and the reasons would give it back: one reason
  // goes too, while the 100 (a base of every other breakdown) stays.
  // cells: 0 accepted, 1 open, 2 closed, 3..4 reasons.
  auto cells = counts({100, 3, 97, 50, 47});
  const std::vector<Sum> sums = {{0, {1, 2}}, {2, {3, 4}}};
  suppress_small_counts(cells, sums);
  expect_no_small_count_pinned(cells, sums);
  EXPECT_EQ(cells[0].withheld, Withheld::kShown);
  EXPECT_EQ(cells[2].withheld, Withheld::kComplementary);
  EXPECT_EQ(cells[4].withheld, Withheld::kComplementary);
  EXPECT_EQ(cells[3].withheld, Withheld::kShown);
}

TEST(Suppression, RandomTablesNeverExposeASmallCount) {
  std::mt19937 rng(20261202);
  for (int round = 0; round < 300; ++round) {
    // A total, a breakdown of it, and a breakdown of one of its parts.
    std::uniform_int_distribution<int> parts(2, 6);
    std::uniform_int_distribution<std::uint64_t> value(0, 12);
    std::vector<Cell> cells(1);
    std::vector<Sum> sums(1);
    const int n = parts(rng);
    for (int i = 0; i < n; ++i) {
      sums[0].parts.push_back(cells.size());
      cells.push_back({value(rng), Withheld::kShown});
    }
    const std::size_t sub_total = sums[0].parts[0];
    Sum sub{sub_total, {}};
    std::uint64_t left = cells[sub_total].count;
    const int m = parts(rng);
    for (int i = 0; i < m; ++i) {
      const std::uint64_t v = i + 1 == m ? left : std::min(left, value(rng));
      left -= v;
      sub.parts.push_back(cells.size());
      cells.push_back({v, Withheld::kShown});
    }
    sums.push_back(sub);
    for (auto p : sums[0].parts) cells[0].count += cells[p].count;
    suppress_small_counts(cells, sums);
    SCOPED_TRACE(round);
    expect_no_small_count_pinned(cells, sums);
    for (const auto& c : cells) {
      if (c.withheld == Withheld::kComplementary) {
        EXPECT_GE(c.count, kSmallCount);
      }
    }
  }
}

}  // namespace
}  // namespace hubtable::domain
