// hubtable report {summary,public,export}: the figures a table is judged by,
// the open-data version with small counts withheld, and the de-identified
// provincial export. The server counts and audits; this renders.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <memory>

#include "cli/output.h"
#include "cli/report_render.h"
#include "cli/session.h"

namespace hubtable::cli {

namespace v1 = hubtable::v1;

namespace {

struct ReportOptions {
  std::vector<std::string> tables;
  std::string from;
  std::string to;
  std::string format;
  std::string out;
};

// Writes to --out (created 0600-style by the umask; replaced whole) or stdout.
int emit(const ReportOptions& o, const std::string& text) {
  if (o.out.empty() || o.out == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  std::ofstream f(o.out, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) {
    std::fprintf(stderr, "hubtable: cannot write %s\n", o.out.c_str());
    return kExitUsage;
  }
  std::fprintf(stderr, "Report written to %s\n", o.out.c_str());
  return kExitOk;
}

absl::StatusOr<v1::ReportScope> scope_of(const Globals& g, const ReportOptions& o,
                                         const char* default_format) {
  v1::ReportScope s;
  for (const auto& t : o.tables) s.add_tables(t);
  auto from = parse_bound(g, o.from, "--from");
  if (!from.ok()) return from.status();
  auto to = parse_bound(g, o.to, "--to");
  if (!to.ok()) return to.status();
  s.set_from_us(*from);
  s.set_to_us(*to);
  s.set_format(g.json ? "json" : o.format.empty() ? default_format : o.format);
  return s;
}

int run_summary(const Globals& g, const ReportOptions& o, bool public_view) {
  auto scope = scope_of(g, o, "text");
  if (!scope.ok()) return usage_failure(scope.status());
  v1::Request req;
  *req.mutable_report_summary()->mutable_scope() = *scope;
  req.mutable_report_summary()->set_public_view(public_view);
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  const auto& summary = r.report_summary().summary();
  const auto& format = scope->format();
  if (format == "json") return emit(o, json_text(summary));
  if (format == "csv") return emit(o, summary_csv(summary));
  if (format == "html") return emit(o, summary_html(summary));
  return emit(o, summary_text(summary));
}

int run_export(const Globals& g, const ReportOptions& o) {
  auto scope = scope_of(g, o, "rtd-csv");
  if (!scope.ok()) return usage_failure(scope.status());
  Session s;
  if (int rc = open_session(g, s, true); rc != kExitOk) return rc;
  std::string csv = export_csv_header();
  v1::ReportExportResponse all;
  for (std::uint64_t offset = 0;;) {
    v1::Request req;
    *req.mutable_report_export()->mutable_scope() = *scope;
    req.mutable_report_export()->set_offset(offset);
    req.mutable_report_export()->set_limit(5000);
    v1::Response r;
    if (int rc = call_in(s, req, r); rc != kExitOk) return rc;
    for (auto& row : *r.mutable_report_export()->mutable_rows()) {
      if (scope->format() == "json") {
        *all.add_rows() = std::move(row);
      } else {
        csv += export_csv_row(row);
      }
      ++offset;
    }
    if (!r.report_export().more()) break;
  }
  return emit(o, scope->format() == "json" ? json_text(all) : csv);
}

}  // namespace

void add_report_commands(CLI::App& app, Globals& g, Commands& commands) {
  auto opts = std::make_shared<ReportOptions>();
  auto& o = *opts;
  auto* report = app.add_subcommand(
      "report", "de-identified statistics: summary, public (open data), export (provincial)");
  report->require_subcommand(1);
  auto* summary = report->add_subcommand(
      "summary",
      "the figures a table is judged by, and partnership health (chair, privacy officer)");
  auto* pub = report->add_subcommand(
      "public", "the open-data version: counts under 5 withheld, no agency detail");
  auto* exp = report->add_subcommand(
      "export", "one de-identified row per situation, dates as months (RTD-style CSV)");
  for (auto* sub : {summary, pub}) {
    sub->add_option("--format", o.format, "text (default), json, csv or html")
        ->check(CLI::IsMember({"text", "json", "csv", "html"}));
  }
  exp->add_option("--format", o.format, "rtd-csv (default) or json")
      ->check(CLI::IsMember({"rtd-csv", "json"}));
  for (auto* sub : {summary, pub, exp}) {
    sub->add_option("--table", o.tables, "table code; repeat for several (default: your table)");
    sub->add_option("--from", o.from,
                    "situations submitted from this date (inclusive; the table's midnight)");
    sub->add_option("--to", o.to, "until this date (exclusive; default now)");
    sub->add_option("--out", o.out, "write to this file instead of standard output");
  }
  commands.add(summary, "hubtable report summary --from 2026-01-01 --to 2026-07-01",
               [&g, opts] { return run_summary(g, *opts, false); });
  commands.add(pub, "hubtable report public --from 2026-01-01",
               [&g, opts] { return run_summary(g, *opts, true); });
  commands.add(exp, "hubtable report export --format rtd-csv > riverside.csv",
               [&g, opts] { return run_export(g, *opts); });
}

}  // namespace hubtable::cli
