#include "domain/report_rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <random>
#include <set>

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
void expect_no_small_count_pinned(const std::vector<Cell>& cells,
                                  const std::vector<Relation>& sums) {
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

// Whatever the order given, repeated values included, the answer is the
// interpolation between ranks of the sorted values.
TEST(Quantile, AgreesWithTheSortedValuesInAnyOrder) {
  std::mt19937_64 random(20);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::int64_t> v(1 + random() % 50);
    for (auto& x : v) x = static_cast<std::int64_t>(random() % 20);
    auto sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (double q : {0.0, 0.1, 0.5, 0.9, 0.99, 1.0}) {
      const double rank = q * static_cast<double>(sorted.size() - 1);
      const auto below = static_cast<std::size_t>(rank);
      const auto above = std::min(below + 1, sorted.size() - 1);
      const double expected =
          static_cast<double>(sorted[below]) +
          (rank - static_cast<double>(below)) * static_cast<double>(sorted[above] - sorted[below]);
      auto shuffled = v;
      std::shuffle(shuffled.begin(), shuffled.end(), random);
      EXPECT_DOUBLE_EQ(quantile(shuffled, q), expected) << "round " << round << " q " << q;
    }
  }
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
  const std::vector<Relation> sums = {{0, {1, 2, 3, 4}}};
  suppress_small_counts(cells, sums);
  EXPECT_EQ(marks(cells),
            (std::vector<Withheld>{Withheld::kShown, Withheld::kSmall, Withheld::kShown,
                                   Withheld::kComplementary, Withheld::kShown}));
  expect_no_small_count_pinned(cells, sums);
}

TEST(Suppression, TwoSmallCountsThatGiveEachOtherAwayNeedAThird) {
  // 4 + 4 = 8: both "<5" and the total 28 - 20 = 8 pins both to 4.
  auto cells = counts({28, 4, 4, 20});
  const std::vector<Relation> sums = {{0, {1, 2, 3}}};
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
  const std::vector<Relation> sums = {{0, {1, 2, 3}}};
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
  const std::vector<Relation> sums = {
      {0, {1, 2, 3}}, {2, {4, 5}}, {1, {6, 7, 8}}, {0, {9, 10, 11}}};
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
  const std::vector<Relation> sums = {{0, {1, 2, 3}}, {0, {4, 5, 6}}};
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
  const std::vector<Relation> sums = {{0, {1, 2}}, {2, {3, 4}}};
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
    std::vector<Relation> sums(1);
    const int n = parts(rng);
    for (int i = 0; i < n; ++i) {
      sums[0].parts.push_back(cells.size());
      cells.push_back({value(rng), Withheld::kShown});
    }
    const std::size_t sub_total = sums[0].parts[0];
    Relation sub{sub_total, {}};
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

// An attacker who solves exactly rather than by bounds: is there an
// assignment of every withheld count ("<5": 1..4, "x": 5..limit) that
// satisfies every relation and gives cell `target` the value `value`?
// Depth-first, narrowing after each choice; `limit` stands for "as large as
// needed" (generous: it only makes the attacker stronger).
bool consistent(std::vector<Bounds> b, const std::vector<Relation>& relations, std::size_t target,
                std::uint64_t value, std::uint64_t limit) {
  for (auto& x : b) x.high = std::min(x.high, limit);
  b[target] = {value, value};
  std::function<bool(std::vector<Bounds>)> search = [&](std::vector<Bounds> cur) {
    narrow(cur, relations);
    std::optional<std::size_t> open;
    for (std::size_t i = 0; i < cur.size(); ++i) {
      if (cur[i].low > cur[i].high) return false;
      if (cur[i].low < cur[i].high &&
          (!open || cur[i].high - cur[i].low < cur[*open].high - cur[*open].low)) {
        open = i;
      }
    }
    if (!open) return true;  // every count fixed, and narrowing found no contradiction
    for (std::uint64_t v = cur[*open].low; v <= cur[*open].high; ++v) {
      auto next = cur;
      next[*open] = {v, v};
      if (search(std::move(next))) return true;
    }
    return false;
  };
  return search(std::move(b));
}

// No "<5" count can be worked out, even by exact solving: each has another
// value in 1..4 that fits everything published.
void expect_no_small_count_solvable(const std::vector<Cell>& cells,
                                    const std::vector<Relation>& relations, std::uint64_t limit) {
  std::vector<Bounds> start(cells.size());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    switch (cells[i].withheld) {
      case Withheld::kShown:
        start[i] = {cells[i].count, cells[i].count};
        break;
      case Withheld::kSmall:
        start[i] = {1, kSmallCount - 1};
        break;
      case Withheld::kComplementary:
        start[i] = {kSmallCount, limit};
        break;
    }
  }
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].count == 0 || cells[i].count >= kSmallCount) continue;
    ASSERT_NE(cells[i].withheld, Withheld::kShown) << "cell " << i;
    ASSERT_TRUE(consistent(start, relations, i, cells[i].count, limit))
        << "the truth must fit: the relations are wrong";
    bool another = false;
    for (std::uint64_t v = 1; v < kSmallCount && !another; ++v) {
      another = v != cells[i].count && consistent(start, relations, i, v, limit);
    }
    EXPECT_TRUE(another) << "cell " << i << " (" << cells[i].count << ") can be solved for";
  }
}

