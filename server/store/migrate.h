#pragma once
// Applies schema/ migrations, tracked by PRAGMA user_version.

#include "absl/status/statusor.h"
#include "store/connection.h"

namespace hubtable::store {

/// The schema version this binary expects.
int latest_schema_version();

/// Applies every migration newer than the file's user_version, up to
/// `up_to` (tests make a database of an earlier version), in one
/// transaction. Refuses a database whose version is newer than this binary's.
absl::Status migrate(Connection& writer, int up_to = latest_schema_version());

/// The schema version of the file `c` opened as main (its user_version).
absl::StatusOr<int> schema_version(Connection& c);

}  // namespace hubtable::store
