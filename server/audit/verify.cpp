#include "audit/verify.h"

#include <algorithm>
#include <iterator>

#include "audit/log_store.h"
#include "wire/audit_leaf.h"

namespace hubtable::audit {

absl::StatusOr<crypto::LogVerifier> verify_stored_log(
    store::Connection& c, const crypto::CheckpointVerifier& key,
    std::optional<crypto::SignedCheckpoint> saved) {
  auto checkpoints = all_checkpoints(c);
  if (!checkpoints.ok()) return checkpoints.status();
  std::vector<crypto::SignedCheckpoint> rotations;
  std::copy_if(
      checkpoints->begin(), checkpoints->end(), std::back_inserter(rotations),
      [](const crypto::SignedCheckpoint& cp) { return cp.checkpoint.rotation.has_value(); });
  crypto::LogVerifier v(crypto::AuditKeyChain::follow(key, std::move(rotations)),
                        std::move(*checkpoints), std::move(saved));

  // Two cursors in step: the events, and the stored leaves (level 0).
  auto events = c.prepare(kStoredEventsSql);
  if (!events.ok()) return events.status();
  auto leaves = c.prepare(kStoredLeavesSql);
  if (!leaves.ok()) return leaves.status();
  bool leaves_left = true;
  auto next_leaf = [&]() -> absl::Status {
    auto lrow = leaves->step();
    if (!lrow.ok()) return lrow.status();
    leaves_left = *lrow;
    return absl::OkStatus();
  };
  if (auto s = next_leaf(); !s.ok()) return s;
  while (v.ok()) {
    auto row = events->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const auto seq = static_cast<std::uint64_t>(events->integer(0));
    const crypto::ByteView bytes = events->blob_view(1);
    const crypto::Digest leaf = crypto::merkle::leaf_hash(bytes);
    if (seq != v.size() + 1) {  // a gap or a repeat: the verifier names it
      v.add(seq, leaf);
      break;
    }
    if (auto problem = wire::audit_event_problem(seq, bytes.data(), bytes.size())) {
      v.fail(seq, seq, *problem);
      break;
    }
    const std::uint64_t index = crypto::merkle::leaf_index(seq);
    while (leaves_left && static_cast<std::uint64_t>(leaves->integer(0)) < index) {
      if (auto s = next_leaf(); !s.ok()) return s;
    }
    const bool stored = leaves_left && static_cast<std::uint64_t>(leaves->integer(0)) == index;
    if (!stored || !std::ranges::equal(leaves->blob_view(1), leaf)) {
      v.fail(seq, seq,
             "changed: event " + std::to_string(seq) +
                 (stored ? " does not match its leaf in the stored tree"
                         : " has no leaf in the stored tree"));
      break;
    }
    v.add(seq, leaf);
  }
  v.finish();
  return v;
}

}  // namespace hubtable::audit
