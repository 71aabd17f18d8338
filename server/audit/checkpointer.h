#pragma once
// Signs checkpoints of the audit log (DESIGN.md, "Audit"): every 256 events
// or 60 seconds, whichever comes first, and on clean shutdown. A checkpoint
// is taken in one write transaction: its own "audit.checkpoint" event is
// appended, and the root of the tree that includes it is signed and stored,
// so a checkpoint never leaves an unsigned event behind it.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "crypto/checkpoint.h"
#include "store/database.h"

namespace hubtable::audit {

/// Immutable after construction: every worker shares the server's one
/// Checkpointer. Each signature makes its own OpenSSL context over the shared
/// key, and checkpoint() runs in a write transaction, which store::Database
/// gives one thread at a time; so sharing it is safe.
class Checkpointer {
 public:
  /// Events after which a checkpoint is due even before the timer.
  static constexpr std::uint64_t kEveryEvents = 256;

  /// Without a key: checkpoint() refuses (for tools that only read).
  Checkpointer() = default;
  Checkpointer(crypto::CheckpointSigner signer, std::string origin)
      : signer_(std::move(signer)), origin_(std::move(origin)) {}

  /// Loads the signing key (PKCS#8 PEM, mode 0600) from `key_file`.
  /// The origin names the log, e.g. "hubtable/hubtabled.example.org".
  static absl::StatusOr<Checkpointer> load(const std::string& key_file, std::string origin);

  /// Signs a checkpoint when at least `min_unsigned` events follow the last
  /// one (at least 1). Returns it, or nullopt when none was due; sets
  /// `*signed_size`, when given, to the size the latest checkpoint covers.
  absl::StatusOr<std::optional<crypto::SignedCheckpoint>> checkpoint(
      store::Database& db, std::int64_t now_us, std::uint64_t min_unsigned = 1,
      std::uint64_t* signed_size = nullptr) const;

  /// Hands the log over to `next` (`hubtabled rekey --audit-signing-key`):
  /// in one write transaction, an "audit.key_rotated" event and the
  /// checkpoint that covers it, whose body names both keys and which both
  /// sign (crypto/checkpoint.h). Later checkpoints are `next`'s to sign.
  absl::StatusOr<crypto::SignedCheckpoint> rotate(store::Database& db, const Checkpointer& next,
                                                  std::int64_t now_us) const;

  /// OK when this key is the one that signs the log next: the key its last
  /// rotation handed it to, or, before any rotation, the key of its first
  /// checkpoint. A retired key (or another deployment's) is refused before
  /// it can sign anything.
  absl::Status check_current(store::Connection& c, const std::string& key_file) const;

  bool enabled() const { return signer_.has_value(); }
  const std::string& origin() const { return origin_; }
  /// The public key privacy officers verify with (PEM); empty when disabled.
  std::string public_pem() const { return signer_ ? signer_->public_pem() : std::string(); }
  const crypto::CheckpointSigner* signer() const { return signer_ ? &*signer_ : nullptr; }

 private:
  std::optional<crypto::CheckpointSigner> signer_;
  std::string origin_;
};

/// The origin for a deployment whose server is called `server_name`.
std::string log_origin(const std::string& server_name);

}  // namespace hubtable::audit
