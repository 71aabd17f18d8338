// RFC 6962 Merkle tree: the reference vectors of RFC 6962's reference
// implementation (google/certificate-transparency), then every proof of every
// small tree against a naive recursive definition.

#include "crypto/merkle.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace hubtable::crypto::merkle {
namespace {

Bytes unhex(std::string_view hex) { return *from_hex(hex); }

// The eight leaves of the reference test suite.
const std::vector<Bytes>& reference_leaves() {
  static const std::vector<Bytes> leaves = {unhex(""),
                                            unhex("00"),
                                            unhex("10"),
                                            unhex("2021"),
                                            unhex("3031"),
                                            unhex("40414243"),
                                            unhex("5051525354555657"),
                                            unhex("606162636465666768696a6b6c6d6e6f")};
  return leaves;
}

// The reference roots of the trees of 1 to 8 of those leaves.
constexpr const char* kRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

// A tree kept in memory: every node the appends completed.
class MemoryTree {
 public:
  void append(ByteView data) {
    leaves_.push_back(leaf_hash(data));
    range_.append(leaves_.back(), [this](const NodeId& id, const Digest& h) {
      nodes_[{id.level, id.index}] = h;
    });
  }
  NodeLookup lookup() const {
    return [this](const NodeId& id) -> std::optional<Digest> {
      auto it = nodes_.find({id.level, id.index});
      if (it == nodes_.end()) return std::nullopt;
      return it->second;
    };
  }
  // MTH by its recursive definition, from the leaf hashes alone.
  Digest naive_root(std::size_t begin, std::size_t end) const {
    if (end == begin) return empty_root();
    if (end - begin == 1) return leaves_[begin];
    std::size_t k = 1;
    while (k * 2 < end - begin) k *= 2;
    return node_hash(naive_root(begin, begin + k), naive_root(begin + k, end));
  }
  const CompactRange& range() const { return range_; }
  const std::vector<Digest>& leaves() const { return leaves_; }

 private:
  std::vector<Digest> leaves_;
  CompactRange range_;
  std::map<std::pair<int, std::uint64_t>, Digest> nodes_;
};

MemoryTree reference_tree(std::size_t n) {
  MemoryTree t;
  for (std::size_t i = 0; i < n; ++i) t.append(reference_leaves()[i]);
  return t;
}

TEST(MerkleTest, EmptyTreeRootIsSha256OfNothing) {
  EXPECT_EQ(to_hex(CompactRange().root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(MerkleTest, RootsMatchTheReferenceVectors) {
  MemoryTree t;
  for (std::size_t i = 0; i < 8; ++i) {
    t.append(reference_leaves()[i]);
    EXPECT_EQ(to_hex(t.range().root()), kRoots[i]) << "tree of " << i + 1;
    auto stored = range_hash(0, i + 1, t.lookup());
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(to_hex(*stored), kRoots[i]);
  }
}

TEST(MerkleTest, InclusionProofOfTheFirstLeafMatchesTheReference) {
  const MemoryTree t = reference_tree(8);
  auto proof = inclusion_proof(0, 8, t.lookup());
  ASSERT_TRUE(proof.ok());
  ASSERT_EQ(proof->size(), 3U);
  EXPECT_EQ(to_hex((*proof)[0]),
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  EXPECT_EQ(to_hex((*proof)[1]),
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
  EXPECT_EQ(to_hex((*proof)[2]),
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
}

TEST(MerkleTest, ConsistencyProofsMatchTheReference) {
  const MemoryTree t = reference_tree(8);
  auto p68 = consistency_proof(6, 8, t.lookup());
  ASSERT_TRUE(p68.ok());
  ASSERT_EQ(p68->size(), 3U);
  EXPECT_EQ(to_hex((*p68)[0]), "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a");
  EXPECT_EQ(to_hex((*p68)[1]), "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0");
  EXPECT_EQ(to_hex((*p68)[2]), "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
  auto p25 = consistency_proof(2, 5, t.lookup());
  ASSERT_TRUE(p25.ok());
  ASSERT_EQ(p25->size(), 2U);
  EXPECT_EQ(to_hex((*p25)[0]), "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
  EXPECT_EQ(to_hex((*p25)[1]), "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
}

// Every leaf of every tree up to 40 leaves; every pair of sizes.
TEST(MerkleTest, EveryProofOfSmallTreesVerifiesAndATamperedOneDoesNot) {
  MemoryTree t;
  for (std::uint64_t n = 1; n <= 40; ++n) {
    t.append(as_bytes("leaf " + std::to_string(n)));
    const Digest root = t.range().root();
    ASSERT_EQ(root, t.naive_root(0, n)) << n;
    for (std::uint64_t m = 0; m < n; ++m) {
      auto proof = inclusion_proof(m, n, t.lookup());
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(verify_inclusion(m, n, t.leaves()[m], *proof, root)) << m << " in " << n;
      if (!proof->empty()) {
        auto bad = *proof;
        bad.back()[0] ^= 1;
        EXPECT_FALSE(verify_inclusion(m, n, t.leaves()[m], bad, root));
      }
      if (n > 1) {
        EXPECT_FALSE(verify_inclusion(m, n, t.leaves()[(m + 1) % n], *proof, root));
      }
      EXPECT_FALSE(verify_inclusion(m, n, t.leaves()[m], *proof, t.naive_root(0, n - 1)));
    }
    for (std::uint64_t m = 1; m <= n; ++m) {
      const Digest old_root = t.naive_root(0, m);
      auto proof = consistency_proof(m, n, t.lookup());
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(verify_consistency(m, n, old_root, root, *proof)) << m << " to " << n;
      if (m < n) {
        Digest wrong = old_root;
        wrong[5] ^= 1;
        EXPECT_FALSE(verify_consistency(m, n, wrong, root, *proof));
        EXPECT_FALSE(verify_consistency(m, n, old_root, wrong, *proof));
        auto bad = *proof;
        bad.front()[0] ^= 1;
        EXPECT_FALSE(verify_consistency(m, n, old_root, root, bad));
      }
    }
  }
}

TEST(MerkleTest, ResumedRangeContinuesTheSameTree) {
  MemoryTree t = reference_tree(6);
  const auto ids = frontier_ids(6);
  ASSERT_EQ(ids.size(), 2U);
  EXPECT_EQ(ids[0], (NodeId{2, 0}));
  EXPECT_EQ(ids[1], (NodeId{1, 2}));
  std::vector<Digest> frontier;
  frontier.reserve(ids.size());
  for (const auto& id : ids) frontier.push_back(*t.lookup()(id));
  auto resumed = CompactRange::resume(6, frontier);
  ASSERT_TRUE(resumed.ok());
  resumed->append(leaf_hash(reference_leaves()[6]));
  resumed->append(leaf_hash(reference_leaves()[7]));
  EXPECT_EQ(to_hex(resumed->root()), kRoots[7]);
  EXPECT_FALSE(CompactRange::resume(7, frontier).ok());
}

TEST(MerkleTest, BadRequestsAreRefused) {
  const MemoryTree t = reference_tree(4);
  EXPECT_EQ(inclusion_proof(4, 4, t.lookup()).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(consistency_proof(5, 4, t.lookup()).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(range_hash(0, 8, t.lookup()).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(verify_consistency(5, 4, t.naive_root(0, 4), t.naive_root(0, 4), {}));
  EXPECT_FALSE(verify_consistency(2, 4, t.naive_root(0, 2), t.naive_root(0, 4), {}));
}

}  // namespace
}  // namespace hubtable::crypto::merkle
