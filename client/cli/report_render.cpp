#include "cli/report_render.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "cli/output.h"
#include "wire/text.h"

namespace hubtable::cli {

using wire::html_escape;

namespace v1 = hubtable::v1;

namespace {

// Breakdowns longer than this list their non-zero lines only (text, HTML).
constexpr int kLongList = 12;

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// "12.5%" of the base, or "" when either is withheld or the base is 0.
std::string share(std::uint64_t count, v1::Suppression s, std::uint64_t base,
                  v1::Suppression base_s) {
  if (s != v1::SHOWN || base_s != v1::SHOWN || base == 0) return "";
  return format("%.1f%%", 100.0 * static_cast<double>(count) / static_cast<double>(base));
}

std::string period_text(const v1::ReportSummary& r) {
  std::string tables;
  for (const auto& t : r.tables()) tables += (tables.empty() ? "" : ", ") + t;
  return "Tables: " + tables + "\nSituations submitted from " +
         (r.from_us() == 0 ? std::string("the start") : format_time_us(r.from_us())) + " until " +
         format_time_us(r.to_us()) + "\nGenerated " + format_time_us(r.generated_us());
}

std::string hours(double h) { return format("%.1f h", h); }

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_line(std::initializer_list<std::string_view> fields) {
  std::string out;
  for (auto f : fields) {
    if (!out.empty()) out += ',';
    out += csv_field(f);  // (GCC 12 -O3 misreads "," + a temporary as overlapping)
  }
  return out + "\n";
}

const v1::Breakdown* find_breakdown(const v1::ReportSummary& r, std::string_view key) {
  for (const auto& b : r.breakdowns()) {
    if (b.key() == key) return &b;
  }
  return nullptr;
}

std::string consistency(const v1::AgencyHealth& a) {
  if (a.meetings_attended() == 0) return "";
  return format("%.0f%%", 100.0 * a.regular_attended() / a.meetings_attended());
}

std::string attendance(const v1::AgencyHealth& a) {
  return std::to_string(a.meetings_attended()) + "/" + std::to_string(a.meetings_held());
}

std::string lead_share(const v1::AgencyHealth& a, std::uint64_t total) {
  if (total == 0) return "";
  return format("%.1f%%", 100.0 * static_cast<double>(a.leads()) / static_cast<double>(total));
}

// --- HTML charts: inline SVG, sized in the page's own units. ----------------

struct Bar {
  std::string label;
  std::uint64_t value = 0;
  std::string shown;  // the number as published ("<5", "x")
};

std::string bar_chart(const std::string& key, const std::string& title,
                      const std::vector<Bar>& bars) {
  constexpr int kLabelWidth = 300;
  constexpr int kBarSpace = 360;
  constexpr int kRow = 22;
  std::uint64_t max = 1;
  for (const auto& b : bars) max = std::max(max, b.value);
  const int height = static_cast<int>(bars.size()) * kRow + 8;
  std::string svg =
      absl::StrCat("<figure><figcaption>", html_escape(title),
                   "</figcaption>\n<svg class=\"chart\" data-chart=\"", html_escape(key),
                   "\" role=\"img\" aria-label=\"", html_escape(title),
                   "\" width=\"760\" height=\"", height, "\" viewBox=\"0 0 760 ", height, "\">\n");
  int y = 4;
  for (const auto& b : bars) {
    const int w = b.value == 0
                      ? 0
                      : std::max(1, static_cast<int>(kBarSpace * static_cast<double>(b.value) /
                                                     static_cast<double>(max)));
    absl::StrAppend(&svg, "<text x=\"", kLabelWidth - 6, "\" y=\"", y + 15,
                    "\" text-anchor=\"end\">", html_escape(b.label), "</text>");
    if (w > 0) {
      absl::StrAppend(&svg, "<rect class=\"bar\" x=\"", kLabelWidth, "\" y=\"", y + 3,
                      "\" width=\"", w, "\" height=\"", kRow - 6, "\"><title>",
                      html_escape(b.label), ": ", b.shown, "</title></rect>");
    }
    absl::StrAppend(&svg, "<text x=\"", kLabelWidth + w + 6, "\" y=\"", y + 15, "\">",
                    html_escape(b.shown), "</text>\n");
    y += kRow;
  }
  return svg + "</svg></figure>\n";
}

std::vector<Bar> bars_of(const v1::Breakdown& b) {
  std::vector<Bar> out;
  for (const auto& r : b.rows()) {
    if (r.count() == 0 && r.suppressed() == v1::SHOWN) continue;
    out.push_back({r.label(), r.count(), shown_count(r.count(), r.suppressed())});
  }
  return out;
}

// Situations per month: a bar per month (submitted), a line (accepted).
std::string month_chart(const v1::ReportSummary& r) {
  constexpr int kHeight = 220;
  constexpr int kTop = 10;
  constexpr int kBottom = 40;
  const int n = std::max(1, r.months_size());
  const int step = std::max(6, std::min(48, 700 / n));
  const int width = 50 + n * step;
  std::uint64_t max = 1;
  for (const auto& m : r.months()) max = std::max({max, m.submitted(), m.accepted()});
  auto y_of = [&](std::uint64_t v) {
    return kHeight - kBottom -
           static_cast<int>((kHeight - kBottom - kTop) * static_cast<double>(v) /
                            static_cast<double>(max));
  };
  std::string svg = absl::StrCat(
      "<figure><figcaption>Situations per month (bars: submitted; line: accepted)</figcaption>\n"
      "<svg class=\"chart\" data-chart=\"months\" role=\"img\" aria-label=\"Situations per "
      "month\" width=\"",
      width, "\" height=\"", kHeight, "\" viewBox=\"0 0 ", width, " ", kHeight, "\">\n",
      "<text x=\"4\" y=\"", kTop + 10, "\">", max, "</text><line class=\"axis\" x1=\"40\" y1=\"",
      kHeight - kBottom, "\" x2=\"", width, "\" y2=\"", kHeight - kBottom, "\"/>\n");
  std::string line;
  for (int i = 0; i < r.months_size(); ++i) {
    const auto& m = r.months(i);
    const int x = 45 + i * step;
    const int y = y_of(m.submitted());
    if (m.submitted() > 0) {
      absl::StrAppend(&svg, "<rect class=\"bar\" x=\"", x, "\" y=\"", y, "\" width=\"", step - 2,
                      "\" height=\"", kHeight - kBottom - y, "\"><title>", m.month(), ": ",
                      shown_count(m.submitted(), m.submitted_suppressed()), " submitted, ",
                      shown_count(m.accepted(), m.accepted_suppressed()),
                      " accepted</title></rect>");
    }
    absl::StrAppend(&line, line.empty() ? "" : " ", x + step / 2, ",", y_of(m.accepted()));
    if (i == 0 || i == r.months_size() - 1 || r.months_size() <= 12 || i % 12 == 0) {
      absl::StrAppend(&svg, "<text x=\"", x, "\" y=\"", kHeight - kBottom + 14,
                      "\" font-size=\"10\">", m.month(), "</text>");
    }
    svg += "\n";
  }
  if (!line.empty()) absl::StrAppend(&svg, "<polyline class=\"series\" points=\"", line, "\"/>\n");
  return svg + "</svg></figure>\n";
}

std::string html_table(const v1::Breakdown& b) {
  std::string out = "<table><caption>" + html_escape(b.title()) + " (" +
                    html_escape(b.base_label()) + ": " +
                    shown_count(b.base(), b.base_suppressed()) + ")</caption>\n";
  int zeros = 0;
  for (const auto& r : b.rows()) {
    if (b.rows_size() > kLongList && r.count() == 0 && r.suppressed() == v1::SHOWN) {
      ++zeros;
      continue;
    }
    out += "<tr><th>" + html_escape(r.label()) + "</th><td>" +
           shown_count(r.count(), r.suppressed()) + "</td><td>" +
           share(r.count(), r.suppressed(), b.base(), b.base_suppressed()) + "</td></tr>\n";
  }
  if (zeros > 0) {
    out +=
        "<tr><td colspan=\"3\" class=\"note\">" + std::to_string(zeros) + " more at 0</td></tr>\n";
  }
  if (b.multi())
    out +=
        "<tr><td colspan=\"3\" class=\"note\">A situation may count on several lines.</td></tr>\n";
  return out + "</table>\n";
}

// Draws nothing itself: after layout it records, on each chart, how many
// marks have a visible size (data-drawn), so a headless browser can attest
// that the charts render.
constexpr const char* kRenderCheck = R"(<script>
addEventListener('load', function () {
  var charts = document.querySelectorAll('svg.chart');
  for (var i = 0; i < charts.length; i++) {
    var marks = charts[i].querySelectorAll('.bar, .series'), drawn = 0;
    for (var j = 0; j < marks.length; j++) {
      var box = marks[j].getBoundingClientRect();
      if (box.width > 0 && box.height > 0) drawn++;
    }
    charts[i].setAttribute('data-drawn', String(drawn));
  }
  document.body.setAttribute('data-rendered', String(charts.length));
});
</script>
)";

}  // namespace

