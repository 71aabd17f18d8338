#pragma once
// `hubtabled verify-audit`: the whole stored log checked on the server host,
// from the database file alone (no server running).

#include <optional>

#include "absl/status/statusor.h"
#include "crypto/checkpoint.h"
#include "crypto/log_verifier.h"
#include "store/connection.h"

namespace hubtable::audit {

/// What verification reads, in order: the events, and the tree's leaves
/// (audit_bench's BM_ReadStoredLog reads the same, to show the floor).
inline constexpr const char* kStoredEventsSql = "SELECT seq, event FROM audit_events ORDER BY seq";
inline constexpr const char* kStoredLeavesSql =
    "SELECT idx, hash FROM audit_nodes WHERE level = 0 ORDER BY last_seq";

/// Walks every stored event in sequence order: checks that each names its own
/// position and matches its leaf in the stored tree, recomputes the tree, and
/// checks every stored checkpoint and the `saved` one, following the log's
/// audit-key rotations from `key` (crypto/key_chain.h). The result holds the
/// first problem found, if any. An error status means the walk itself could
/// not be done (the database could not be read).
absl::StatusOr<crypto::LogVerifier> verify_stored_log(
    store::Connection& c, const crypto::CheckpointVerifier& key,
    std::optional<crypto::SignedCheckpoint> saved);

}  // namespace hubtable::audit
