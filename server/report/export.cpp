#include <algorithm>
#include <set>

#include "absl/time/time.h"
#include "domain/report_rules.h"
#include "report/context.h"
#include "report/report.h"

namespace hubtable::report {

namespace v1 = hubtable::v1;

namespace {

// Codes in order, as the export's columns list them.
template <typename Add>
void add_sorted(const std::vector<std::string_view>& codes, Add add) {
  std::vector<std::string_view> sorted(codes);
  std::sort(sorted.begin(), sorted.end());
  for (auto code : sorted) add(std::string(code));
}

/// The codes of an accepted situation's row, its risk categories and its
/// assisting agencies' sectors.
void add_codes(const ReportContext& ctx, const store::SituationFacts& f, v1::ExportRow& r) {
  std::set<std::string> categories;
  add_sorted(f.risk_factors, [&](std::string code) {
    auto it = ctx.category_of.find(code);
    if (it != ctx.category_of.end()) categories.insert(it->second);
    r.add_risk_factors(std::move(code));
  });
  for (const auto& cat : categories) r.add_risk_categories(cat);
  add_sorted(f.protective_factors,
             [&](std::string code) { r.add_protective_factors(std::move(code)); });
  add_sorted(f.study_flags, [&](std::string code) { r.add_study_flags(std::move(code)); });
  add_sorted(f.services, [&](std::string code) { r.add_services(std::move(code)); });
  std::set<std::string> sectors;
  for (auto a : f.assisting_agencies) sectors.insert(std::string(sector_of(ctx.agencies, a)));
  for (const auto& s : sectors) r.add_assisting_sectors(s);
}

}  // namespace

absl::StatusOr<std::vector<v1::ExportRow>> build_export_page(store::Connection& c,
                                                             const ReportQuery& q,
                                                             const crypto::Vault& vault,
                                                             std::uint64_t offset,
                                                             std::uint32_t limit, bool& more) {
  auto ctx = ReportContext::load(c, q.tables);
  if (!ctx.ok()) return ctx.status();
  const auto& agencies = ctx->agencies;

  std::vector<v1::ExportRow> rows;
  more = false;
  std::uint64_t skip = offset;
  for (const auto& t : q.tables) {
    absl::TimeZone tz;
    if (!absl::LoadTimeZone(t.time_zone, &tz)) tz = absl::UTCTimeZone();
    auto month = [&](std::int64_t us) {
      return month_text(absl::CivilMonth(absl::ToCivilSecond(absl::FromUnixMicros(us), tz)));
    };
    // One more than asked, to know whether rows follow.
    const std::uint64_t want = limit + 1 - rows.size();
    std::uint64_t seen = 0;
    auto st = store::report_situation_page(
        c, {t.id, q.from_us, q.to_us}, skip, want, [&](const store::SituationFacts& f) {
          ++seen;
          v1::ExportRow r;
          r.set_record("R-" + crypto::to_hex(vault.export_pseudonym(f.id)).substr(0, 16));
          r.set_table(t.code);
          r.set_submitted_month(month(f.submitted_us));
          r.set_originating_sector(std::string(sector_of(agencies, f.originating_agency_id)));
          r.set_situation_type(std::string(f.situation_type));
          // Only an accepted situation describes someone: one awaiting a
          // decision has not passed Filter 2, and a rejected or withdrawn one
          // keeps its date, agency, type and reason only.
          const bool accepted = domain::was_accepted(f.state);
          if (accepted) {
            r.set_age_band(std::string(f.age_band));
            r.set_gender(std::string(f.gender));
          }
          r.set_decision(std::string(decision_code(f.state)));
          r.set_rejection_reason(std::string(f.rejection_reason));
          if (f.decided_us) r.set_decided_month(month(*f.decided_us));
          if (f.lead_agency_id != 0) {
            r.set_lead_sector(std::string(sector_of(agencies, f.lead_agency_id)));
          }
          if (f.intervened_us) {
            r.set_intervention_hours_band(std::string(domain::intervention_hours_band(
                *f.intervened_us - f.decided_us.value_or(f.submitted_us))));
          }
          r.set_intervention_outcome(std::string(f.outcome));
          r.set_closure_reason(std::string(f.closure_reason));
          if (f.closed_us) r.set_closed_month(month(*f.closed_us));
          if (accepted) add_codes(*ctx, f, r);
          rows.push_back(std::move(r));
        });
    if (!st.ok()) return st;
    if (rows.size() > limit) {
      rows.pop_back();
      more = true;
      return rows;
    }
    // This table's rows are used up: the offset carries into the next.
    if (seen == 0) {
      auto count = store::count_report_situations(c, {t.id, q.from_us, q.to_us});
      if (!count.ok()) return count.status();
      skip = skip > *count ? skip - *count : 0;
    } else {
      skip = 0;
    }
  }
  return rows;
}

}  // namespace hubtable::report
