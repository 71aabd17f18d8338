#include "store/migrate.h"

#include <algorithm>

#include "schema/migrations.h"
#include "store/transaction.h"

namespace hubtable::store {

int latest_schema_version() {
  auto all = schema::migrations();
  return all.empty() ? 0 : all.back().version;
}

absl::StatusOr<int> schema_version(Connection& c) {
  auto stmt = c.prepare("PRAGMA main.user_version");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->step();
  if (!row.ok()) return row.status();
  return static_cast<int>(stmt->integer(0));
}

absl::Status migrate(Connection& writer, int up_to) {
  Transaction tx(writer, Transaction::Kind::kWrite);
  if (!tx.status().ok()) return tx.status();
  auto version = schema_version(writer);
  if (!version.ok()) return version.status();
  const int current = *version;
  const int latest = latest_schema_version();
  if (current > latest) {
    return absl::FailedPreconditionError("database schema version " + std::to_string(current) +
                                         " is newer than this hubtabled (" +
                                         std::to_string(latest) + ")");
  }
  const int target = std::min(up_to, latest);
  for (const auto& m : schema::migrations()) {
    if (m.version <= current || m.version > target) continue;
    if (auto s = writer.exec(m.sql); !s.ok()) {
      return absl::InternalError("migration " + std::string(m.name) +
                                 " failed: " + std::string(s.message()));
    }
  }
  if (target > current) {
    if (auto s = writer.exec("PRAGMA user_version = " + std::to_string(target)); !s.ok()) return s;
  }
  return tx.commit();
}

}  // namespace hubtable::store
