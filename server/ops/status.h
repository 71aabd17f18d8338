#pragma once
// A deployment's health as its files tell it (`hubtabled status`, and the
// gauges of the metrics endpoint): schema, audit log size, the ages of the
// last signed checkpoint and the last backup, free disk. No case data, no
// user names.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "store/database.h"

namespace hubtable::ops {

struct Health {
  int schema_version = 0;
  std::uint64_t audit_events = 0;
  std::optional<std::int64_t> last_checkpoint_us;  // none yet: never signed
  std::optional<std::int64_t> last_backup_us;      // the last backup.created that succeeded
  std::uint64_t disk_free_bytes = 0;               // where the database lives
};

/// Reads the deployment's health in one read transaction.
absl::StatusOr<Health> read_health(store::Database& db);

/// Seconds from `then_us` to `now_us`, or -1 when there is no `then`.
double age_seconds(const std::optional<std::int64_t>& then_us, std::int64_t now_us);

}  // namespace hubtable::ops
