#include "crypto/checkpoint.h"

#include <gtest/gtest.h>

#include <array>

#include "crypto/merkle.h"
#include "crypto/pki.h"
#include "tests/unit/crypto/new_signer.h"

namespace hubtable::crypto {
namespace {

Checkpoint sample() {
  return Checkpoint{"hubtable/test", 1024, merkle::leaf_hash(as_bytes("x")), 1795000000000000, {}};
}

TEST(CheckpointTest, SignedNoteRoundTripsAndVerifies) {
  const CheckpointSigner signer = new_signer();
  auto signed_cp = signer.sign(sample());
  ASSERT_TRUE(signed_cp.ok());
  const std::string note = to_note(*signed_cp);
  EXPECT_TRUE(note.starts_with("hubtable/test\n1024\n"));
  EXPECT_NE(note.find("\ntime 1795000000000000\n\n\xE2\x80\x94 hubtable/test "), std::string::npos);
  auto parsed = parse_note(note);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->checkpoint, sample());
  EXPECT_TRUE(signer.verifier().verify(*parsed));

  auto from_pem = CheckpointVerifier::from_public_pem(signer.public_pem());
  ASSERT_TRUE(from_pem.ok()) << from_pem.status();
  EXPECT_TRUE(from_pem->verify(*parsed));
}

TEST(CheckpointTest, AnyChangedFieldBreaksTheSignature) {
  const CheckpointSigner signer = new_signer();
  const SignedCheckpoint good = *signer.sign(sample());
  auto changed = [&](auto edit) {
    SignedCheckpoint c = good;
    edit(c);
    return signer.verifier().verify(c);
  };
  EXPECT_FALSE(changed([](SignedCheckpoint& c) { c.checkpoint.tree_size += 1; }));
  EXPECT_FALSE(changed([](SignedCheckpoint& c) { c.checkpoint.root[0] ^= 1; }));
  EXPECT_FALSE(changed([](SignedCheckpoint& c) { c.checkpoint.time_us -= 1; }));
  EXPECT_FALSE(changed([](SignedCheckpoint& c) { c.checkpoint.origin = "hubtable/other"; }));
  EXPECT_FALSE(changed([](SignedCheckpoint& c) { c.signature[10] ^= 1; }));
  EXPECT_FALSE(changed([](SignedCheckpoint& c) { c.key_id[0] ^= 1; }));
  EXPECT_FALSE(changed([](SignedCheckpoint& c) { c.signature.pop_back(); }));

  const CheckpointSigner other = new_signer();
  EXPECT_FALSE(other.verifier().verify(good));
}

// Ed25519's S is taken modulo the group order L; a verifier that accepted
// S + L would accept a second signature for the same note. Both OpenSSL's
// and libsodium's (which verifies) refuse it.
TEST(CheckpointTest, ASignatureMadeMalleableIsRefused) {
  const CheckpointSigner signer = new_signer();
  SignedCheckpoint c = *signer.sign(sample());
  ASSERT_TRUE(signer.verifier().verify(c));
  // L = 2^252 + 27742317777372353535851937790883648493, little-endian.
  constexpr std::array<unsigned, 32> kOrder = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                               0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                               0,    0,    0,    0,    0,    0,    0,    0,
                                               0,    0,    0,    0,    0,    0,    0,    0x10};
  unsigned carry = 0;
  for (std::size_t i = 0; i < kOrder.size(); ++i) {  // S, the signature's second half, plus L
    const unsigned sum = c.signature[32 + i] + kOrder[i] + carry;
    c.signature[32 + i] = static_cast<std::uint8_t>(sum & 0xff);
    carry = sum >> 8;
  }
  ASSERT_EQ(carry, 0U);  // S < L < 2^253: S + L still fits in 32 bytes
  EXPECT_FALSE(signer.verifier().verify(c));
}

TEST(CheckpointTest, MalformedNotesAreRefusedWithAReason) {
  const CheckpointSigner signer = new_signer();
  const std::string note = to_note(*signer.sign(sample()));
  auto refused = [](const std::string& text) {
    auto parsed = parse_note(text);
    return !parsed.ok() && parsed.status().code() == absl::StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(refused(""));
  EXPECT_TRUE(refused(note.substr(0, note.size() - 1)));  // no final newline
  EXPECT_TRUE(refused("hubtable/test\n01024" + note.substr(note.find('\n', 14))));
  std::string bad_root = note;
  bad_root[note.find('\n', 14) + 1] = '*';
  EXPECT_TRUE(refused(bad_root));
  std::string bad_time = note;
  bad_time.replace(bad_time.find("time "), 5, "tame ");
  EXPECT_TRUE(refused(bad_time));
  std::string bad_signer = note;
  bad_signer.replace(bad_signer.rfind("hubtable/test"), 13, "hubtable/xxxx");
  EXPECT_TRUE(refused(bad_signer));
  EXPECT_TRUE(refused(note.substr(0, note.rfind(' ') + 1) + "AAAA\n"));
}

TEST(CheckpointTest, KeysMustBeEd25519) {
  auto p256 = generate_p256_key_pem();
  ASSERT_TRUE(p256.ok());
  EXPECT_FALSE(CheckpointSigner::from_private_pem(*p256).ok());
  EXPECT_FALSE(CheckpointSigner::from_private_pem("not a key").ok());
  EXPECT_FALSE(CheckpointVerifier::from_public_pem("not a key").ok());
  EXPECT_FALSE(CheckpointVerifier::from_raw(Bytes(31)).ok());
}

}  // namespace
}  // namespace hubtable::crypto
