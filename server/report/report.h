#pragma once
// Builds reports from the store: the summary (figures a table is judged by,
// partnership health), its public version (small counts withheld), and the
// provincial export rows. Only vocabulary codes, agency codes and counts
// leave here: no narrative, note, identifier or exact date.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/vault.h"
#include "hubtable/v1/report.pb.h"
#include "store/connection.h"

namespace hubtable::report {

struct ReportTable {
  std::int64_t id = 0;
  std::string code;
  std::string time_zone;  // months are the table's calendar months
  int intervention_hours = 48;
};

struct ReportQuery {
  std::vector<ReportTable> tables;
  std::int64_t from_us = 0;
  std::int64_t to_us = 0;   // exclusive; must be set
  std::int64_t now_us = 0;  // open situations' age and overdue deadlines
  bool public_view = false;
};

/// The summary of the tables' situations submitted in [from_us, to_us).
absl::StatusOr<hubtable::v1::ReportSummary> build_summary(store::Connection& c,
                                                          const ReportQuery& q);

/// Rows of the provincial export, in submission order across the tables in
/// the order given: `limit` after skipping `offset`; `more` tells whether
/// rows follow. Each situation's record is a keyed pseudonym.
absl::StatusOr<std::vector<hubtable::v1::ExportRow>> build_export_page(
    store::Connection& c, const ReportQuery& q, const crypto::Vault& vault, std::uint64_t offset,
    std::uint32_t limit, bool& more);

}  // namespace hubtable::report
