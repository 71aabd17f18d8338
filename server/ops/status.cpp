#include "ops/status.h"

#include <sys/statvfs.h>

#include <filesystem>

#include "audit/log_store.h"
#include "store/migrate.h"
#include "store/transaction.h"

namespace hubtable::ops {

namespace {
absl::StatusOr<std::optional<std::int64_t>> optional_time(store::Connection& c,
                                                          std::string_view sql) {
  auto q = c.prepare(sql);
  if (!q.ok()) return q.status();
  auto row = q->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::int64_t>();
  return q->optional_integer(0);
}
}  // namespace

absl::StatusOr<Health> read_health(store::Database& db) {
  Health h;
  auto read = db.read([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kRead);
    if (!tx.status().ok()) return tx.status();
    auto version = store::schema_version(c);
    if (!version.ok()) return version.status();
    h.schema_version = *version;
    auto size = audit::tree_size(c);
    if (!size.ok()) return size.status();
    h.audit_events = *size;
    auto checkpoint = optional_time(c, "SELECT max(time_us) FROM audit_checkpoints");
    if (!checkpoint.ok()) return checkpoint.status();
    h.last_checkpoint_us = *checkpoint;
    // The action index finds the newest backup event without a scan.
    auto backup = optional_time(c,
                                "SELECT time_us FROM audit_events WHERE action = 'backup.created' "
                                "AND outcome = 1 ORDER BY seq DESC LIMIT 1");
    if (!backup.ok()) return backup.status();
    h.last_backup_us = *backup;
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  struct statvfs fs {};
  const std::string dir = std::filesystem::path(db.path()).parent_path().string();
  if (::statvfs(dir.c_str(), &fs) == 0) {
    h.disk_free_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
  }
  return h;
}

double age_seconds(const std::optional<std::int64_t>& then_us, std::int64_t now_us) {
  if (!then_us) return -1;
  return static_cast<double>(now_us - *then_us) / 1e6;
}

}  // namespace hubtable::ops
