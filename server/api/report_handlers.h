#pragma once
// Reports: the summary a chair gives partners and funders, its open-data
// version, and the provincial export. Every one is audited with what was
// asked for (tables, period, format), never with the figures. A report may
// span tables: the policy is asked for each (Subject::kReportTables).

#include "api/work.h"
#include "config/limits.h"
#include "crypto/vault.h"

namespace hubtable::api {

class ReportHandlers {
 public:
  ReportHandlers(const crypto::Vault& vault, const config::Limits& limits)
      : vault_(vault), limits_(limits) {}

  absl::StatusOr<domain::Decision> summary(Work& w);
  absl::StatusOr<domain::Decision> export_rows(Work& w);

 private:
  const crypto::Vault& vault_;    // the export's pseudonyms
  const config::Limits& limits_;  // an answer's byte budget
};

}  // namespace hubtable::api
