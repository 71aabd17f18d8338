#pragma once
// `hubtabled rekey`: a new master key (DESIGN.md, "Encryption at rest").
// Both database files are copied under the new key's subkeys; in the copies
// every data key is re-wrapped, every blind index recomputed, every TOTP
// secret and break-glass justification re-sealed, and the rotation audited;
// then the commit point, then renames (see provision/rekey_files.h). The
// deployment is proven to open with the new key before the old copies go.
// The old key file is kept (`master.key.old`): backups taken before the
// rotation need it.

#include <cstdint>
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

struct AuditRekeyResult {
  std::string old_key, new_key;  // fingerprints
  std::uint64_t tree_size = 0;   // the rotation checkpoint's
};

/// `hubtabled rekey --audit-signing-key`: a new Ed25519 audit signing key
/// for the stopped deployment of `config_path`. The old key signs a
/// checkpoint naming both, the new key signs it too, and the log verifies
/// from either key (provision/rekey_files.h has the files' steps). The old
/// key is kept as `audit-signing.key.old`: restoring a backup taken before
/// the rotation needs it to hand that log over again.
absl::StatusOr<AuditRekeyResult> rekey_audit_key(const std::filesystem::path& config_path,
                                                 const domain::Clock& clock);

}  // namespace hubtable::ops
