#include "report/public_view.h"

#include <vector>

#include "domain/report_rules.h"
#include "report/context.h"

namespace hubtable::report {

namespace v1 = hubtable::v1;
using domain::SituationState;

namespace {

v1::Suppression to_wire(domain::Withheld w) {
  switch (w) {
    case domain::Withheld::kSmall:
      return v1::SMALL;
    case domain::Withheld::kComplementary:
      return v1::COMPLEMENTARY;
    case domain::Withheld::kShown:
      break;
  }
  return v1::SHOWN;
}

// Every accepted situation has at least one risk factor, so at least one
// category: these multi-valued breakdowns cover their base.
bool covers_its_base(const std::string& key) {
  return key == "risk_categories" || key == "risk_factors";
}

}  // namespace

// The public version: every count becomes a cell, and every relation the
// figures satisfy a domain::Relation (the attacker knows them all): the
// lines of a breakdown add up to its base, or, where a situation counts on
// several lines, each is at most the base (and together at least it, for
// risk factors and categories); a risk category lies between its largest
// factor and the sum of its factors; the months add up to the totals. Then
// withheld counts read 0.
// Long because it names every relation in one place: an attacker knows
// them all, and a relation left out is a count that can be worked out.
void suppress(v1::ReportSummary& s,
              const std::map<std::string, std::string, std::less<>>& category_of) {
  std::vector<domain::Cell> cells;
  std::vector<domain::Relation> sums;
  std::map<std::string, std::size_t> named;
  auto cell = [&](std::uint64_t count) {
    cells.push_back({count, domain::Withheld::kShown});
    return cells.size() - 1;
  };
  struct Place {
    std::size_t base;
    std::vector<std::size_t> rows;
  };
  std::vector<Place> places;
  for (const auto& b : s.breakdowns()) {
    Place p;
    auto it = b.base_of().empty() ? named.end() : named.find(b.base_of());
    p.base = it != named.end() ? it->second : cell(b.base());
    if (b.base_of().empty()) named[b.key()] = p.base;
    for (const auto& r : b.rows()) {
      p.rows.push_back(cell(r.count()));
      named[b.key() + ":" + r.code()] = p.rows.back();
    }
    const domain::Link link = !b.multi()                 ? domain::Link::kSum
                              : covers_its_base(b.key()) ? domain::Link::kCover
                                                         : domain::Link::kSubset;
    sums.push_back({p.base, p.rows, link});
    places.push_back(std::move(p));
  }
  // Each risk category and the factors that belong to it.
  std::map<std::string, domain::Relation> categories;
  for (const auto& b : s.breakdowns()) {
    if (b.key() != "risk_factors") continue;
    for (const auto& r : b.rows()) {
      auto c = category_of.find(r.code());
      const std::string category = c == category_of.end() ? "" : c->second;
      auto line = named.find("risk_categories:" + category);
      if (line == named.end()) continue;
      auto& rel = categories[category];
      rel.total = line->second;
      rel.link = domain::Link::kCover;
      rel.parts.push_back(named["risk_factors:" + r.code()]);
    }
  }
  for (auto& [code, rel] : categories) sums.push_back(std::move(rel));
  domain::Relation submitted{named.count("decisions") ? named["decisions"] : cell(0), {}};
  const std::string accepted_cell = decision_cell(SituationState::kAccepted);
  domain::Relation accepted{named.count(accepted_cell) ? named[accepted_cell] : cell(0), {}};
  std::vector<std::pair<std::size_t, std::size_t>> month_cells;
  for (const auto& m : s.months()) {
    month_cells.emplace_back(cell(m.submitted()), cell(m.accepted()));
    submitted.parts.push_back(month_cells.back().first);
    accepted.parts.push_back(month_cells.back().second);
  }
  sums.push_back(submitted);
  sums.push_back(accepted);
  domain::suppress_small_counts(cells, sums);

  auto shown = [&](std::size_t i) { return cells[i].withheld == domain::Withheld::kShown; };
  for (int i = 0; i < s.breakdowns_size(); ++i) {
    auto* b = s.mutable_breakdowns(i);
    const auto& p = places[static_cast<std::size_t>(i)];
    b->set_base_suppressed(to_wire(cells[p.base].withheld));
    if (!shown(p.base)) b->set_base(0);
    for (int r = 0; r < b->rows_size(); ++r) {
      const auto idx = p.rows[static_cast<std::size_t>(r)];
      b->mutable_rows(r)->set_suppressed(to_wire(cells[idx].withheld));
      if (!shown(idx)) b->mutable_rows(r)->set_count(0);
    }
  }
  for (int i = 0; i < s.months_size(); ++i) {
    auto* m = s.mutable_months(i);
    const auto [sub, acc] = month_cells[static_cast<std::size_t>(i)];
    m->set_submitted_suppressed(to_wire(cells[sub].withheld));
    m->set_accepted_suppressed(to_wire(cells[acc].withheld));
    if (!shown(sub)) m->set_submitted(0);
    if (!shown(acc)) m->set_accepted(0);
  }
  auto* timing = s.mutable_timing();
  const auto intervened_cell = named.find("intervention:INTERVENED");
  if (timing->intervened() < domain::kMinTimedInterventions || intervened_cell == named.end() ||
      !shown(intervened_cell->second)) {
    timing->set_suppressed(true);
    timing->set_intervened(0);
    timing->set_median_hours(0);
    timing->set_p90_hours(0);
  }
  s.clear_agencies();
  s.set_total_leads(0);
}

}  // namespace hubtable::report
