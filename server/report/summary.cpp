#include <algorithm>
#include <array>
#include <bit>
#include <functional>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/report_rules.h"
#include "report/context.h"
#include "report/public_view.h"
#include "report/report.h"
#include "store/reports.h"

namespace hubtable::report {

namespace v1 = hubtable::v1;

namespace {

constexpr std::int64_t kHourUs = std::int64_t{3600} * 1000 * 1000;

absl::string_view absl_view(std::string_view s) { return {s.data(), s.size()}; }

// Counts by code (the order of lines comes from the vocabulary).
struct Tallies {
  Tallies() = default;
  Tallies(const Tallies&) = delete;  // last_ points into counts
  Tallies& operator=(const Tallies&) = delete;

  absl::flat_hash_map<std::string, std::uint64_t> counts;
  void add(std::string_view code, std::uint64_t n = 1) {
    // Consecutive rows often repeat a code: compare before hashing.
    if (last_ != nullptr && last_->first == code) {
      last_->second += n;
      return;
    }
    auto it = counts.find(absl_view(code));
    if (it == counts.end()) it = counts.emplace(std::string(code), 0).first;  // may move entries
    it->second += n;
    last_ = &*it;
  }
  std::uint64_t get(const std::string& code) const {
    auto it = counts.find(code);
    return it == counts.end() ? 0 : it->second;
  }

 private:
  std::pair<const std::string, std::uint64_t>* last_ = nullptr;
};

struct RowSpec {
  std::string code;
  std::string label;
};

// Lines for a vocabulary kind: every live entry (zeros included, so a
// reader sees what was looked for), retired ones only when counted, then
// codes found that the vocabulary no longer has.
std::vector<RowSpec> vocabulary_rows(const Labels& labels, const std::string& kind,
                                     const Tallies& t) {
  std::vector<RowSpec> rows;
  std::set<std::string> seen;
  for (const auto& e : labels.of(kind)) {
    if (e.retired && t.get(e.code) == 0) continue;
    rows.push_back({e.code, e.label});
    seen.insert(e.code);
  }
  std::vector<std::string> others;
  for (const auto& [code, n] : t.counts) {
    if (!seen.count(code)) others.push_back(code);
  }
  std::sort(others.begin(), others.end());
  for (auto& code : others) rows.push_back({code, code.empty() ? "(not recorded)" : code});
  return rows;
}

void add_breakdown(v1::ReportSummary& out, const std::string& key, const std::string& title,
                   const std::string& base_of, const std::string& base_label, std::uint64_t base,
                   bool multi, const std::vector<RowSpec>& rows, const Tallies& t) {
  auto* b = out.add_breakdowns();
  b->set_key(key);
  b->set_title(title);
  b->set_base_of(base_of);
  b->set_base_label(base_label);
  b->set_base(base);
  b->set_multi(multi);
  for (const auto& r : rows) {
    auto* row = b->add_rows();
    row->set_code(r.code);
    row->set_label(r.label);
    row->set_count(t.get(r.code));
  }
}

struct AgencyTally {
  std::set<std::string> meetings;
  std::map<std::int64_t, std::uint32_t> by_person;
  std::uint64_t leads = 0;
  std::uint64_t assisting = 0;
  std::uint64_t overdue_acks = 0;
  std::uint64_t overdue_interventions = 0;
};

// Codes numbered as they are met, to keep a situation's distinct categories
// and sectors as bits (28 categories and 21 sectors by default).
class Ordinals {
 public:
  absl::StatusOr<std::size_t> of(std::string_view code) {
    auto it = index_.find(absl_view(code));
    if (it != index_.end()) return it->second;
    if (names_.size() == kMax) {
      return absl::FailedPreconditionError("more than 64 risk categories or sectors");
    }
    index_.emplace(std::string(code), names_.size());
    names_.emplace_back(code);
    return names_.size() - 1;
  }
  // Counts each ordinal whose bit is set: a situation counted once per
  // category or sector however many of its factors or agencies share it.
  void count(std::uint64_t bits) {
    for (; bits != 0; bits &= bits - 1) ++counts_[static_cast<std::size_t>(std::countr_zero(bits))];
  }
  void add_to(Tallies& t) const {
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (counts_[i] != 0) t.add(names_[i], counts_[i]);
    }
  }

