#include <algorithm>

#include "api/report_handlers.h"

#include "api/page.h"
#include "domain/limits.h"
#include "report/report.h"
#include "store/meetings.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::Refusal;

namespace {

using domain::kDefaultExportPage;
using domain::kMaxExportPage;
using domain::kMaxReportTables;

const std::vector<std::string>& formats_of(domain::Action action) {
  static const std::vector<std::string> kSummary = {"text", "json", "csv", "html"};
  static const std::vector<std::string> kExport = {"rtd-csv", "json"};
  return action == domain::Action::kReportExport ? kExport : kSummary;
}

// Checks the scope, then the caller's role at every table named (or their
// only table), and resolves the tables. `report` receives the parameters for
// the audit event, refused or not.
absl::StatusOr<Decision> resolve_scope(store::Connection& c, const Principal& p,
                                       domain::Action action, const v1::ReportScope& s,
                                       std::int64_t now_us, report::ReportQuery& q,
                                       AuditScope& scope) {
  v1::AuditReport& report = *scope.report;
  report.set_from_us(s.from_us());
  report.set_to_us(s.to_us());
  report.set_format(s.format());
  const auto& formats = formats_of(action);
  if (std::find(formats.begin(), formats.end(), s.format()) == formats.end()) {
    std::string list;
    for (const auto& f : formats) list += (list.empty() ? "" : ", ") + f;
    report.set_format("(unknown)");
    return Decision::deny(Refusal::kInvalidArgument, "report.unknown_format",
                          "the format must be one of: " + list);
  }
  if (s.tables_size() > static_cast<int>(kMaxReportTables)) {
    return Decision::deny(
        Refusal::kInvalidArgument, "report.too_many_tables",
        "a report covers at most " + std::to_string(kMaxReportTables) + " tables");
  }
  q.from_us = s.from_us();
  q.to_us = s.to_us() == 0 ? now_us : s.to_us();
  q.now_us = now_us;
  if (q.from_us < 0 || s.to_us() < 0 || q.to_us <= q.from_us) {
    return Decision::deny(Refusal::kInvalidArgument, "report.bad_period",
                          "the period is empty or negative: its start must come before its end");
  }
  std::vector<std::string> codes(s.tables().begin(), s.tables().end());
  if (codes.empty()) {
    std::string table;
    if (auto picked = pick_table(p, "", table); !picked.allowed()) return picked;
    codes.push_back(table);
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  Decision last = Decision::allow("report.tables");
  for (const auto& code : codes) {
    auto t = store::find_table(c, code);
    if (!t.ok()) return t.status();
    // The audit names real tables only, never a string a client made up.
    if (*t) report.add_tables(code);
    last = authorize_in(scope, actor_at(p, code), action).decision;
    if (!last.allowed()) return last;
    if (!*t) return Decision::deny(Refusal::kNotFound, "table.unknown", "no such table");
    q.tables.push_back({(*t)->id, (*t)->code, (*t)->time_zone, (*t)->follow_up.intervention_hours});
  }
  return last;
}

}  // namespace

absl::StatusOr<Decision> ReportHandlers::summary(Work& w) {
  const auto& req = w.request.report_summary();
  report::ReportQuery q;
  q.public_view = req.public_view();
  w.scope.report.emplace();
  auto allowed = resolve_scope(w.c, w.p, w.action, req.scope(), w.now_us, q, w.scope);
  if (!w.scope.report->tables().empty()) w.scope.table = w.scope.report->tables(0);
  if (!allowed.ok() || !allowed->allowed()) return allowed;
  w.scope.data_elements = {"deidentified_statistics"};
  w.scope.purpose = req.public_view() ? "open_data" : "accountability";
  auto summary = report::build_summary(w.c, q);
  if (!summary.ok()) return summary.status();
  *w.response.mutable_report_summary()->mutable_summary() = std::move(*summary);
  return allowed;
}

absl::StatusOr<Decision> ReportHandlers::export_rows(Work& w) {
  const auto& req = w.request.report_export();
  report::ReportQuery q;
  w.scope.report.emplace();
  w.scope.report->set_offset(req.offset());
  auto allowed = resolve_scope(w.c, w.p, w.action, req.scope(), w.now_us, q, w.scope);
  if (!w.scope.report->tables().empty()) w.scope.table = w.scope.report->tables(0);
  if (!allowed.ok() || !allowed->allowed()) return allowed;
  if (req.limit() > kMaxExportPage) {
    return Decision::deny(Refusal::kInvalidArgument, "report.page_too_large",
                          "a page holds at most " + std::to_string(kMaxExportPage) + " rows");
  }
  w.scope.data_elements = {"deidentified_situation_rows"};
  w.scope.purpose = "provincial_reporting";
  bool more = false;
  auto rows = report::build_export_page(w.c, q, vault_, req.offset(),
                                        req.limit() == 0 ? kDefaultExportPage : req.limit(), more);
  if (!rows.ok()) return rows.status();
  auto* out = w.response.mutable_report_export();
  Page page(rows->size(), Page::byte_budget(limits_));
  for (auto& row : *rows) {
    if (!page.take(row.ByteSizeLong())) break;  // the rest: the next page's
    *out->add_rows() = std::move(row);
  }
  w.scope.report->set_rows(static_cast<std::uint64_t>(out->rows_size()));
  out->set_more(more || page.full());
  return allowed;
}

}  // namespace hubtable::api