std::string shown_count(std::uint64_t count, v1::Suppression s) {
  switch (s) {
    case v1::SMALL:
      return "<5";
    case v1::COMPLEMENTARY:
      return "x";
    default:
      return std::to_string(count);
  }
}

std::string summary_text(const v1::ReportSummary& r) {
  std::string out =
      (r.public_view() ? "PUBLIC REPORT (counts under 5 withheld)\n" : "SITUATION TABLE REPORT\n") +
      period_text(r) + "\n";
  for (const auto& b : r.breakdowns()) {
    out += "\n" + b.title() + " (" + b.base_label() + ": " +
           shown_count(b.base(), b.base_suppressed()) + ")\n";
    // A long list (90 risk factors) shows its non-zero lines only.
    const bool long_list = b.rows_size() > kLongList;
    int zeros = 0;
    for (const auto& row : b.rows()) {
      if (long_list && row.count() == 0 && row.suppressed() == v1::SHOWN) {
        ++zeros;
        continue;
      }
      char line[256];
      std::snprintf(line, sizeof line, "  %-58s %8s %7s\n", row.label().substr(0, 58).c_str(),
                    shown_count(row.count(), row.suppressed()).c_str(),
                    share(row.count(), row.suppressed(), b.base(), b.base_suppressed()).c_str());
      out += line;
    }
    if (zeros > 0) out += "  (" + std::to_string(zeros) + " more at 0)\n";
    if (b.multi()) out += "  (a situation may count on several lines)\n";
  }
  const auto& t = r.timing();
  out += "\nAcceptance to intervention\n";
  if (t.suppressed()) {
    out += "  withheld: fewer than 10 interventions\n";
  } else if (t.intervened() == 0) {
    out += "  no intervention recorded\n";
  } else {
    out += "  median " + hours(t.median_hours()) + ", 90th percentile " + hours(t.p90_hours()) +
           (t.target_hours() ? ", target " + std::to_string(t.target_hours()) + " h" : "") + "\n";
  }
  if (!r.months().empty()) {
    out += "\nSituations per month (submitted / accepted)\n";
    for (const auto& m : r.months()) {
      out += "  " + m.month() + "  " + shown_count(m.submitted(), m.submitted_suppressed()) +
             " / " + shown_count(m.accepted(), m.accepted_suppressed()) + "\n";
    }
  }
  if (!r.agencies().empty()) {
    out += "\nPartnership health\n";
    char line[256];
    std::snprintf(line, sizeof line, "  %-12s %-14s %-16s %9s %9s %11s %6s %7s %9s %9s %9s\n",
                  "table", "agency", "sector", "attended", "people", "consistent", "leads", "share",
                  "assisting", "late ack", "late int");
    out += line;
    for (const auto& a : r.agencies()) {
      std::snprintf(
          line, sizeof line, "  %-12s %-14s %-16s %9s %9u %11s %6llu %7s %9llu %9llu %9llu\n",
          a.table().c_str(), a.agency().c_str(), a.sector().c_str(), attendance(a).c_str(),
          a.attendees(), consistency(a).c_str(), static_cast<unsigned long long>(a.leads()),
          lead_share(a, r.total_leads()).c_str(), static_cast<unsigned long long>(a.assisting()),
          static_cast<unsigned long long>(a.overdue_acks()),
          static_cast<unsigned long long>(a.overdue_interventions()));
      out += line;
    }
  }
  if (r.public_view()) {
    out +=
        "\n<5: fewer than 5 situations. x: withheld so that a count under 5 cannot be "
        "worked out from the totals.\n";
  }
  return out;
}

