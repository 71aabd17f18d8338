#pragma once
// Signed checkpoints of the audit log, in the C2SP "tlog-checkpoint" shape
// carried in a C2SP "signed note":
//
//   hubtable/<server name>          origin
//   1024                             tree size
//   <base64 root hash>               RFC 6962 root of the first 1024 events
//   time 1795000000000000            UTC microseconds (extension line)
//
//   — hubtable/<server name> <base64(key id || Ed25519 signature)>
//
// The body (the four lines) is what is signed, with the deployment's audit
// signing key (Ed25519, a file separate from the master key). The key id is
// SHA-256(origin || "\n" || 0x01 || public key)[:4], as C2SP defines it for
// Ed25519, so a verifier can tell which key a note claims.
//
// The checkpoint that changes the audit key (`hubtabled rekey
// --audit-signing-key`) has a fifth body line naming both keys,
//
//   key-rotation <base64 previous public key> <base64 next public key>
//
// and two signature lines: the previous key's (it hands over) then the next
// key's (it accepts). A verifier that trusts either key follows the
// rotation (crypto/key_chain.h).

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"

namespace hubtable::crypto {

/// A change of audit signing key: the raw Ed25519 public keys (32 bytes).
struct KeyRotation {
  Bytes previous_key;
  Bytes next_key;
  friend bool operator==(const KeyRotation&, const KeyRotation&) = default;
};

struct Checkpoint {
  std::string origin;
  std::uint64_t tree_size = 0;
  Digest root{};
  std::int64_t time_us = 0;
  std::optional<KeyRotation> rotation;  // only on the checkpoint that changes the key
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

using KeyId = std::array<std::uint8_t, 4>;

/// One signature line of a note.
struct NoteSignature {
  KeyId key_id{};
  Bytes signature;  // 64 bytes
};

struct SignedCheckpoint {
  Checkpoint checkpoint;
  KeyId key_id{};   // the signing key's (for a rotation, the previous key's)
  Bytes signature;  // 64 bytes
  /// A rotation's second signature, by its next key.
  std::optional<NoteSignature> next_signature;
};

/// The signed body: four lines (five for a rotation), each ending in "\n".
std::string checkpoint_body(const Checkpoint& c);

/// The whole signed note (body, blank line, signature line).
std::string to_note(const SignedCheckpoint& c);
/// Parses a note written by to_note; INVALID_ARGUMENT naming what is wrong.
/// Does not check the signature.
absl::StatusOr<SignedCheckpoint> parse_note(std::string_view note);

/// Checks checkpoint signatures against one Ed25519 public key.
class CheckpointVerifier {
 public:
  /// From a SubjectPublicKeyInfo PEM or 32 raw bytes.
  static absl::StatusOr<CheckpointVerifier> from_public_pem(const std::string& pem);
  static absl::StatusOr<CheckpointVerifier> from_raw(ByteView public_key);

  /// True when the signature is this key's over the checkpoint's body and
  /// the key id is this key's for the checkpoint's origin.
  bool verify(const SignedCheckpoint& c) const;
  /// The same for a rotation's second signature line.
  bool verify(const Checkpoint& c, const NoteSignature& s) const;
  KeyId key_id(std::string_view origin) const;
  const Bytes& public_key() const { return raw_; }
  /// How people name the key: hex of SHA-256(public key)[:8].
  std::string fingerprint() const;

 private:
  Bytes raw_;
};

/// Signs checkpoints with the audit signing key. Thread-safe.
class CheckpointSigner {
 public:
  /// From the PKCS#8 PEM of an Ed25519 key (`keys/audit-signing.key`).
  static absl::StatusOr<CheckpointSigner> from_private_pem(const std::string& pem);

  absl::StatusOr<SignedCheckpoint> sign(const Checkpoint& c) const;
  /// The checkpoint that hands the log over from this key to `next`: its
  /// body names both keys and both sign it.
  absl::StatusOr<SignedCheckpoint> sign_rotation(Checkpoint c, const CheckpointSigner& next) const;
  /// The public half, 32 raw bytes and as SubjectPublicKeyInfo PEM.
  const Bytes& public_key() const { return verifier_.public_key(); }
  std::string public_pem() const;
  const CheckpointVerifier& verifier() const { return verifier_; }

 private:
  struct Key;
  std::shared_ptr<const Key> key_;
  CheckpointVerifier verifier_;
};

}  // namespace hubtable::crypto
