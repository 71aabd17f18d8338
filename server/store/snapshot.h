#pragma once
// Copies of the database files taken while the server serves (`hubtabled
// backup`): SQLCipher's sqlcipher_export into an attached file under the
// same key, inside one read transaction. The SQLite backup API cannot copy
// an encrypted database, and a file copy of a live WAL database is not a
// committed state.

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "crypto/bytes.h"
#include "store/connection.h"

namespace hubtable::store {

/// Copies the database at `source` (opened with `key`) into the new file
/// `target`, encrypted under the same key, synced to disk. One read
/// transaction: the copy is one committed state however the server writes
/// meanwhile, and writers are not held up (WAL). `in_snapshot(c)`, when
/// given, runs first inside that transaction, to read facts of the state
/// copied. With `target_key`, the copy is encrypted under that key instead
/// (a master-key rotation). Refuses when `target` exists.
absl::Status copy_database(const std::string& source, const crypto::SecretBytes& key,
                           const std::string& target,
                           const std::function<absl::Status(Connection&)>& in_snapshot = {},
                           const crypto::SecretBytes* target_key = nullptr);

/// PRAGMA integrity_check of schema `schema` ("main", "keys"): DATA_LOSS
/// with SQLite's first finding when the file is damaged.
absl::Status check_integrity(Connection& c, const std::string& schema = "main");

}  // namespace hubtable::store