 private:
  static constexpr std::size_t kMax = 64;
  absl::flat_hash_map<std::string, std::size_t> index_;
  std::vector<std::string> names_;
  std::array<std::uint64_t, kMax> counts_{};
};

// A risk factor's count and its category's ordinal, found in one lookup.
struct Factor {
  std::uint64_t count = 0;
  std::size_t category = 0;
};

// Everything counted over the situations, codes and attendance.
struct Accumulator {
  Tallies decisions, rejection, accepted_status, open_age, types, ages, genders, originating, leads,
      intervention, target, outcomes, closure, categories, factors, protective, flags, assisting,
      services, closure_protective;
  std::uint64_t submitted = 0;
  std::uint64_t accepted = 0;
  std::uint64_t closed = 0;
  std::uint64_t open = 0;
  std::uint64_t intervened = 0;
  std::vector<std::int64_t> hours_us;
  std::map<absl::CivilMonth, std::pair<std::uint64_t, std::uint64_t>> months;
  std::map<std::pair<std::string, std::int64_t>, AgencyTally> agencies;  // (table, agency)
  std::set<int> targets;
  absl::flat_hash_map<std::string, Factor> factor_index;
  absl::flat_hash_map<std::int64_t, std::size_t> sector_ordinal;  // by agency
  Ordinals category_ordinals;
  Ordinals sector_ordinals;
};

using domain::SituationState;

// The codes, assisting agencies and outcome of an accepted situation (only
// an accepted situation describes anyone: one still awaiting a decision has
// not passed Filter 2).
absl::Status count_details(const store::SituationFacts& f,
                           const std::map<std::int64_t, store::AgencyFacts>& agencies,
                           const std::map<std::string, std::string, std::less<>>& category_of,
                           const std::function<AgencyTally&(std::int64_t)>& tally,
                           Accumulator& acc) {
  std::uint64_t categories = 0;
  for (auto code : f.risk_factors) {
    auto it = acc.factor_index.find(absl_view(code));
    if (it == acc.factor_index.end()) {
      auto cat = category_of.find(code);
      auto bit = acc.category_ordinals.of(cat == category_of.end() ? std::string_view()
                                                                   : std::string_view(cat->second));
      if (!bit.ok()) return bit.status();
      it = acc.factor_index.emplace(std::string(code), Factor{0, *bit}).first;
    }
    ++it->second.count;
    categories |= std::uint64_t{1} << it->second.category;
  }
  acc.category_ordinals.count(categories);
  for (auto code : f.protective_factors) acc.protective.add(code);
  for (auto code : f.study_flags) acc.flags.add(code);
  for (auto code : f.services) acc.services.add(code);
  for (auto code : f.closure_protective_factors) acc.closure_protective.add(code);
  std::uint64_t sectors = 0;
  for (auto agency : f.assisting_agencies) {
    auto it = acc.sector_ordinal.find(agency);
    if (it == acc.sector_ordinal.end()) {
      auto bit = acc.sector_ordinals.of(sector_of(agencies, agency));
      if (!bit.ok()) return bit.status();
      it = acc.sector_ordinal.emplace(agency, *bit).first;
    }
    sectors |= std::uint64_t{1} << it->second;
    ++tally(agency).assisting;
  }
  acc.sector_ordinals.count(sectors);
  if (!f.outcome.empty()) acc.outcomes.add(f.outcome);
  return absl::OkStatus();
}

// A table's situations in the period (one range of their reporting rows),
// its member agencies and its attendance. One pass over the rows, so one
// function: every figure, the codes' included (count_details), is counted in
// the same loop.
absl::Status count_situations(store::Connection& c, const ReportTable& t, const ReportQuery& q,
                              const std::map<std::int64_t, store::AgencyFacts>& agencies,
                              const std::map<std::string, std::string, std::less<>>& category_of,
                              Accumulator& acc) {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(t.time_zone, &tz)) tz = absl::UTCTimeZone();
  const store::ReportPeriod period{t.id, q.from_us, q.to_us};
  acc.targets.insert(t.intervention_hours);
  auto members = store::table_agency_ids(c, t.id);
  if (!members.ok()) return members.status();
  for (auto id : *members) acc.agencies[{t.code, id}];
  std::int64_t month_begin = 0;
  std::int64_t month_end = 0;
  std::pair<std::uint64_t, std::uint64_t>* month = nullptr;
  // This table's agencies (std::map nodes stay put).
  absl::flat_hash_map<std::int64_t, AgencyTally*> tallies;
  const std::function<AgencyTally&(std::int64_t)> tally = [&](std::int64_t agency) -> auto& {
    auto it = tallies.find(agency);
    if (it == tallies.end()) it = tallies.emplace(agency, &acc.agencies[{t.code, agency}]).first;
    return *it->second;
  };
  absl::Status failed;
  auto st = store::for_each_report_situation(c, period, [&](const store::SituationFacts& f) {
    if (!failed.ok()) return;
    ++acc.submitted;
    const bool accepted = domain::was_accepted(f.state);
    acc.decisions.add(decision_code(f.state));
    // Rows come in submission order: the month rarely changes.
    if (f.submitted_us < month_begin || f.submitted_us >= month_end) {
      const auto cm =
          absl::CivilMonth(absl::ToCivilSecond(absl::FromUnixMicros(f.submitted_us), tz));
      month_begin = absl::ToUnixMicros(absl::FromCivil(cm, tz));
      month_end = absl::ToUnixMicros(absl::FromCivil(cm + 1, tz));
      month = &acc.months[cm];
    }
    auto& m = *month;
    ++m.first;
    acc.originating.add(sector_of(agencies, f.originating_agency_id));
    if (f.state == SituationState::kRejected) acc.rejection.add(f.rejection_reason);
    if (!accepted) return;
    ++m.second;
    ++acc.accepted;
    acc.types.add(f.situation_type);
    acc.ages.add(f.age_band);
    acc.genders.add(f.gender);
    if (f.state == SituationState::kClosed) {
      ++acc.closed;
      acc.accepted_status.add(code(SituationState::kClosed));
      acc.closure.add(f.closure_reason);
    } else {
      ++acc.open;
      acc.accepted_status.add("OPEN");
      acc.open_age.add(domain::open_age_band(q.now_us - f.decided_us.value_or(f.submitted_us)));
    }
    if (f.lead_agency_id != 0) {
      acc.leads.add(sector_of(agencies, f.lead_agency_id));
      auto& a = tally(f.lead_agency_id);
      ++a.leads;
      const std::int64_t as_of = f.closed_us.value_or(q.now_us);
      if (domain::overdue(f.ack_due_us, f.acked_us, as_of)) ++a.overdue_acks;
      if (domain::overdue(f.intervention_due_us, f.intervened_us, as_of)) {
        ++a.overdue_interventions;
      }
    } else {
      acc.leads.add("NONE");
    }
    if (f.intervened_us) {
      ++acc.intervened;
      acc.intervention.add("INTERVENED");
      const std::int64_t elapsed = *f.intervened_us - f.decided_us.value_or(f.submitted_us);
      acc.hours_us.push_back(elapsed);
      acc.target.add(elapsed <= t.intervention_hours * kHourUs ? "WITHIN" : "LATE");
    } else {
      acc.intervention.add("NOT_YET");
    }
    failed = count_details(f, agencies, category_of, tally, acc);
  });
  if (!st.ok()) return st;
  if (!failed.ok()) return failed;
  // Attendance: the period's meetings (by planned start).
  return store::for_each_rep_attendance(c, period, [&](const store::AttendanceFact& f) {
    auto& a = acc.agencies[{t.code, f.agency_id}];
    a.meetings.emplace(f.meeting_id);
    ++a.by_person[f.user_id];
  });
}