std::string summary_csv(const v1::ReportSummary& r) {
  std::string out = csv_line({"section", "code", "label", "measure", "value"});
  for (const auto& b : r.breakdowns()) {
    out +=
        csv_line({b.key(), "", b.base_label(), "base", shown_count(b.base(), b.base_suppressed())});
    for (const auto& row : b.rows()) {
      out += csv_line(
          {b.key(), row.code(), row.label(), "count", shown_count(row.count(), row.suppressed())});
    }
  }
  const auto& t = r.timing();
  if (!t.suppressed()) {
    out += csv_line(
        {"timing", "", "Acceptance to intervention", "intervened", std::to_string(t.intervened())});
    out += csv_line({"timing", "", "Acceptance to intervention", "median_hours",
                     format("%.2f", t.median_hours())});
    out += csv_line(
        {"timing", "", "Acceptance to intervention", "p90_hours", format("%.2f", t.p90_hours())});
  }
  for (const auto& m : r.months()) {
    out += csv_line({"months", m.month(), m.month(), "submitted",
                     shown_count(m.submitted(), m.submitted_suppressed())});
    out += csv_line({"months", m.month(), m.month(), "accepted",
                     shown_count(m.accepted(), m.accepted_suppressed())});
  }
  for (const auto& a : r.agencies()) {
    const std::string code = a.table() + "/" + a.agency();
    auto figure = [&](const char* measure, std::uint64_t v) {
      out += csv_line({"partnership_health", code, a.name(), measure, std::to_string(v)});
    };
    figure("meetings_held", a.meetings_held());
    figure("meetings_attended", a.meetings_attended());
    figure("attendees", a.attendees());
    figure("regular_attended", a.regular_attended());
    figure("leads", a.leads());
    figure("assisting", a.assisting());
    figure("overdue_acks", a.overdue_acks());
    figure("overdue_interventions", a.overdue_interventions());
  }
  return out;
}

