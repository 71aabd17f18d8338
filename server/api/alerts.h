#pragma once
// The alert rules (DESIGN.md, "Alerts"): which alert events an audit event
// raises, who hears of an alert, and the alert a failed verification
// raises. An alert is an audit event of its own ("alert.<kind>"), appended
// in the transaction of the event that raised it (AuditedWork::record).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "api/event_hub.h"
#include "domain/alerts.h"
#include "hubtable/v1/audit.pb.h"
#include "store/database.h"

namespace hubtable::api {

/// The alerts `e` (already appended, with its sequence) raises under `rules`.
absl::StatusOr<std::vector<hubtable::v1::AuditEvent>> alerts_for(store::Connection& c,
                                                                 const hubtable::v1::AuditEvent& e,
                                                                 const domain::AlertRules& rules);

/// Who hears of alert `a`: the privacy officers of its table (of every
/// table for one about no table); for break-glass the chairs too, never the
/// person it is about.
Audience alert_audience(const hubtable::v1::AuditEvent& a);

/// "The audit log failed verification": `problem_class` is one of
/// crypto::problem_class words; `subject` is whoever reported
/// it (empty, with id 0, when the server's own check found it).
hubtable::v1::AuditEvent verification_alert(std::int64_t now_us, std::uint64_t first_bad,
                                            std::uint64_t last_bad, std::string_view problem_class,
                                            std::uint64_t tree_size, std::int64_t subject_user_id,
                                            const std::string& subject);

}  // namespace hubtable::api