absl::Status count_all(store::Connection& c, const ReportQuery& q,
                       const std::map<std::int64_t, store::AgencyFacts>& agencies,
                       const std::map<std::string, std::string, std::less<>>& category_of,
                       Accumulator& acc) {
  for (const auto& t : q.tables) {
    if (auto st = count_situations(c, t, q, agencies, category_of, acc); !st.ok()) return st;
  }
  for (const auto& [code, f] : acc.factor_index) acc.factors.add(code, f.count);
  acc.category_ordinals.add_to(acc.categories);
  acc.sector_ordinals.add_to(acc.assisting);
  return absl::OkStatus();
}

std::vector<RowSpec> fixed_rows(
    std::initializer_list<std::pair<std::string_view, const char*>> rows) {
  std::vector<RowSpec> out;
  for (const auto& [row, label] : rows) out.push_back({std::string(row), label});
  return out;
}

std::vector<RowSpec> sector_rows(const Labels& labels, const Tallies& t, bool with_none) {
  auto rows = vocabulary_rows(labels, "sector", t);
  // "NONE" (no lead yet) goes last, after the sectors.
  rows.erase(
      std::remove_if(rows.begin(), rows.end(), [](const RowSpec& r) { return r.code == "NONE"; }),
      rows.end());
  if (with_none) rows.push_back({"NONE", "No lead named yet"});
  return rows;
}

