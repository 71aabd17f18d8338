#pragma once
// The audit signing keys a log has had, followed from the one key a verifier
// trusts. A rotation checkpoint (crypto/checkpoint.h) names the previous and
// the next key and carries both signatures: the previous key hands the log
// over, the next accepts it. From a pinned key the chain runs forward (each
// rotation signed by the key before it) and backward (each signed by the key
// after it), so a privacy officer who pinned the key before a rotation and
// one given the key after it verify the same log the same way.
//
// A retired key signs nothing after its rotation: a checkpoint it signs later
// is refused, which is the point of retiring a key that may have leaked.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/checkpoint.h"

namespace hubtable::crypto {

class AuditKeyChain {
 public:
  /// What is wrong with the rotations, at the tree size of the first bad one
  /// (0 when the pinned key is not in the chain at all).
  struct Problem {
    std::uint64_t tree_size = 0;
    std::string what;
  };

  /// Trusts `pinned` alone: a log that never rotated its key.
  explicit AuditKeyChain(CheckpointVerifier pinned);

  /// Follows `rotations` (the log's rotation checkpoints, in any order) from
  /// `pinned`. When one is not signed by both of its keys, two do not join,
  /// or the pinned key is none of theirs, the chain has a problem() and
  /// verifies nothing.
  static AuditKeyChain follow(CheckpointVerifier pinned, std::vector<SignedCheckpoint> rotations);

  /// True when `c` is signed by the key in use at its tree size. A checkpoint
  /// at a rotation's size must be that rotation, with both its signatures.
  bool verify(const SignedCheckpoint& c) const;

  /// The key that signs after the last rotation.
  const CheckpointVerifier& current() const { return keys_.back(); }
  /// The rotations' tree sizes, ascending.
  std::vector<std::uint64_t> rotation_sizes() const;
  const std::optional<Problem>& problem() const { return problem_; }

 private:
  AuditKeyChain() = default;

  // keys_[i] signs the checkpoints of tree sizes in
  // (rotations_[i-1].tree_size, rotations_[i].tree_size].
  std::vector<CheckpointVerifier> keys_;
  std::vector<SignedCheckpoint> rotations_;
  std::optional<Problem> problem_;
};

}  // namespace hubtable::crypto
