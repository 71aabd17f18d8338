#include "crypto/key_chain.h"

#include <algorithm>
#include <utility>

namespace hubtable::crypto {

namespace {

std::optional<CheckpointVerifier> verifier(const Bytes& raw) {
  auto v = CheckpointVerifier::from_raw(raw);
  if (!v.ok()) return std::nullopt;
  return std::move(*v);
}

// Whether a rotation checkpoint is signed by both of the keys it names.
bool signed_by_both(const SignedCheckpoint& r) {
  if (!r.checkpoint.rotation || !r.next_signature) return false;
  auto previous = verifier(r.checkpoint.rotation->previous_key);
  auto next = verifier(r.checkpoint.rotation->next_key);
  return previous && next && previous->verify(r) && next->verify(r.checkpoint, *r.next_signature);
}

}  // namespace

AuditKeyChain::AuditKeyChain(CheckpointVerifier pinned) { keys_.push_back(std::move(pinned)); }

AuditKeyChain AuditKeyChain::follow(CheckpointVerifier pinned,
                                    std::vector<SignedCheckpoint> rotations) {
  AuditKeyChain chain;
  chain.keys_.push_back(pinned);  // replaced below when there are rotations
  std::sort(rotations.begin(), rotations.end(), [](const auto& a, const auto& b) {
    return a.checkpoint.tree_size < b.checkpoint.tree_size;
  });
  auto fail = [&](std::uint64_t size, std::string what) {
    chain.problem_ = Problem{size, std::move(what)};
    return chain;
  };
  for (std::size_t i = 0; i < rotations.size(); ++i) {
    const SignedCheckpoint& r = rotations[i];
    const std::uint64_t size = r.checkpoint.tree_size;
    if (!signed_by_both(r)) {
      return fail(size, "the key rotation at tree size " + std::to_string(size) +
                            " is not signed by both of its keys");
    }
    if (i > 0 &&
        (rotations[i - 1].checkpoint.tree_size == size ||
         rotations[i - 1].checkpoint.rotation->next_key != r.checkpoint.rotation->previous_key)) {
      return fail(size, "the key rotation at tree size " + std::to_string(size) +
                            " is not signed by the key in use before it");
    }
  }
  if (!rotations.empty()) {
    chain.keys_.clear();
    chain.keys_.push_back(*verifier(rotations.front().checkpoint.rotation->previous_key));
    for (const auto& r : rotations)
      chain.keys_.push_back(*verifier(r.checkpoint.rotation->next_key));
  }
  const bool pinned_in_chain = std::any_of(
      chain.keys_.begin(), chain.keys_.end(),
      [&](const CheckpointVerifier& k) { return k.public_key() == pinned.public_key(); });
  if (!pinned_in_chain) {
    return fail(0,
                "the log is not signed by this audit key, nor by a key it was rotated to or from");
  }
  chain.rotations_ = std::move(rotations);
  return chain;
}

bool AuditKeyChain::verify(const SignedCheckpoint& c) const {
  if (problem_) return false;
  const std::uint64_t size = c.checkpoint.tree_size;
  const auto at = std::lower_bound(
      rotations_.begin(), rotations_.end(), size,
      [](const SignedCheckpoint& r, std::uint64_t s) { return r.checkpoint.tree_size < s; });
  const auto index = static_cast<std::size_t>(at - rotations_.begin());
  if (!keys_[index].verify(c)) return false;
  const bool rotation_here = at != rotations_.end() && at->checkpoint.tree_size == size;
  if (!rotation_here) return !c.checkpoint.rotation && !c.next_signature;
  return c.checkpoint == at->checkpoint && c.next_signature &&
         keys_[index + 1].verify(c.checkpoint, *c.next_signature);
}

std::vector<std::uint64_t> AuditKeyChain::rotation_sizes() const {
  std::vector<std::uint64_t> sizes;
  sizes.reserve(rotations_.size());
  for (const auto& r : rotations_) sizes.push_back(r.checkpoint.tree_size);
  return sizes;
}

}  // namespace hubtable::crypto
