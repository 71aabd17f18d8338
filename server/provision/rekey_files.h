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
#include "config/server_config.h"

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

}  // namespace hubtable::provision
