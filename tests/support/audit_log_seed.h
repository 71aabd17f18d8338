#pragma once
// A long audit log written straight into a database as a busy server leaves
// it, without a request for each event: the benchmarks' logs of up to 10^6
// events, and the paging tests' logs of many pages.

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "audit/checkpointer.h"
#include "hubtable/v1/audit.pb.h"
#include "store/database.h"

namespace hubtable::testing {

/// Event number `i` (its time and request id): a rep shown a de-identified
/// situation of `table`.
hubtable::v1::AuditEvent sample_audit_event(std::int64_t i, const std::string& table = "riverside");

/// Appends events `first` .. `first + n - 1` (sample_audit_event, of the
/// table `table_of(i)` names; "riverside" without it) in transactions of
/// `batch`, and after each signs the checkpoint that has fallen due, as the
/// server does (every 256 events).
absl::Status append_sample_events(store::Database& db, const audit::Checkpointer& checkpointer,
                                  std::int64_t first, std::int64_t n, std::int64_t batch,
                                  const std::function<std::string(std::int64_t)>& table_of = {});

}  // namespace hubtable::testing
