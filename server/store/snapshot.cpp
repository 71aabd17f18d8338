#include "store/snapshot.h"

#include "store/migrate.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace hubtable::store {

namespace {
absl::Status sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::InternalError("cannot open " + path + ": " +
                               std::generic_category().message(errno));
  }
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    return absl::InternalError("cannot sync " + path + ": " +
                               std::generic_category().message(errno));
  }
  return absl::OkStatus();
}

// Runs the snapshot's reads and the export inside one read transaction.
absl::Status export_in_snapshot(Connection& c,
                                const std::function<absl::Status(Connection&)>& in_snapshot) {
  if (auto s = c.exec("BEGIN; SELECT count(*) FROM main.sqlite_master;"); !s.ok()) return s;
  absl::Status s = in_snapshot ? in_snapshot(c) : absl::OkStatus();
  if (s.ok()) s = c.exec("SELECT sqlcipher_export('copy');");
  // sqlcipher_export (3.4) copies tables, not the header's user_version,
  // which holds the schema version.
  if (s.ok()) {
    auto version = schema_version(c);
    s = version.ok() ? c.exec("PRAGMA copy.user_version = " + std::to_string(*version))
                     : version.status();
  }
  if (s.ok()) return c.exec("COMMIT;");
  (void)c.exec("ROLLBACK;");
  return s;
}
}  // namespace

absl::Status copy_database(const std::string& source, const crypto::SecretBytes& key,
                           const std::string& target,
                           const std::function<absl::Status(Connection&)>& in_snapshot,
                           const crypto::SecretBytes* target_key) {
  if (std::filesystem::exists(target)) {
    return absl::AlreadyExistsError("cannot copy the database into " + target +
                                    ": the file exists");
  }
  auto conn = open_connection(source, key, ConnectionRole::kCopier, OpenMode::kExisting);
  if (!conn.ok()) return conn.status();
  if (auto s = create_private_file(target); !s.ok()) return s;
  {
    auto attach = (*conn)->prepare("ATTACH DATABASE ?1 AS copy KEY ?2");
    if (!attach.ok()) return attach.status();
    const crypto::SecretBytes& copy_key = target_key != nullptr ? *target_key : key;
    if (copy_key.size() != 32) return absl::InvalidArgumentError("the copy's key must be 32 bytes");
    std::string literal = "x'" + crypto::to_hex(copy_key.view()) + "'";
    attach->bind(1, target).bind(2, literal);
    crypto::secure_zero(literal.data(), literal.size());
    if (auto s = attach->run(); !s.ok()) return s;
  }
  if (auto s = (*conn)->exec("PRAGMA copy.synchronous = FULL; PRAGMA copy.secure_delete = ON;");
      !s.ok()) {
    return s;
  }
  if (auto s = export_in_snapshot(**conn, in_snapshot); !s.ok()) return s;
  if (auto s = (*conn)->exec("DETACH DATABASE copy;"); !s.ok()) return s;
  return sync_file(target);
}

absl::Status check_integrity(Connection& c, const std::string& schema) {
  auto q = c.prepare("PRAGMA " + schema + ".integrity_check(1)");
  if (!q.ok()) return q.status();
  auto row = q->step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::DataLossError("integrity check of " + schema + " returned nothing");
  const std::string verdict = q->text(0);
  if (verdict != "ok") return absl::DataLossError("integrity check of " + schema + ": " + verdict);
  return absl::OkStatus();
}

}  // namespace hubtable::store