std::string summary_html(const v1::ReportSummary& r) {
  const std::string title =
      r.public_view() ? "Situation table: public report" : "Situation table report";
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n<title>" +
      html_escape(title) +
      "</title>\n<style>\nbody{font-family:sans-serif;margin:2em;max-width:60em;color:#222}\n"
      "table{border-collapse:collapse;margin:1em 0}th,td{padding:2px 10px;text-align:left}\n"
      "td{text-align:right}caption{text-align:left;font-weight:bold}\n"
      ".note{font-size:small;color:#555;text-align:left}\n"
      "svg.chart text{font-size:12px;fill:#222}.bar{fill:#2b6cb0}\n"
      ".series{fill:none;stroke:#c05621;stroke-width:2}.axis{stroke:#999}\n"
      "figure{margin:1.5em 0}figcaption{font-weight:bold}\n</style>\n</head>\n<body>\n<h1>" +
      html_escape(title) + "</h1>\n<pre>" + html_escape(period_text(r)) + "</pre>\n";
  if (r.public_view()) {
    out +=
        "<p class=\"note\">&lt;5: fewer than 5 situations. x: withheld so that a count under 5 "
        "cannot be worked out from the totals. No free text and no date finer than a month "
        "appear in this report.</p>\n";
  }
  out += "<h2>Charts</h2>\n";
  if (const auto* b = find_breakdown(r, "risk_categories")) {
    out += bar_chart("risk_categories", "Risk categories", bars_of(*b));
  }
  if (const auto* b = find_breakdown(r, "intervention_outcomes")) {
    out += bar_chart("intervention_outcomes", "Intervention outcomes", bars_of(*b));
  }
  if (!r.agencies().empty()) {
    std::vector<Bar> load;
    for (const auto& a : r.agencies()) {
      load.push_back({a.agency() + (r.tables_size() > 1 ? " (" + a.table() + ")" : ""), a.leads(),
                      std::to_string(a.leads())});
    }
    out += bar_chart("lead_load", "Lead load per agency (situations led)", load);
  } else if (const auto* b = find_breakdown(r, "lead_sectors")) {
    out += bar_chart("lead_load", "Lead load per sector", bars_of(*b));
  }
  out += month_chart(r);
  out += "<h2>Figures</h2>\n";
  for (const auto& b : r.breakdowns()) out += html_table(b);
  const auto& t = r.timing();
  out += "<h2>Acceptance to intervention</h2>\n<p>";
  if (t.suppressed()) {
    out += "Withheld: fewer than 10 interventions.";
  } else if (t.intervened() == 0) {
    out += "No intervention recorded.";
  } else {
    out += "Median " + hours(t.median_hours()) + ", 90th percentile " + hours(t.p90_hours()) +
           (t.target_hours() ? ", target " + std::to_string(t.target_hours()) + " h" : "") + ".";
  }
  out += "</p>\n";
  if (!r.agencies().empty()) {
    out +=
        "<h2>Partnership health</h2>\n<table><tr><th>Table</th><th>Agency</th><th>Sector</th>"
        "<th>Meetings attended</th><th>People</th><th>Consistency</th><th>Leads</th>"
        "<th>Share of leads</th><th>Assisting</th><th>Late acks</th>"
        "<th>Late interventions</th></tr>\n";
    for (const auto& a : r.agencies()) {
      out += "<tr><td>" + html_escape(a.table()) + "</td><td>" + html_escape(a.agency()) +
             "</td><td>" + html_escape(a.sector()) + "</td><td>" + attendance(a) + "</td><td>" +
             std::to_string(a.attendees()) + "</td><td>" + consistency(a) + "</td><td>" +
             std::to_string(a.leads()) + "</td><td>" + lead_share(a, r.total_leads()) +
             "</td><td>" + std::to_string(a.assisting()) + "</td><td>" +
             std::to_string(a.overdue_acks()) + "</td><td>" +
             std::to_string(a.overdue_interventions()) + "</td></tr>\n";
    }
    out += "</table>\n";
  }
  return out + kRenderCheck + "</body></html>\n";
}

