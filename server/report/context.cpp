#include "report/context.h"

#include <algorithm>
#include <cstdio>

#include "store/vocabulary.h"

namespace hubtable::report {

absl::StatusOr<Labels> Labels::load(store::Connection& c, const std::vector<ReportTable>& tables) {
  store::VocabularyQuery q;
  for (const auto& t : tables) q.table_codes.push_back(t.code);
  q.include_retired = true;
  auto rows = store::list_vocabulary(c, q);
  if (!rows.ok()) return rows.status();
  Labels l;
  for (auto& r : *rows) {
    auto& list = l.by_kind_[r.kind];
    if (std::any_of(list.begin(), list.end(), [&](const Entry& e) { return e.code == r.code; })) {
      continue;  // the same code added by two tables
    }
    list.push_back({r.code, r.label, r.parent, r.retired});
  }
  return l;
}

const std::vector<Entry>& Labels::of(const std::string& kind) const {
  static const std::vector<Entry> kNone;
  auto it = by_kind_.find(kind);
  return it == by_kind_.end() ? kNone : it->second;
}

std::map<std::string, std::string, std::less<>> Labels::parents(const std::string& kind) const {
  std::map<std::string, std::string, std::less<>> out;
  for (const auto& e : of(kind)) out[e.code] = e.parent;
  return out;
}

absl::StatusOr<ReportContext> ReportContext::load(store::Connection& c,
                                                  const std::vector<ReportTable>& tables) {
  auto labels = Labels::load(c, tables);
  if (!labels.ok()) return labels.status();
  auto list = store::list_agencies(c);
  if (!list.ok()) return list.status();
  ReportContext ctx{std::move(*labels), {}, {}};
  for (auto& a : *list) ctx.agencies.emplace(a.id, std::move(a));
  ctx.category_of = ctx.labels.parents("risk_factor");
  return ctx;
}

std::string month_text(absl::CivilMonth m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", static_cast<int>(m.year()), m.month());
  return buf;
}

std::string_view code(domain::SituationState s) { return domain::state_name(s); }

std::string decision_cell(domain::SituationState s) { return "decisions:" + std::string(code(s)); }

std::string_view decision_code(domain::SituationState s) {
  return code(domain::was_accepted(s) ? domain::SituationState::kAccepted : s);
}

std::string_view sector_of(const std::map<std::int64_t, store::AgencyFacts>& agencies,
                           std::int64_t id) {
  auto it = agencies.find(id);
  return it == agencies.end() ? std::string_view("UNKNOWN") : std::string_view(it->second.sector);
}

}  // namespace hubtable::report
