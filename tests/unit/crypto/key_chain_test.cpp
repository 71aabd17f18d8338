// Audit-key rotation: the note that carries it, and the chain of keys a
// verifier follows from the one key it trusts.

#include "crypto/key_chain.h"

#include <gtest/gtest.h>

#include "crypto/log_verifier.h"
#include "crypto/merkle.h"
#include "tests/unit/crypto/new_signer.h"

namespace hubtable::crypto {
namespace {

Checkpoint at(std::uint64_t size) {
  return Checkpoint{"hubtable/test",
                    size,
                    merkle::leaf_hash(as_bytes(std::to_string(size))),
                    1795000000000000 + static_cast<std::int64_t>(size),
                    {}};
}

SignedCheckpoint sign(const CheckpointSigner& s, std::uint64_t size) {
  auto c = s.sign(at(size));
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

SignedCheckpoint rotate(const CheckpointSigner& from, const CheckpointSigner& to,
                        std::uint64_t size) {
  auto c = from.sign_rotation(at(size), to);
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

class KeyChainTest : public ::testing::Test {
 protected:
  // Three keys: a signs up to 100, hands over to b there; b to c at 200.
  CheckpointSigner a_ = new_signer(), b_ = new_signer(), c_ = new_signer();
  SignedCheckpoint ab_ = rotate(a_, b_, 100), bc_ = rotate(b_, c_, 200);
};

TEST_F(KeyChainTest, ARotationNoteNamesBothKeysCarriesBothSignaturesAndRoundTrips) {
  const std::string note = to_note(ab_);
  EXPECT_NE(note.find("\nkey-rotation "), std::string::npos) << note;
  // Two signature lines, the previous key's first.
  EXPECT_EQ(std::count(note.begin(), note.end(), '\n'), 8) << note;
  auto parsed = parse_note(note);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->checkpoint, ab_.checkpoint);
  ASSERT_TRUE(parsed->next_signature.has_value());
  EXPECT_TRUE(a_.verifier().verify(*parsed));
  EXPECT_TRUE(b_.verifier().verify(parsed->checkpoint, *parsed->next_signature));
  EXPECT_FALSE(a_.verifier().verify(parsed->checkpoint, *parsed->next_signature));
  EXPECT_EQ(parsed->checkpoint.rotation->previous_key, a_.public_key());
  EXPECT_EQ(parsed->checkpoint.rotation->next_key, b_.public_key());

  // A rotation line without its second signature, or a second signature
  // without a rotation line, is not a note.
  std::string one_signature = note.substr(0, note.rfind("\xE2\x80\x94"));
  EXPECT_FALSE(parse_note(one_signature).ok());
  const std::string plain = to_note(sign(a_, 50));
  EXPECT_FALSE(parse_note(plain + plain.substr(plain.rfind("\xE2\x80\x94"))).ok());
  std::string same_keys = note;
  const auto line = same_keys.find("key-rotation ");
  const auto space = same_keys.find(' ', line + 13);
  const std::string first = same_keys.substr(line + 13, space - line - 13);
  same_keys.replace(space + 1, first.size(), first);
  auto refused = parse_note(same_keys);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("two different"), std::string::npos);
  // Handing a key over to itself is refused at signing too.
  EXPECT_FALSE(a_.sign_rotation(at(10), a_).ok());
}

TEST_F(KeyChainTest, AVerifierPinnedToAnyKeyFollowsTheChainBothWays) {
  for (const CheckpointSigner* pinned : {&a_, &b_, &c_}) {
    const auto chain = AuditKeyChain::follow(pinned->verifier(), {bc_, ab_});
    ASSERT_FALSE(chain.problem().has_value()) << chain.problem()->what;
    EXPECT_EQ(chain.rotation_sizes(), (std::vector<std::uint64_t>{100, 200}));
    EXPECT_EQ(chain.current().public_key(), c_.public_key());
    EXPECT_TRUE(chain.verify(sign(a_, 1)));
    EXPECT_TRUE(chain.verify(sign(a_, 99)));
    EXPECT_TRUE(chain.verify(ab_));
    EXPECT_TRUE(chain.verify(sign(b_, 101)));
    EXPECT_TRUE(chain.verify(bc_));
    EXPECT_TRUE(chain.verify(sign(c_, 201)));
  }
}

TEST_F(KeyChainTest, ARetiredKeySignsNothingAfterItsRotationAndAKeyNothingBefore) {
  const auto chain = AuditKeyChain::follow(a_.verifier(), {ab_, bc_});
  EXPECT_FALSE(chain.verify(sign(a_, 101)));  // the old key, leaked, after the rotation
  EXPECT_FALSE(chain.verify(sign(a_, 250)));
  EXPECT_FALSE(chain.verify(sign(b_, 99)));  // the new key, before it was handed the log
  EXPECT_FALSE(chain.verify(sign(c_, 150)));
  // At a rotation's size only that rotation verifies: not a plain checkpoint,
  // not another rotation of the same keys over another root.
  EXPECT_FALSE(chain.verify(sign(a_, 100)));
  auto other = ab_;
  other.checkpoint.root = merkle::leaf_hash(as_bytes("other"));
  auto resigned = a_.sign_rotation(other.checkpoint, b_);
  ASSERT_TRUE(resigned.ok());
  EXPECT_FALSE(chain.verify(*resigned));
  // A plain checkpoint dressed as a rotation elsewhere is refused.
  EXPECT_FALSE(chain.verify(rotate(b_, c_, 150)));
}

TEST_F(KeyChainTest, ABrokenChainOrAStrangersKeyVerifiesNothing) {
  // A rotation the next key did not sign (a stolen old key naming a key of
  // the thief's choosing, with a forged second signature).
  auto forged = ab_;
  forged.next_signature->signature[0] ^= 1;
  auto broken = AuditKeyChain::follow(a_.verifier(), {forged});
  ASSERT_TRUE(broken.problem().has_value());
  EXPECT_EQ(broken.problem()->tree_size, 100u);
  EXPECT_NE(broken.problem()->what.find("is not signed by both of its keys"), std::string::npos);
  EXPECT_FALSE(broken.verify(sign(a_, 1)));

  // Two rotations that do not join: the second hands over a key the first
  // never received.
  const CheckpointSigner d = new_signer();
  auto gap = AuditKeyChain::follow(a_.verifier(), {ab_, rotate(c_, d, 200)});
  ASSERT_TRUE(gap.problem().has_value());
  EXPECT_NE(gap.problem()->what.find("not signed by the key in use before it"), std::string::npos);

  // A key that is none of the chain's.
  auto stranger = AuditKeyChain::follow(d.verifier(), {ab_, bc_});
  ASSERT_TRUE(stranger.problem().has_value());
  EXPECT_EQ(stranger.problem()->tree_size, 0u);
  EXPECT_EQ(problem_class(stranger.problem()->what), "unsigned");
}

TEST_F(KeyChainTest, TheLogVerifierNamesARotationTheLogDoesNotHold) {
  // The keys follow a rotation the walked log's checkpoints do not include.
  LogVerifier v(AuditKeyChain::follow(a_.verifier(), {ab_}), {}, std::nullopt);
  for (std::uint64_t seq = 1; seq <= 120; ++seq) {
    ASSERT_TRUE(v.add(seq, merkle::leaf_hash(as_bytes(std::to_string(seq)))));
  }
  v.finish();
  ASSERT_TRUE(v.problem().has_value());
  EXPECT_EQ(problem_class(v.problem()->what), "missing");
  EXPECT_NE(v.problem()->what.find("key rotation"), std::string::npos);
}

}  // namespace
}  // namespace hubtable::crypto
