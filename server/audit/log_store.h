#pragma once
// The audit log's Merkle tree and signed checkpoints as stored in the
// database (schema 0005): the perfect subtrees each append completes, and
// every checkpoint. All functions run on the caller's connection; the ones
// that write must be inside its write transaction.

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/checkpoint.h"
#include "crypto/merkle.h"
#include "store/connection.h"

namespace hubtable::audit {

/// Adds the leaf of the event stored at `seq` (1-based) and every parent it
/// completes. The tree must already hold events 1 .. seq-1.
absl::Status add_leaf(store::Connection& c, std::uint64_t seq, crypto::ByteView event);

/// How many events the stored tree covers.
absl::StatusOr<std::uint64_t> tree_size(store::Connection& c);

/// Adds the leaves of stored events the tree lacks (a database written before
/// the tree existed). Returns how many were added.
absl::StatusOr<std::uint64_t> catch_up_tree(store::Connection& c);

/// Reads stored perfect subtrees through one prepared statement. Must not
/// outlive the connection.
class StoredNodes {
 public:
  explicit StoredNodes(store::Connection& c) : c_(c) {}
  std::optional<crypto::Digest> get(const crypto::merkle::NodeId& id);
  crypto::merkle::NodeLookup lookup() {
    return [this](const crypto::merkle::NodeId& id) { return get(id); };
  }

 private:
  store::Connection& c_;
  std::optional<store::Statement> stmt_;
};

/// The root of the first `size` events, from the stored tree.
absl::StatusOr<crypto::Digest> stored_root(store::Connection& c, std::uint64_t size);

absl::Status store_checkpoint(store::Connection& c, const crypto::SignedCheckpoint& cp);
/// The checkpoint of the largest tree, if any.
absl::StatusOr<std::optional<crypto::SignedCheckpoint>> latest_checkpoint(store::Connection& c);
/// The checkpoint of exactly `size` events, if one was signed.
absl::StatusOr<std::optional<crypto::SignedCheckpoint>> checkpoint_at(store::Connection& c,
                                                                      std::uint64_t size);
/// Every checkpoint, by tree size ascending.
absl::StatusOr<std::vector<crypto::SignedCheckpoint>> all_checkpoints(store::Connection& c);
/// The checkpoints of trees larger than `after` and, unless nullopt, at most
/// `through`, by tree size ascending: one page's worth of a long log.
absl::StatusOr<std::vector<crypto::SignedCheckpoint>> checkpoints_between(
    store::Connection& c, std::uint64_t after, std::optional<std::uint64_t> through);
/// The checkpoint of the smallest tree, if any.
absl::StatusOr<std::optional<crypto::SignedCheckpoint>> earliest_checkpoint(store::Connection& c);
/// The checkpoint that last rotated the audit key, if any.
absl::StatusOr<std::optional<crypto::SignedCheckpoint>> last_key_rotation(store::Connection& c);
/// The checkpoints that rotated the audit key, by tree size ascending.
absl::StatusOr<std::vector<crypto::SignedCheckpoint>> key_rotations(store::Connection& c);

}  // namespace hubtable::audit
