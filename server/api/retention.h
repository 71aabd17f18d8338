#pragma once
// Crypto-shredding when a closed situation's retention ends (DESIGN.md,
// "Encryption at rest"): the wrapped data key and blind indexes leave the
// key store, the sealed identifiers and planning notes leave the database,
// and the purge is audited. The de-identified record stays. Used by the
// server's periodic sweep, by `situation close` when retention is 0, and by
// `hubtabled purge`.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/database.h"

namespace hubtable::api {

/// Purges one situation and appends its audit event (rule `rule`) inside
/// the caller's write transaction.
absl::Status purge_in_transaction(store::Connection& c, const std::string& table,
                                  const std::string& situation_id, std::int64_t now_us,
                                  const std::string& rule);

/// Purges every situation whose retention ended by `now_us`, each in its own
/// transaction. With `dry_run`, only lists them. Returns their ids.
absl::StatusOr<std::vector<std::string>> purge_expired(store::Database& db, std::int64_t now_us,
                                                       bool dry_run);

}  // namespace hubtable::api
