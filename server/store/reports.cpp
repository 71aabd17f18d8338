#include "store/reports.h"

#include "store/situation_state.h"

namespace hubtable::store {

namespace {

// The period's situations, through the (table_id, submitted_us) index.
constexpr const char* kInPeriod =
    "s.table_id = ?1 AND s.submitted_us >= ?2 AND s.submitted_us < ?3";

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

// Without the outcome, every column is in the situations_report index: the
// scan never reads the rows (and their narratives).
absl::Status visit_situations(Connection& c, const ReportPeriod& p, const SituationVisitor& visit,
                              std::int64_t offset, std::int64_t limit, bool with_outcome) {
  auto q = prepare_in_period(
      c,
      std::string("SELECT s.id, s.submitted_us, s.state, s.situation_type, s.age_band, s.gender, "
                  "s.originating_agency_id, s.decided_us, s.rejection_reason, s.intervened_us, ") +
          (with_outcome ? "i.outcome" : "NULL") +
          ", s.lead_agency_id, s.ack_due_us, s.acked_us, s.intervention_due_us, s.closed_us, "
          "s.closure_reason FROM situations s " +
          (with_outcome ? "LEFT JOIN interventions i ON i.situation_id = s.id " : "") + "WHERE " +
          kInPeriod + " ORDER BY s.submitted_us, s.id LIMIT ?4 OFFSET ?5",
      p);
  if (!q.ok()) return q.status();
  q->bind(4, limit).bind(5, offset);
  SituationFacts f;
  return q->for_each_row([&](const Statement& r) {
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
    visit(f);
  });
}

}  // namespace

absl::Status for_each_report_situation(Connection& c, const ReportPeriod& p,
                                       const SituationVisitor& visit) {
  return visit_situations(c, p, visit, 0, -1, false);
}

absl::StatusOr<std::uint64_t> count_report_situations(Connection& c, const ReportPeriod& p) {
  return single_number(
      prepare_in_period(c, std::string("SELECT count(*) FROM situations s WHERE ") + kInPeriod, p));
}

absl::Status report_situation_page(Connection& c, const ReportPeriod& p, std::uint64_t offset,
                                   std::uint64_t limit, const SituationVisitor& visit) {
  return visit_situations(c, p, visit, static_cast<std::int64_t>(offset),
                          static_cast<std::int64_t>(limit), true);
}

absl::Status for_each_report_code(Connection& c, const ReportPeriod* p,
                                  const std::function<void(const CodeFact&)>& visit) {
  // Of a period: through its situations (the outer loop of each join, so one
  // situation's codes come together). Of everything: each table in storage
  // order, with no lookup per situation.
  const std::string sql =
      p != nullptr ? std::string(
                         "SELECT s.id, sc.kind, sc.code FROM situations s "
                         "JOIN situation_codes sc ON sc.situation_id = s.id WHERE ") +
                         kInPeriod +
                         " UNION ALL SELECT s.id, CASE cc.kind WHEN 'service' THEN 'service' "
                         "ELSE 'closure_protective_factor' END, cc.code FROM situations s "
                         "JOIN closure_codes cc ON cc.situation_id = s.id WHERE " +
                         kInPeriod
                   : "SELECT situation_id, kind, code FROM situation_codes UNION ALL "
                     "SELECT situation_id, CASE kind WHEN 'service' THEN 'service' "
                     "ELSE 'closure_protective_factor' END, code FROM closure_codes";
  auto q = p != nullptr ? prepare_in_period(c, sql, *p) : c.prepare(sql);
  if (!q.ok()) return q.status();
  CodeFact f;
  return q->for_each_row([&](const Statement& r) {
    f.situation_id = r.text_view(0);
    f.kind = r.text_view(1);
    f.code = r.text_view(2);
    visit(f);
  });
}

absl::Status for_each_assisting_agency(
    Connection& c, const ReportPeriod* p,
    const std::function<void(std::string_view situation_id, std::int64_t agency_id)>& visit) {
  const std::string sql = p != nullptr ? std::string(
                                             "SELECT s.id, sa.agency_id FROM situations s "
                                             "JOIN situation_agencies sa ON sa.situation_id = s.id "
                                             "WHERE sa.role = 'ASSISTING' AND ") +
                                             kInPeriod
                                       : "SELECT situation_id, agency_id FROM situation_agencies "
                                         "WHERE role = 'ASSISTING'";
  auto q = p != nullptr ? prepare_in_period(c, sql, *p) : c.prepare(sql);
  if (!q.ok()) return q.status();
  return q->for_each_row([&](const Statement& r) { visit(r.text_view(0), r.integer(1)); });
}

absl::Status for_each_outcome(
    Connection& c, const ReportPeriod* p,
    const std::function<void(std::string_view situation_id, std::string_view outcome)>& visit) {
  const std::string sql = p != nullptr
                              ? std::string(
                                    "SELECT s.id, i.outcome FROM situations s "
                                    "JOIN interventions i ON i.situation_id = s.id WHERE ") +
                                    kInPeriod
                              : "SELECT situation_id, outcome FROM interventions";
  auto q = p != nullptr ? prepare_in_period(c, sql, *p) : c.prepare(sql);
  if (!q.ok()) return q.status();
  return q->for_each_row([&](const Statement& r) { visit(r.text_view(0), r.text_view(1)); });
}

absl::StatusOr<std::uint64_t> situations_stored(Connection& c) {
  return single_number(c.prepare("SELECT max(rowid) FROM situations"));
}

absl::StatusOr<SituationCodes> situation_codes(Connection& c, const std::string& situation_id) {
  SituationCodes out;
  auto q = c.prepare(
      "SELECT kind, code FROM situation_codes WHERE situation_id = ?1 "
      "UNION ALL SELECT 'closure_' || kind, code FROM closure_codes WHERE situation_id = ?1 "
      "ORDER BY 1, 2");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id);
  auto st = q->for_each_row([&](const Statement& r) {
    const auto kind = r.text_view(0);
    std::vector<std::string>* list = kind == "risk_factor"         ? &out.risk_factors
                                     : kind == "protective_factor" ? &out.protective_factors
                                     : kind == "study_flag"        ? &out.study_flags
                                     : kind == "closure_service"   ? &out.services
                                                                   : nullptr;
    if (list != nullptr) list->push_back(r.text(1));
  });
  if (!st.ok()) return st;
  auto a = c.prepare(
      "SELECT agency_id FROM situation_agencies WHERE situation_id = ?1 AND role = 'ASSISTING' "
      "ORDER BY agency_id");
  if (!a.ok()) return a.status();
  a->bind(1, situation_id);
  st = a->for_each_row([&](const Statement& r) { out.assisting_agencies.push_back(r.integer(0)); });
  if (!st.ok()) return st;
  return out;
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
