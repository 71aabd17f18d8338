#pragma once
// The identity vault's key hierarchy (DESIGN.md, "Encryption at rest").
//
// Each situation that reaches Filter 3 gets a random 256-bit data key (DEK).
// The DEK is stored only wrapped by the vault key-encryption key
// KEK = HKDF(master, "hubtable/vault/v1") under AES-256-GCM with the
// situation id as associated data. Every identifying field, and every
// planning note, is sealed with the DEK under AES-256-GCM with a fresh
// 96-bit nonce and the associated data "situation id || 0x00 || field name",
// so a sealed value cannot be moved to another situation or field.
// Destroying the wrapped DEK destroys every field sealed under it.

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "crypto/aead.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace hubtable::crypto {

/// Immutable after create(): every worker shares the server's one Vault, and
/// each call makes its own OpenSSL contexts (crypto/aead.h), so that is safe.
class Vault {
 public:
  static constexpr std::size_t kDataKeyBytes = 32;

  /// Derives the KEK and the blind-index key from the master key.
  static absl::StatusOr<Vault> create(const SecretBytes& master);

  /// A fresh random data key.
  static SecretBytes new_data_key(RandomSource& random);

  /// Wraps a data key for `situation_id`.
  absl::StatusOr<Bytes> wrap(const SecretBytes& dek, std::string_view situation_id,
                             RandomSource& random) const;
  /// Unwraps; DATA_LOSS when the wrapped key or the situation id is wrong.
  absl::StatusOr<SecretBytes> unwrap(ByteView wrapped, std::string_view situation_id) const;

  /// The keyed blind index of a normalised identity (HMAC-SHA256 under
  /// HKDF(master, "hubtable/blind-index/v1")). Equal inputs give equal
  /// digests; without the master key the digest reveals nothing.
  Digest blind_index(std::string_view normalised) const;

  /// A situation's record id in exports: HMAC-SHA256 of its id under
  /// HKDF(master, "hubtable/export-pseudonym/v1"). Stable across exports,
  /// so a province can match resubmitted rows; without the master key it
  /// leads back to nothing.
  Digest export_pseudonym(std::string_view situation_id) const;

  /// Seals a privacy officer's break-glass justification under
  /// HKDF(master, "hubtable/break-glass/v1"), bound to `context` (the
  /// situation, the officer and the time). Not under the situation's data
  /// key: the reason for an access must outlive the data accessed.
  absl::StatusOr<Bytes> seal_justification(std::string_view context, ByteView text,
                                           RandomSource& random) const;
  /// Opens one; DATA_LOSS when the context or the sealed bytes do not match.
  absl::StatusOr<SecretBytes> open_justification(std::string_view context, ByteView sealed) const;

 private:
  Vault(Aes256Gcm kek, SecretBytes index_key, Aes256Gcm justification_key,
        SecretBytes pseudonym_key);
  Aes256Gcm kek_;
  Aes256Gcm justification_key_;
  std::shared_ptr<const SecretBytes> index_key_;
  std::shared_ptr<const SecretBytes> pseudonym_key_;
};

/// Seals one field of one situation under its data key.
absl::StatusOr<Bytes> seal_field(const SecretBytes& dek, std::string_view situation_id,
                                 std::string_view field, ByteView plaintext, RandomSource& random);
/// Opens a sealed field; DATA_LOSS when anything does not match.
absl::StatusOr<SecretBytes> open_field(const SecretBytes& dek, std::string_view situation_id,
                                       std::string_view field, ByteView sealed);

}  // namespace hubtable::crypto
