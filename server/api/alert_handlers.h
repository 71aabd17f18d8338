#pragma once
// Alerts as the privacy officers read them (with break-glass
// justifications, for them only), and a privacy officer's report that the
// log failed their own verification, which raises an alert.

#include "api/audited_work.h"
#include "api/work.h"
#include "config/limits.h"
#include "crypto/vault.h"

namespace hubtable::api {

class AlertHandlers {
 public:
  AlertHandlers(const crypto::Vault& vault, const config::Limits& limits, AuditedWork& audited)
      : vault_(vault), limits_(limits), audited_(audited) {}

  absl::StatusOr<domain::Decision> alerts(Work& w);
  absl::StatusOr<domain::Decision> report_failure(Work& w);

 private:
  const crypto::Vault& vault_;    // break-glass justifications
  const config::Limits& limits_;  // an answer's byte budget
  AuditedWork& audited_;          // the alert a report raises
};

}  // namespace hubtable::api