TEST(Suppression, ACategoryBetweenItsLargestFactorAndTheirSumGivesNoSmallFactorAway) {
  // The review's table: category 9, its factors 5, 0 and 4. Shown as they
  // were, the category pins the small factor to 9 - 5 - 0 = 4.
  auto cells = counts({9, 5, 0, 4});
  const std::vector<Relation> relations = {{0, {1, 2, 3}, Link::kCover}};
  const auto before = attacker_bounds(
      {{9, Withheld::kShown}, {5, Withheld::kShown}, {0, Withheld::kShown}, {4, Withheld::kSmall}},
      relations);
  EXPECT_EQ(before[3].low, 4u) << "the leak the review found";
  EXPECT_EQ(before[3].high, 4u);
  suppress_small_counts(cells, relations);
  expect_no_small_count_pinned(cells, relations);
  expect_no_small_count_solvable(cells, relations, 30);
  EXPECT_EQ(marks(cells), (std::vector<Withheld>{Withheld::kShown, Withheld::kComplementary,
                                                 Withheld::kShown, Withheld::kSmall}));
}

TEST(Suppression, ASubsetIsAtMostItsTotal) {
  // A multi-valued line is at most its base: a base of 3 holds its lines to 3.
  const auto b =
      attacker_bounds({{3, Withheld::kSmall}, {2, Withheld::kSmall}}, {{0, {1}, Link::kSubset}});
  EXPECT_EQ(b[1].high, 4u);
  const auto shown =
      attacker_bounds({{6, Withheld::kShown}, {2, Withheld::kSmall}}, {{0, {1}, Link::kSubset}});
  EXPECT_EQ(shown[1].low, 1u);
  EXPECT_EQ(shown[1].high, 4u);
  const auto cover =
      attacker_bounds({{2, Withheld::kSmall}, {7, Withheld::kShown}}, {{0, {1}, Link::kCover}});
  EXPECT_GT(cover[0].low, cover[0].high) << "a total under its part is a contradiction";
}

// Random tables as the report builds them: accepted situations (each with
// one to three risk factors from a small vocabulary of categories), their
// types, the rejected ones, and every relation between the counts.
TEST(Suppression, RandomTablesWithCategoriesAndFactorsNeverExposeASmallCount) {
  std::mt19937 rng(20261203);
  for (int round = 0; round < 200; ++round) {
    SCOPED_TRACE(round);
    std::uniform_int_distribution<int> pick(0, 1 << 20);
    const int categories = 2 + pick(rng) % 2;
    std::vector<int> category_of;  // factor -> category
    for (int c = 0; c < categories; ++c) {
      const int factors = 1 + pick(rng) % 3;
      for (int f = 0; f < factors; ++f) category_of.push_back(c);
    }
    const int factors = static_cast<int>(category_of.size());
    const int accepted = 2 + pick(rng) % 12;
    const int rejected = pick(rng) % 7;
    std::vector<std::uint64_t> factor_count(factors), category_count(categories), types(2);
    for (int s = 0; s < accepted; ++s) {
      std::set<int> mine;
      const int n = 1 + pick(rng) % 3;
      while (static_cast<int>(mine.size()) < std::min(n, factors)) mine.insert(pick(rng) % factors);
      std::set<int> cats;
      for (int f : mine) {
        ++factor_count[f];
        cats.insert(category_of[f]);
      }
      for (int c : cats) ++category_count[c];
      ++types[pick(rng) % 2];
    }
    // Cells: submitted, accepted, rejected, the two types, the categories,
    // the factors.
    std::vector<Cell> cells = counts({static_cast<std::uint64_t>(accepted + rejected),
                                      static_cast<std::uint64_t>(accepted),
                                      static_cast<std::uint64_t>(rejected), types[0], types[1]});
    const std::size_t first_category = cells.size();
    for (auto n : category_count) cells.push_back({n, Withheld::kShown});
    const std::size_t first_factor = cells.size();
    for (auto n : factor_count) cells.push_back({n, Withheld::kShown});
    std::vector<Relation> relations = {{0, {1, 2}}, {1, {3, 4}}};
    Relation all_categories{1, {}, Link::kCover};
    Relation all_factors{1, {}, Link::kCover};
    for (int c = 0; c < categories; ++c) all_categories.parts.push_back(first_category + c);
    for (int f = 0; f < factors; ++f) all_factors.parts.push_back(first_factor + f);
    relations.push_back(all_categories);
    relations.push_back(all_factors);
    for (int c = 0; c < categories; ++c) {
      Relation r{first_category + c, {}, Link::kCover};
      for (int f = 0; f < factors; ++f) {
        if (category_of[f] == c) r.parts.push_back(first_factor + f);
      }
      relations.push_back(r);
    }
    suppress_small_counts(cells, relations);
    expect_no_small_count_pinned(cells, relations);
    expect_no_small_count_solvable(cells, relations,
                                   (4 * static_cast<std::uint64_t>(accepted)) + 10);
    for (const auto& c : cells) {
      if (c.withheld == Withheld::kComplementary) {
        EXPECT_GE(c.count, kSmallCount);
      }
    }
  }
}

}  // namespace
}  // namespace hubtable::domain
