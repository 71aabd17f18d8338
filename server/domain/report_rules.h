#pragma once
// The rules behind reports, with no I/O: quantiles, the bands figures are
// grouped in, what counts as overdue, and the small-cell suppression of the
// open-data report.
//
// Suppression (docs/REPORTS.md has the rule for readers):
//  1. Primary: a count from 1 to 4 is withheld ("<5"). Zeros are shown.
//  2. Complementary: counts are linked by every relation the published
//     figures satisfy (Relation below): sums (the lines of a breakdown add
//     up to its base; a base is itself a line of another breakdown; the
//     months add up to the total), covers (a risk category counts each
//     situation once for any of its factors: at least each factor, at most
//     their sum; the accepted situations, each with at least one factor)
//     and subsets (a line of a multi-valued breakdown is at most its base).
//     An attacker who knows the rule knows each "<5" is 1..4 and each "x" is
//     5 or more, and narrows every withheld count through every relation,
//     repeatedly. While that pins down any "<5" count to one value, one more
//     count is withheld ("x"): the smallest non-zero shown part of a
//     relation holding the exposed count, else of one holding a withheld
//     count the attacker pins, and only then a relation's total (a total is
//     a base elsewhere: withholding it spreads).

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace hubtable::domain {

/// The q-quantile (0 <= q <= 1) of `values`, which it reorders: linear
/// interpolation between the closest ranks (the median of 1, 2, 3, 4 is
/// 2.5). 0 when there are none.
double quantile(std::vector<std::int64_t>& values, double q);

/// The band of an open situation's age (days since acceptance): "0-7",
/// "8-30", "31-90", "91+".
std::string_view open_age_band(std::int64_t age_us);
/// Every open-age band, in order.
const std::vector<std::string_view>& open_age_bands();

/// The band of the time from acceptance to intervention, in hours: "0-24",
/// "24-48", "48-72", "72+" (a band holds its upper bound: 24 h is "0-24").
std::string_view intervention_hours_band(std::int64_t elapsed_us);

/// A deadline missed: done after it, or not done and `as_of` past it. False
/// when there was no deadline.
bool overdue(std::optional<std::int64_t> due_us, std::optional<std::int64_t> done_us,
             std::int64_t as_of_us);

/// Counts under this are withheld from public reports.
inline constexpr std::uint64_t kSmallCount = 5;
/// Intervention times are published only over at least this many.
inline constexpr std::uint64_t kMinTimedInterventions = 10;

enum class Withheld { kShown, kSmall, kComplementary };

struct Cell {
  std::uint64_t count = 0;
  Withheld withheld = Withheld::kShown;
};

/// How cells[total] stands to cells[parts].
enum class Link {
  kSum,     // total == the parts' sum
  kCover,   // every part <= total <= the parts' sum (overlapping subsets that cover it)
  kSubset,  // every part <= total (overlapping subsets)
};

struct Relation {
  std::size_t total = 0;
  std::vector<std::size_t> parts;
  Link link = Link::kSum;
};

/// Applies the rule above to `cells` (counts kept; `withheld` set).
void suppress_small_counts(std::vector<Cell>& cells, const std::vector<Relation>& relations);

/// What the attacker described above learns: for each cell the bounds
/// [low, high] it can prove from the shown counts, the markers and the
/// relations. low > high for some cell means the cells cannot satisfy them.
struct Bounds {
  std::uint64_t low = 0;
  std::uint64_t high = 0;
};
std::vector<Bounds> attacker_bounds(const std::vector<Cell>& cells,
                                    const std::vector<Relation>& relations);

/// The same propagation from given bounds (a shown cell is [n, n]).
void narrow(std::vector<Bounds>& bounds, const std::vector<Relation>& relations);

}  // namespace hubtable::domain