void add_breakdowns(v1::ReportSummary& out, const Labels& labels, const Accumulator& a) {
  add_breakdown(out, "decisions", "Situations submitted, by decision", "", "submitted", a.submitted,
                false,
                fixed_rows({{code(SituationState::kAccepted), "Accepted (acutely elevated risk)"},
                            {code(SituationState::kRejected), "Rejected"},
                            {code(SituationState::kWithdrawn), "Withdrawn"},
                            {code(SituationState::kAwaitingDecision), "Awaiting a decision"}}),
                a.decisions);
  const std::uint64_t rejected = a.decisions.get(std::string(code(SituationState::kRejected)));
  const std::string accepted_cell = decision_cell(SituationState::kAccepted);
  add_breakdown(out, "rejection_reasons", "Rejected situations, by reason",
                decision_cell(SituationState::kRejected), "rejected", rejected, false,
                vocabulary_rows(labels, "rejection_reason", a.rejection), a.rejection);
  add_breakdown(out, "originating_sectors", "Situations submitted, by originating sector",
                "decisions", "submitted", a.submitted, false,
                sector_rows(labels, a.originating, false), a.originating);
  auto accepted_breakdown = [&](const std::string& key, const std::string& title,
                                const std::string& kind, bool multi, const Tallies& t) {
    add_breakdown(out, key, title, accepted_cell, "accepted", a.accepted, multi,
                  vocabulary_rows(labels, kind, t), t);
  };
  accepted_breakdown("situation_types", "Accepted situations, by type", "situation_type", false,
                     a.types);
  accepted_breakdown("age_bands", "Accepted situations, by age band", "age_band", false, a.ages);
  accepted_breakdown("genders", "Accepted situations, by gender", "gender", false, a.genders);
  accepted_breakdown("risk_categories", "Risk categories (situations with any factor of each)",
                     "risk_category", true, a.categories);
  accepted_breakdown("risk_factors", "Risk factors", "risk_factor", true, a.factors);
  accepted_breakdown("protective_factors", "Protective factors at submission", "protective_factor",
                     true, a.protective);
  accepted_breakdown("study_flags", "Study flags", "study_flag", true, a.flags);
  add_breakdown(out, "lead_sectors", "Accepted situations, by lead agency's sector", accepted_cell,
                "accepted", a.accepted, false, sector_rows(labels, a.leads, true), a.leads);
  add_breakdown(out, "assisting_sectors", "Assisting agencies' sectors (situations each assisted)",
                accepted_cell, "accepted", a.accepted, true,
                sector_rows(labels, a.assisting, false), a.assisting);
  add_breakdown(out, "accepted_status", "Accepted situations, open or closed", accepted_cell,
                "accepted", a.accepted, false,
                fixed_rows({{"OPEN", "Open"}, {code(SituationState::kClosed), "Closed"}}),
                a.accepted_status);
  std::vector<RowSpec> ages;
  for (auto band : domain::open_age_bands()) {
    ages.push_back({std::string(band), std::string(band) + " days since acceptance"});
  }
  add_breakdown(out, "open_age", "Open situations, by age", "accepted_status:OPEN", "open", a.open,
                false, ages, a.open_age);
  add_breakdown(out, "intervention", "Accepted situations, intervention", accepted_cell, "accepted",
                a.accepted, false,
                fixed_rows({{"INTERVENED", "Intervention recorded"}, {"NOT_YET", "Not yet"}}),
                a.intervention);
  add_breakdown(out, "intervention_target", "Interventions, acceptance to intervention",
                "intervention:INTERVENED", "intervened", a.intervened, false,
                fixed_rows({{"WITHIN", "Within the target"}, {"LATE", "After the target"}}),
                a.target);
  add_breakdown(out, "intervention_outcomes", "Interventions, by outcome",
                "intervention:INTERVENED", "intervened", a.intervened, false,
                vocabulary_rows(labels, "intervention_outcome", a.outcomes), a.outcomes);
  add_breakdown(out, "closure_reasons", "Closed situations, by reason", "accepted_status:CLOSED",
                "closed", a.closed, false, vocabulary_rows(labels, "closure_reason", a.closure),
                a.closure);
  add_breakdown(out, "services", "Services mobilized", "accepted_status:CLOSED", "closed", a.closed,
                true, vocabulary_rows(labels, "service", a.services), a.services);
  add_breakdown(out, "closure_protective_factors", "Protective factors at closure",
                "accepted_status:CLOSED", "closed", a.closed, true,
                vocabulary_rows(labels, "protective_factor", a.closure_protective),
                a.closure_protective);
}

}  // namespace

