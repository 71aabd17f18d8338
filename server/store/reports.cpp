#include "store/reports.h"

#include <charconv>

#include "store/situation_state.h"

namespace hubtable::store {

namespace {

// The period's situations: one range of situation_reports' key.
constexpr const char* kInPeriod = "table_id = ?1 AND submitted_us >= ?2 AND submitted_us < ?3";

absl::StatusOr<Statement> prepare_in_period(Connection& c, const std::string& sql,
                                            const ReportPeriod& p) {
  auto q = c.prepare(sql);
  if (!q.ok()) return q.status();
  q->bind(1, p.table_id).bind(2, p.from_us).bind(3, p.to_us);
  return q;
}

// The first column of a one-row query (a count, a maximum; NULL reads 0).
absl::StatusOr<std::uint64_t> single_number(absl::StatusOr<Statement> q) {
  if (!q.ok()) return q.status();
  auto row = q->step();
  if (!row.ok()) return row.status();
  return static_cast<std::uint64_t>(*row && !q->is_null(0) ? q->integer(0) : 0);
}

// A list of the reporting row: codes separated by char(31), agency ids by
// ','; NULL (empty) holds none.
void split_codes(std::string_view list, std::vector<std::string_view>& out) {
  out.clear();
  if (list.empty()) return;
  for (std::size_t begin = 0;;) {
    const auto end = list.find('\x1f', begin);
    out.push_back(list.substr(begin, end - begin));
    if (end == std::string_view::npos) return;
    begin = end + 1;
  }
}

absl::Status split_agencies(std::string_view list, std::vector<std::int64_t>& out) {
  out.clear();
  const char* p = list.data();
  const char* const last = p + list.size();
  while (p != last) {
    std::int64_t id = 0;
    auto [next, error] = std::from_chars(p, last, id);
    if (error != std::errc() || (next != last && *next != ',')) {
      return absl::DataLossError("a reporting row's assisting agencies are not a list of ids");
    }
    out.push_back(id);
    p = next == last ? last : next + 1;
  }
  return absl::OkStatus();
}

absl::Status visit_situations(Connection& c, const ReportPeriod& p, const SituationVisitor& visit,
                              std::int64_t offset, std::int64_t limit) {
  auto q = prepare_in_period(
      c,
      std::string("SELECT id, submitted_us, state, situation_type, age_band, gender, "
                  "originating_agency_id, decided_us, rejection_reason, intervened_us, outcome, "
                  "lead_agency_id, ack_due_us, acked_us, intervention_due_us, closed_us, "
                  "closure_reason, risk_factors, protective_factors, study_flags, services, "
                  "closure_protective_factors, assisting_agencies FROM situation_reports WHERE ") +
          kInPeriod + " ORDER BY submitted_us, id LIMIT ?4 OFFSET ?5",
      p);
  if (!q.ok()) return q.status();
  q->bind(4, limit).bind(5, offset);
  SituationFacts f;
  absl::Status bad;
  auto st = q->for_each_row([&](const Statement& r) {
    if (!bad.ok()) return;
    f.id = r.text_view(0);
    f.submitted_us = r.integer(1);
    f.state = state_at(r, 2);
    f.situation_type = r.text_view(3);
    f.age_band = r.text_view(4);
    f.gender = r.text_view(5);
    f.originating_agency_id = r.integer(6);
    f.decided_us = r.optional_integer(7);
    f.rejection_reason = r.text_view(8);
    f.intervened_us = r.optional_integer(9);
    f.outcome = r.text_view(10);
    f.lead_agency_id = r.is_null(11) ? 0 : r.integer(11);
    f.ack_due_us = r.optional_integer(12);
    f.acked_us = r.optional_integer(13);
    f.intervention_due_us = r.optional_integer(14);
    f.closed_us = r.optional_integer(15);
    f.closure_reason = r.text_view(16);
    split_codes(r.text_view(17), f.risk_factors);
    split_codes(r.text_view(18), f.protective_factors);
    split_codes(r.text_view(19), f.study_flags);
    split_codes(r.text_view(20), f.services);
    split_codes(r.text_view(21), f.closure_protective_factors);
    bad = split_agencies(r.text_view(22), f.assisting_agencies);
    if (bad.ok()) visit(f);
  });
  if (!st.ok()) return st;
  return bad;
}

}  // namespace

absl::Status for_each_report_situation(Connection& c, const ReportPeriod& p,
                                       const SituationVisitor& visit) {
  return visit_situations(c, p, visit, 0, -1);
}

absl::StatusOr<std::uint64_t> count_report_situations(Connection& c, const ReportPeriod& p) {
  return single_number(prepare_in_period(
      c, std::string("SELECT count(*) FROM situation_reports WHERE ") + kInPeriod, p));
}

absl::Status report_situation_page(Connection& c, const ReportPeriod& p, std::uint64_t offset,
                                   std::uint64_t limit, const SituationVisitor& visit) {
  return visit_situations(c, p, visit, static_cast<std::int64_t>(offset),
                          static_cast<std::int64_t>(limit));
}

absl::StatusOr<std::uint64_t> stale_report_rows(Connection& c) {
  return single_number(
      c.prepare("SELECT count(*) FROM ("
                "SELECT id FROM (SELECT * FROM situation_reports EXCEPT SELECT * FROM "
                "situation_report_source) "
                "UNION "
                "SELECT id FROM (SELECT * FROM situation_report_source EXCEPT SELECT * FROM "
                "situation_reports))"));
}

absl::StatusOr<std::uint32_t> meetings_held(Connection& c, const ReportPeriod& p) {
  auto n = single_number(prepare_in_period(
      c,
      "SELECT count(*) FROM meetings WHERE table_id = ?1 AND scheduled_start_us >= ?2 "
      "AND scheduled_start_us < ?3",
      p));
  if (!n.ok()) return n.status();
  return static_cast<std::uint32_t>(*n);
}

absl::Status for_each_rep_attendance(Connection& c, const ReportPeriod& p,
                                     const std::function<void(const AttendanceFact&)>& visit) {
  auto q = c.prepare(
      "SELECT m.id, a.agency_id, a.user_id FROM meetings m "
      "JOIN attendance a ON a.meeting_id = m.id "
      "WHERE m.table_id = ?1 AND m.scheduled_start_us >= ?2 AND m.scheduled_start_us < ?3 "
      "AND a.presents_for_agency = 1 AND a.agency_id IS NOT NULL");
  if (!q.ok()) return q.status();
  q->bind(1, p.table_id).bind(2, p.from_us).bind(3, p.to_us);
  AttendanceFact f;
  return q->for_each_row([&](const Statement& r) {
    f.meeting_id = r.text_view(0);
    f.agency_id = r.integer(1);
    f.user_id = r.integer(2);
    visit(f);
  });
}

absl::StatusOr<std::vector<AgencyFacts>> list_agencies(Connection& c) {
  auto q = c.prepare("SELECT id, code, name, sector FROM agencies ORDER BY code");
  if (!q.ok()) return q.status();
  std::vector<AgencyFacts> out;
  auto st = q->for_each_row([&](const Statement& r) {
    out.push_back({r.integer(0), r.text(1), r.text(2), r.text(3)});
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<std::int64_t>> table_agency_ids(Connection& c, std::int64_t table_id) {
  auto q = c.prepare("SELECT agency_id FROM table_agencies WHERE table_id = ?1 ORDER BY agency_id");
  if (!q.ok()) return q.status();
  q->bind(1, table_id);
  std::vector<std::int64_t> out;
  auto st = q->for_each_row([&](const Statement& r) { out.push_back(r.integer(0)); });
  if (!st.ok()) return st;
  return out;
}

}  // namespace hubtable::store
