#pragma once
// Reads a SQLCipher 3 file the way an attacker holding the master key would:
// every page, decrypted with the raw key, whether SQLite still uses it or
// not; and every frame of a WAL. What an erasure must have removed is looked
// for here, not through SQL, which shows only live rows.

#include <filesystem>
#include <string>

#include "crypto/bytes.h"

namespace hubtable::testing {

/// The plaintext of every page of a database file encrypted with the raw
/// 32-byte `key` (cipher_page_size 4096, HMAC on: each page ends in a 16-byte
/// IV and its HMAC, 48 bytes reserved), concatenated. Empty when the file
/// is missing or empty.
std::string decrypt_database_pages(const std::filesystem::path& file,
                                   const crypto::SecretBytes& key);

/// The same for every frame of a WAL file (`file` is the "-wal" path).
std::string decrypt_wal_frames(const std::filesystem::path& file, const crypto::SecretBytes& key);

/// Page 1's header as decrypted: the page size and reserved bytes it
/// records, to show the decryption is right ("4096/48").
std::string database_header_summary(const std::filesystem::path& file,
                                    const crypto::SecretBytes& key);

}  // namespace hubtable::testing
