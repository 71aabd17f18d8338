#pragma once
// Renders reports the server counted: a readable terminal report, CSV (one
// figure per row), a self-contained HTML page with SVG charts (no script
// from anywhere, no network: it opens from a USB stick), and the RTD-style
// export CSV.

#include <string>
#include <vector>

#include "hubtable/v1/report.pb.h"

namespace hubtable::cli {

/// A count as published: the number, "<5" or "x" when withheld.
std::string shown_count(std::uint64_t count, hubtable::v1::Suppression s);

std::string summary_text(const hubtable::v1::ReportSummary& r);

/// Columns: section, code, label, measure, value.
std::string summary_csv(const hubtable::v1::ReportSummary& r);

std::string summary_html(const hubtable::v1::ReportSummary& r);

/// The export's columns, in order (docs/REPORTS.md describes each).
const std::vector<std::string>& export_columns();
/// One CSV line (with its newline) per row; lists are ";"-separated.
std::string export_csv_header();
std::string export_csv_row(const hubtable::v1::ExportRow& row);

}  // namespace hubtable::cli
