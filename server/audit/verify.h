#pragma once
// `hubtabled verify-audit`: the whole stored log checked on the server host,
// from the database file alone (no server running).

#include <cstddef>
#include <optional>

#include "absl/status/statusor.h"
#include "crypto/checkpoint.h"
#include "crypto/log_verifier.h"
#include "store/connection.h"

namespace hubtable::audit {

/// What verification reads, in order: the events, and the stored tree's
/// nodes by the event that completes them (the table's own order, schema
/// 0017), so each event comes with its leaf and the parents it closes. A
/// node is named by its last event and its level, as proofs look it up
/// (audit_bench's BM_ReadStoredLog reads the same, to show the floor).
inline constexpr const char* kStoredEventsSql = "SELECT seq, event FROM audit_events ORDER BY seq";
inline constexpr const char* kStoredNodesSql =
    "SELECT last_seq, level, hash FROM audit_nodes ORDER BY last_seq, level";

/// How the walk reads the log. Reading (SQLite's B-tree, and SQLCipher's
/// HMAC and decryption of every page) costs about as much as hashing the
/// events and checking the signatures, so a tool that has the machine to
/// itself reads the next events on a second thread while the calling thread
/// hashes and checks those already read. A server checking its own log while
/// it serves does both on one thread, and leaves the other core to requests.
struct WalkOptions {
  bool read_ahead = false;
  /// Events handed from the reading thread to the checking one at a time
  /// (a batch also ends at 1 MiB of events). Three batches go round, which
  /// bounds the walk's memory whatever the log's size.
  std::size_t batch_events = 1024;
};

/// The options `hubtabled verify-audit`, `restore` and the other offline
/// commands walk with: reading ahead on a second thread.
inline constexpr WalkOptions kReadAhead{.read_ahead = true};

/// Walks every stored event in sequence order: checks that each names its own
/// position and matches its leaf in the stored tree, recomputes the tree, and
/// checks every stored checkpoint and the `saved` one, following the log's
/// audit-key rotations from `key` (crypto/key_chain.h). Every node of the
/// stored tree, which proofs and pages of the log are served from, must be
/// the one the events make: none missing, none different, none beyond the
/// log's last event. The result holds the
/// first problem found, if any, whichever way the log was read. An error
/// status means the walk itself could not be done (the database could not be
/// read). With read-ahead, `c` is used by the reading thread alone until the
/// walk returns.
absl::StatusOr<crypto::LogVerifier> verify_stored_log(store::Connection& c,
                                                      const crypto::CheckpointVerifier& key,
                                                      std::optional<crypto::SignedCheckpoint> saved,
                                                      const WalkOptions& options = {});

}  // namespace hubtable::audit
