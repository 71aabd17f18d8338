#pragma once
// The database and the vault key store, put back in agreement after a
// commit that reached one file and not the other (store::repair_vault says
// how that happens), with the repair on the audit record.
//
// It runs inside every writable opening of a deployment (open_deployment's
// upkeep) and, in a running server, right after a failed COMMIT
// (store::Database's recovery; while it fails, before every later write), so
// no request ever builds on a half-committed transaction.

#include "absl/status/status.h"
#include "domain/clock.h"
#include "store/connection.h"

namespace hubtable::provision {

/// In the caller's write transaction: repairs, and records one
/// `vault.repaired` event per situation whose unacknowledged identifiers or
/// notes were withdrawn and one `vault.orphans_dropped` event for key-store
/// rows left by an interrupted purge (counts only, never what they held).
absl::Status repair_vault_audited(store::Connection& c, const domain::Clock& clock);

/// The same in a write transaction of its own: store::Database's recovery.
absl::Status repair_vault_now(store::Connection& c);

}  // namespace hubtable::provision
