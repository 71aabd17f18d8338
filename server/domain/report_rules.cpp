#include "domain/report_rules.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hubtable::domain {

namespace {

constexpr std::int64_t kHourUs = 3600LL * 1000 * 1000;
constexpr std::int64_t kDayUs = 24 * kHourUs;

// Saturating arithmetic on bounds (an "x" is unbounded above).
constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();

std::uint64_t add(std::uint64_t a, std::uint64_t b) {
  return a > kUnbounded - b ? kUnbounded : a + b;
}

// a - b, or 0 when b >= a (a lower bound never goes below 0).
std::uint64_t sub_floor(std::uint64_t a, std::uint64_t b) { return a > b ? a - b : 0; }

bool pinned(const Bounds& b) { return b.low == b.high; }

}  // namespace

double quantile(std::vector<std::int64_t>& values, double q) {
  if (values.empty()) return 0;
  const double rank = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const double fraction = rank - static_cast<double>(below);
  // The two order statistics around the rank, without sorting the rest: a
  // province's ten years hold some 700,000 interventions.
  const auto nth = values.begin() + static_cast<std::ptrdiff_t>(below);
  std::nth_element(values.begin(), nth, values.end());
  const std::int64_t low = *nth;
  const std::int64_t high =
      nth + 1 == values.end() ? low : *std::min_element(nth + 1, values.end());
  return static_cast<double>(low) + fraction * static_cast<double>(high - low);
}

const std::vector<std::string_view>& open_age_bands() {
  static const std::vector<std::string_view> kBands = {"0-7", "8-30", "31-90", "91+"};
  return kBands;
}

std::string_view open_age_band(std::int64_t age_us) {
  const std::int64_t days = age_us / kDayUs;
  if (days <= 7) return "0-7";
  if (days <= 30) return "8-30";
  if (days <= 90) return "31-90";
  return "91+";
}

std::string_view intervention_hours_band(std::int64_t elapsed_us) {
  if (elapsed_us <= 24 * kHourUs) return "0-24";
  if (elapsed_us <= 48 * kHourUs) return "24-48";
  if (elapsed_us <= 72 * kHourUs) return "48-72";
  return "72+";
}

bool overdue(std::optional<std::int64_t> due_us, std::optional<std::int64_t> done_us,
             std::int64_t as_of_us) {
  if (!due_us) return false;
  return done_us ? *done_us > *due_us : as_of_us > *due_us;
}

void narrow(std::vector<Bounds>& b, const std::vector<Relation>& relations) {
  auto lower = [](Bounds& x, std::uint64_t low, bool& narrowed) {
    if (low > x.low) x.low = low, narrowed = true;
  };
  auto upper = [](Bounds& x, std::uint64_t high, bool& narrowed) {
    if (high < x.high) x.high = high, narrowed = true;
  };
  // Until nothing narrows: every count lies within what each relation it
  // takes part in allows, given the others' bounds. Stops early on a
  // contradiction (low > high), which a search for a consistent assignment
  // reads as "no".
  for (bool narrowed = true; narrowed;) {
    narrowed = false;
    for (const auto& r : relations) {
      std::uint64_t low = 0;
      std::uint64_t high = 0;
      std::uint64_t most_low = 0;
      for (auto p : r.parts) {
        low = add(low, b[p].low);
        high = add(high, b[p].high);
        most_low = std::max(most_low, b[p].low);
      }
      auto& t = b[r.total];
      if (r.link == Link::kSum) lower(t, low, narrowed);
      if (r.link != Link::kSum) lower(t, most_low, narrowed);  // at least its largest part
      if (r.link != Link::kSubset) upper(t, high, narrowed);   // at most its parts' sum
      for (auto p : r.parts) {
        // A part is at most the total (less the least the others are, for a sum).
        if (t.high != kUnbounded) {
          upper(b[p], r.link == Link::kSum ? sub_floor(t.high, low - b[p].low) : t.high, narrowed);
        }
        // The total less the most the others can be (unbounded: nothing learnt).
        if (r.link != Link::kSubset) {
          const std::uint64_t others_high =
              high == kUnbounded || b[p].high == kUnbounded ? kUnbounded : high - b[p].high;
          if (others_high != kUnbounded) lower(b[p], sub_floor(t.low, others_high), narrowed);
        }
      }
    }
    if (std::any_of(b.begin(), b.end(), [](const Bounds& x) { return x.low > x.high; })) return;
  }
}

std::vector<Bounds> attacker_bounds(const std::vector<Cell>& cells,
                                    const std::vector<Relation>& relations) {
  std::vector<Bounds> b(cells.size());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    switch (cells[i].withheld) {
      case Withheld::kShown:
        b[i] = {cells[i].count, cells[i].count};
        break;
      case Withheld::kSmall:
        b[i] = {1, kSmallCount - 1};
        break;
      case Withheld::kComplementary:
        b[i] = {kSmallCount, kUnbounded};
        break;
    }
  }
  narrow(b, relations);
  return b;
}

void suppress_small_counts(std::vector<Cell>& cells, const std::vector<Relation>& sums) {
  for (auto& c : cells) {
    if (c.count > 0 && c.count < kSmallCount) c.withheld = Withheld::kSmall;
  }
  // Each round withholds one more count where a small one is exposed; the
  // withheld set only grows, so this ends (at worst with all withheld).
  for (;;) {
    const auto bounds = attacker_bounds(cells, sums);
    const auto exposed = std::find_if(cells.begin(), cells.end(), [&](const Cell& c) {
      return c.withheld == Withheld::kSmall && pinned(bounds[&c - cells.data()]);
    });
    if (exposed == cells.end()) return;
    // Around the exposed count, or else around any withheld count the
    // attacker pins (a withheld total that gives the exposed count away),
    // withhold the smallest non-zero shown part of a sum, else its total.
    // Shown non-zero counts are 5 or more, so an "x" is never small.
    std::vector<std::size_t> around = {static_cast<std::size_t>(exposed - cells.begin())};
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (cells[i].withheld != Withheld::kShown && pinned(bounds[i])) around.push_back(i);
    }
    // Parts before totals: withholding a total reaches further (it is a part
    // or a base elsewhere), and the leak is usually a part shown beside it.
    auto holds = [](const Relation& s, std::size_t cell) {
      return s.total == cell || std::find(s.parts.begin(), s.parts.end(), cell) != s.parts.end();
    };
    std::optional<std::size_t> pick;
    for (auto cell : around) {
      for (const auto& s : sums) {
        if (!holds(s, cell)) continue;
        for (auto p : s.parts) {
          if (cells[p].withheld != Withheld::kShown || cells[p].count == 0) continue;
          if (!pick || cells[p].count < cells[*pick].count) pick = p;
        }
      }
      if (pick) break;
    }
    for (std::size_t i = 0; i < around.size() && !pick; ++i) {
      for (const auto& s : sums) {
        if (holds(s, around[i]) && cells[s.total].withheld == Withheld::kShown) {
          pick = s.total;
          break;
        }
      }
    }
    if (!pick) {
      // Not expected (a shown total of 5 or more always has a shown part to
      // spare), but never publish an exposed count: withhold every count.
      for (auto& c : cells) {
        if (c.withheld == Withheld::kShown && c.count > 0) c.withheld = Withheld::kComplementary;
      }
      return;
    }
    cells[*pick].withheld = Withheld::kComplementary;
  }
}

}  // namespace hubtable::domain
