#pragma once
// The audit log's Merkle tree, as RFC 6962 / RFC 9162 define it:
//   leaf hash  = SHA-256(0x00 || leaf bytes)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH({})    = SHA-256("")
//   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of 2 < n.
//
// A tree of n leaves is the sequence of perfect subtrees given by the binary
// digits of n. Node (level, index) is the perfect subtree over the leaves
// [index * 2^level, (index + 1) * 2^level). Appending a leaf completes one
// node per level it climbs (one on average), so a log that stores those nodes
// appends in constant amortised time and serves any proof with O(log n)
// lookups.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"

namespace hubtable::crypto::merkle {

/// Audit sequence numbers count from 1; leaf indexes, like RFC 9162's,
/// from 0: event `seq` is leaf `seq - 1`. Convert here, nowhere else.
/// (`seq` must be at least 1.)
constexpr std::uint64_t leaf_index(std::uint64_t seq) { return seq - 1; }

/// SHA-256(0x00 || data).
Digest leaf_hash(ByteView data);
/// SHA-256(0x01 || left || right).
Digest node_hash(const Digest& left, const Digest& right);
/// The root of the empty tree, SHA-256("").
Digest empty_root();

/// A perfect subtree: the leaves [index << level, (index + 1) << level).
struct NodeId {
  int level = 0;
  std::uint64_t index = 0;
  friend bool operator==(const NodeId&, const NodeId&) = default;
};

/// The right border of a tree: its perfect subtrees, largest first, and the
/// root over them. Appending costs O(1) amortised and never looks at older
/// leaves, which is how both the server's writer and every verifier keep up
/// with the log.
class CompactRange {
 public:
  using NodeSink = std::function<void(const NodeId&, const Digest&)>;

  CompactRange() = default;
  /// Resumes a tree of `size` leaves from its perfect subtrees (largest
  /// first, as `frontier_ids(size)` lists them).
  static absl::StatusOr<CompactRange> resume(std::uint64_t size, std::vector<Digest> frontier);

  /// Appends a leaf hash. `sink`, when given, receives every node the append
  /// completes: the leaf itself at level 0, then each parent it closes.
  void append(const Digest& leaf, const NodeSink& sink = nullptr);

  std::uint64_t size() const { return size_; }
  Digest root() const;
  const std::vector<Digest>& frontier() const { return frontier_; }

 private:
  std::uint64_t size_ = 0;
  std::vector<Digest> frontier_;  // one per set bit of size_, largest subtree first
};

/// The perfect subtrees that make up a tree of `size` leaves, largest first.
std::vector<NodeId> frontier_ids(std::uint64_t size);

/// Looks up a stored perfect subtree; nullopt when it is missing.
using NodeLookup = std::function<std::optional<Digest>(const NodeId&)>;

/// MTH(D[begin:end]) from stored perfect subtrees (O(log n) lookups).
absl::StatusOr<Digest> range_hash(std::uint64_t begin, std::uint64_t end, const NodeLookup& nodes);

/// The audit path of leaf `index` in the tree of `size` leaves (RFC 6962
/// section 2.1.1), leaf side first.
absl::StatusOr<std::vector<Digest>> inclusion_proof(std::uint64_t index, std::uint64_t size,
                                                    const NodeLookup& nodes);

/// The consistency proof between the trees of `old_size` and `new_size`
/// leaves (RFC 6962 section 2.1.2).
absl::StatusOr<std::vector<Digest>> consistency_proof(std::uint64_t old_size,
                                                      std::uint64_t new_size,
                                                      const NodeLookup& nodes);

/// RFC 9162 section 2.1.3.2: true when `proof` shows `leaf` at `index` in
/// the tree of `size` leaves whose root is `root`.
bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Digest& leaf,
                      const std::vector<Digest>& proof, const Digest& root);

/// RFC 9162 section 2.1.4.2: true when `proof` shows the tree of `old_size`
/// leaves with root `old_root` is a prefix of the tree of `new_size` leaves
/// with root `new_root`.
bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Digest& old_root,
                        const Digest& new_root, const std::vector<Digest>& proof);

}  // namespace hubtable::crypto::merkle
