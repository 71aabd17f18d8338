#pragma once
// The files of a master-key rotation (`hubtabled rekey`) and how an
// interrupted one is finished. A rotation writes the new key beside the old
// (`master.key.next`) and complete re-keyed copies of both database files
// (`*.next`); writing `rekey.commit` is its commit point. Before that point
// the deployment is the old key's, and the `.next` files are debris; after
// it, the rotation is carried forward by renames that are each safe to
// repeat. Every opening of a deployment finishes an interrupted rotation
// first, so a rotation killed at any step leaves a deployment that opens
// with one of the two keys and has lost nothing.

#include <filesystem>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "audit/checkpointer.h"
#include "config/deployment_lock.h"
#include "config/server_config.h"
#include "store/database.h"

namespace hubtable::provision {

struct RekeyFiles {
  std::filesystem::path key, key_next, key_old;
  std::filesystem::path database, database_next, database_old;
  std::filesystem::path keystore, keystore_next, keystore_old;
  std::filesystem::path commit;  // the commit point's marker
};
RekeyFiles rekey_files(const config::ServerConfig& config);

/// The steps after the commit point, for fault injection in tests.
enum class RekeyStep { kOldSetAside, kNewInPlace, kKeySwitched };

/// Whether a rotation's files are there (one is running, or was killed).
bool rekey_interrupted(const config::ServerConfig& config);

/// Finishes or discards an interrupted rotation (see above). `after`, when
/// given, is called after each step carried forward. The caller holds the
/// deployment's lock.
absl::Status finish_interrupted_rekey(const config::ServerConfig& config,
                                      const std::function<void(RekeyStep)>& after = {});

/// How serve, restore and the rotations start: the config loaded, the
/// deployment's lock held (one process owns its files), and a master-key
/// rotation killed part way finished or undone.
struct OwnedDeployment {
  config::ServerConfig config;
  config::DeploymentLock lock;
};
absl::StatusOr<OwnedDeployment> take_deployment(const std::filesystem::path& config_path);

// The audit signing key's rotation (`hubtabled rekey --audit-signing-key`)
// writes the new key beside the old (`audit-signing.key.next`), then commits
// in the log: the checkpoint both keys sign. Then the files move: the old key
// to `.old`, the new one into place, its public half to `audit-signing.pub`.
// The log decides an interrupted rotation: when its last rotation hands
// over to the `.next` key, the moves are carried forward; otherwise the
// `.next` key is debris.
struct AuditKeyFiles {
  std::filesystem::path key, key_next, key_old, pub;
};
AuditKeyFiles audit_key_files(const config::ServerConfig& config);

/// The key that signs the log next: `audit-signing.key`, or the `.next` key
/// when the log already rotated to it. Refused (one line) when the key is
/// not the log's current one (a retired key, another deployment's).
absl::StatusOr<audit::Checkpointer> load_audit_signer(const config::ServerConfig& config,
                                                      store::Database& db);

/// Carries a committed audit-key rotation's moves forward, or removes the
/// `.next` key of one that never committed. The caller holds the lock.
absl::Status finish_audit_key_rotation(const config::ServerConfig& config, store::Database& db);

/// After a restore of a backup taken before the audit key was rotated, the
/// restored log's current key is the retired one (`audit-signing.key.old`):
/// the log is handed over from it to the current key again, with a new
/// rotation checkpoint. True when it did; false when the current key is
/// already the log's. Refused when neither key is the log's.
absl::StatusOr<bool> rejoin_audit_key(const config::ServerConfig& config, store::Database& db,
                                      std::int64_t now_us);

}  // namespace hubtable::provision
