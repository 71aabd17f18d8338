#pragma once
// `hubtabled rekey`: a new master key (DESIGN.md, "Encryption at rest").
// Both database files are copied under the new key's subkeys; in the copies
// every data key is re-wrapped, every blind index recomputed, every TOTP
// secret and break-glass justification re-sealed, and the rotation audited;
// then the commit point, then renames (see provision/rekey_files.h). The
// deployment is proven to open with the new key before the old copies go.
// The old key file is kept (`master.key.old`): backups taken before the
// rotation need it.

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "crypto/random.h"
#include "domain/clock.h"

namespace hubtable::ops {

struct RekeyResult {
  std::string old_key_id, new_key_id;
  int data_keys = 0, blind_indexes = 0, totp_secrets = 0, justifications = 0;
};

/// Rotates the master key of the stopped deployment of `config_path`.
absl::StatusOr<RekeyResult> rekey(const std::filesystem::path& config_path,
                                  const domain::Clock& clock, crypto::RandomSource& random);

}  // namespace hubtable::ops
