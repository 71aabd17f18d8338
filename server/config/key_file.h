#pragma once
// Secret key files (the master key, the audit signing key): exact size, owner-only permissions.

#include <filesystem>

#include "absl/status/statusor.h"
#include "crypto/bytes.h"

namespace hubtable::config {

/// Reads a key file of exactly `size` raw bytes. Refuses a missing file, one
/// readable or writable by group or others, or one of the wrong size, with a
/// message that names the file and the problem (never the contents).
absl::StatusOr<crypto::SecretBytes> load_key_file(const std::filesystem::path& path,
                                                  std::size_t size);

/// Reads a PEM private key file (the audit signing key) under the same
/// checks, of at most 16 KiB.
absl::StatusOr<crypto::SecretBytes> load_pem_key_file(const std::filesystem::path& path);

/// Writes `data` to a new file created with mode 0600. Fails if it exists.
absl::Status write_secret_file(const std::filesystem::path& path, crypto::ByteView data);

}  // namespace hubtable::config