absl::StatusOr<v1::ReportSummary> build_summary(store::Connection& c, const ReportQuery& q) {
  auto ctx = ReportContext::load(c, q.tables);
  if (!ctx.ok()) return ctx.status();
  const auto& labels = ctx->labels;
  const auto& agencies = ctx->agencies;
  const auto& category_of = ctx->category_of;

  Accumulator acc;
  if (auto st = count_all(c, q, agencies, category_of, acc); !st.ok()) return st;
  std::map<std::string, std::uint32_t> held;
  for (const auto& t : q.tables) {
    auto n = store::meetings_held(c, {t.id, q.from_us, q.to_us});
    if (!n.ok()) return n.status();
    held[t.code] = *n;
  }

  v1::ReportSummary out;
  for (const auto& t : q.tables) out.add_tables(t.code);
  out.set_from_us(q.from_us);
  out.set_to_us(q.to_us);
  out.set_generated_us(q.now_us);
  out.set_public_view(q.public_view);
  add_breakdowns(out, labels, acc);

  auto* timing = out.mutable_timing();
  timing->set_intervened(acc.intervened);
  timing->set_median_hours(domain::quantile(acc.hours_us, 0.5) / static_cast<double>(kHourUs));
  timing->set_p90_hours(domain::quantile(acc.hours_us, 0.9) / static_cast<double>(kHourUs));
  timing->set_target_hours(
      acc.targets.size() == 1 ? static_cast<std::uint32_t>(*acc.targets.begin()) : 0);

  if (!acc.months.empty()) {
    for (auto m = acc.months.begin()->first; m <= acc.months.rbegin()->first; ++m) {
      auto* mc = out.add_months();
      mc->set_month(month_text(m));
      auto it = acc.months.find(m);
      if (it == acc.months.end()) continue;
      mc->set_submitted(it->second.first);
      mc->set_accepted(it->second.second);
    }
  }

  std::uint64_t total_leads = 0;
  for (const auto& [key, a] : acc.agencies) {
    auto* h = out.add_agencies();
    h->set_table(key.first);
    auto it = agencies.find(key.second);
    if (it != agencies.end()) {
      h->set_agency(it->second.code);
      h->set_name(it->second.name);
      h->set_sector(it->second.sector);
    }
    h->set_meetings_held(held[key.first]);
    h->set_meetings_attended(static_cast<std::uint32_t>(a.meetings.size()));
    h->set_attendees(static_cast<std::uint32_t>(a.by_person.size()));
    std::uint32_t regular = 0;
    for (const auto& [person, n] : a.by_person) regular = std::max(regular, n);
    h->set_regular_attended(regular);
    h->set_leads(a.leads);
    h->set_assisting(a.assisting);
    h->set_overdue_acks(a.overdue_acks);
    h->set_overdue_interventions(a.overdue_interventions);
    total_leads += a.leads;
  }
  std::sort(out.mutable_agencies()->begin(), out.mutable_agencies()->end(),
            [](const v1::AgencyHealth& a, const v1::AgencyHealth& b) {
              return std::tie(a.table(), a.agency()) < std::tie(b.table(), b.agency());
            });
  out.set_total_leads(total_leads);
  if (q.public_view) suppress(out, category_of);
  return out;
}

}  // namespace hubtable::report