const std::vector<std::string>& export_columns() {
  static const std::vector<std::string> kColumns = {"record",
                                                    "table",
                                                    "submitted_month",
                                                    "originating_sector",
                                                    "situation_type",
                                                    "age_band",
                                                    "gender",
                                                    "risk_categories",
                                                    "risk_factors",
                                                    "protective_factors",
                                                    "study_flags",
                                                    "decision",
                                                    "rejection_reason",
                                                    "decided_month",
                                                    "lead_sector",
                                                    "assisting_sectors",
                                                    "intervention_hours_band",
                                                    "intervention_outcome",
                                                    "services",
                                                    "closure_reason",
                                                    "closed_month"};
  return kColumns;
}

std::string export_csv_header() {
  std::string out;
  for (const auto& c : export_columns()) out += (out.empty() ? "" : ",") + c;
  return out + "\n";
}

std::string export_csv_row(const v1::ExportRow& row) {
  auto list = [](const google::protobuf::RepeatedPtrField<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ";") + i;
    return out;
  };
  return csv_line({row.record(),
                   row.table(),
                   row.submitted_month(),
                   row.originating_sector(),
                   row.situation_type(),
                   row.age_band(),
                   row.gender(),
                   list(row.risk_categories()),
                   list(row.risk_factors()),
                   list(row.protective_factors()),
                   list(row.study_flags()),
                   row.decision(),
                   row.rejection_reason(),
                   row.decided_month(),
                   row.lead_sector(),
                   list(row.assisting_sectors()),
                   row.intervention_hours_band(),
                   row.intervention_outcome(),
                   list(row.services()),
                   row.closure_reason(),
                   row.closed_month()});
}

}  // namespace hubtable::cli
