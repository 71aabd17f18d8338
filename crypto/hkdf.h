#pragma once
// HKDF-SHA256 (RFC 5869), used to derive every subkey from the master key.

#include <string_view>

#include "absl/status/statusor.h"
#include "crypto/bytes.h"

namespace hubtable::crypto {

/// Derives `length` bytes from `ikm` with HKDF-SHA256 (extract then expand).
/// An empty salt means the RFC's default (zeros). `length` must be 1..8160.
absl::StatusOr<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info,
                                        std::size_t length);

/// The derivation labels for subkeys of the master key. Changing one changes
/// every derived key, so they are versioned.
inline constexpr std::string_view kDatabaseKeyLabel = "hubtable/db/v1";
inline constexpr std::string_view kVaultKeyLabel = "hubtable/vault/v1";
inline constexpr std::string_view kTotpKeyLabel = "hubtable/totp/v1";
inline constexpr std::string_view kBlindIndexKeyLabel = "hubtable/blind-index/v1";
// Privacy officers' break-glass justifications: kept for the audit after the
// situation's own data key is destroyed.
inline constexpr std::string_view kBreakGlassKeyLabel = "hubtable/break-glass/v1";
inline constexpr std::string_view kExportPseudonymKeyLabel = "hubtable/export-pseudonym/v1";
/// The key of the vault key store, a separate SQLCipher file holding the
/// wrapped data keys and blind indexes (so a copy of the main database
/// alone never holds them).
inline constexpr std::string_view kKeyStoreLabel = "hubtable/keystore/v1";

/// Authenticates backup manifests (`hubtabled backup`), so a restore knows a
/// backup is this deployment's and undamaged.
inline constexpr std::string_view kBackupManifestLabel = "hubtable/backup-manifest/v1";
/// A public name for the master key (its first 8 bytes, in hex), written in
/// backup manifests and status output: which key opens a file, never the key.
inline constexpr std::string_view kMasterKeyIdLabel = "hubtable/key-id/v1";

/// Derives a 32-byte subkey of the master key for `label`.
absl::StatusOr<SecretBytes> derive_subkey(const SecretBytes& master, std::string_view label);

}  // namespace hubtable::crypto
