#pragma once
// `hubtabled restore`: a backup checked and put in place of a stopped
// deployment's files (DESIGN.md, "Operations"). A restore never brings back
// what was shredded: before anything can serve the restored files, every
// situation whose retention has ended by now is purged (the purge follows
// from the de-identified record, which the backup holds).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/clock.h"
#include "ops/backup.h"

namespace hubtable::ops {

struct RestoreResult {
  BackupManifest manifest;
  std::vector<std::string> purged;  // situations whose identifiers were shredded
  /// The audit log's size in the files the restore replaced, when they could
  /// be read: privacy officers' checkpoints up to it show the rollback.
  std::optional<std::uint64_t> replaced_audit_size;
  std::filesystem::path set_aside;  // where the replaced files were moved (empty: none)
  /// The backup predates an audit-key rotation: its log was handed over from
  /// the retired key to the current one again.
  bool audit_key_rejoined = false;
};

/// Checks the backup in `from` against the deployment of `config_path`: its
/// manifest's MAC under the master key, the deployment id, each file's size
/// and SHA-256, both files' integrity, the schema version, and the audit log
/// (every event, the tree, every checkpoint, and the manifest's root and
/// checkpoint). Refuses with one line naming the first problem, changing
/// nothing. Then, holding the deployment's lock (the server must be
/// stopped), moves the current files aside, puts the backup's in place,
/// purges what retention ended, audits the restore and signs a checkpoint.
absl::StatusOr<RestoreResult> restore(const std::filesystem::path& config_path,
                                      const std::filesystem::path& from,
                                      const domain::Clock& clock);

}  // namespace hubtable::ops
