#include "crypto/aead.h"

#include <gtest/gtest.h>

namespace hubtable::crypto {
namespace {

Bytes hex(std::string_view s) { return *from_hex(s); }

struct GcmVector {
  const char* key;
  const char* iv;
  const char* plaintext;
  const char* aad;
  const char* ciphertext;
  const char* tag;
};

// McGrew & Viega, "The Galois/Counter Mode of Operation" (the NIST GCM
// submission), AES-256 test cases 13 to 16.
const GcmVector kVectors[] = {
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000", "", "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
     "b525b16aedf5aa0de657ba637b391aafd255",
     "",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056"
     "828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
     "b525b16aedf5aa0de657ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056"
     "828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

TEST(Aes256Gcm, NistVectorsSealAndOpen) {
  for (const auto& v : kVectors) {
    auto aead = Aes256Gcm::create(hex(v.key));
    ASSERT_TRUE(aead.ok());
    Aes256Gcm::Nonce nonce{};
    auto iv = hex(v.iv);
    std::copy(iv.begin(), iv.end(), nonce.begin());
    auto sealed = aead->seal_with_nonce(nonce, hex(v.plaintext), hex(v.aad));
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(to_hex(*sealed), std::string(v.iv) + v.ciphertext + v.tag);
    auto opened = aead->open(*sealed, hex(v.aad));
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(to_hex(opened->view()), v.plaintext);
  }
}

TEST(Aes256Gcm, TamperingAnyPartFailsAuthentication) {
  auto aead = Aes256Gcm::create(Bytes(32, 7));
  ASSERT_TRUE(aead.ok());
  const Bytes aad = {1, 2, 3};
  auto sealed = aead->seal(as_bytes("identifier"), aad, system_random());
  ASSERT_TRUE(sealed.ok());
  for (std::size_t i = 0; i < sealed->size(); ++i) {
    Bytes bad = *sealed;
    bad[i] ^= 0x01;
    EXPECT_EQ(aead->open(bad, aad).status().code(), absl::StatusCode::kDataLoss) << "byte " << i;
  }
  EXPECT_EQ(aead->open(*sealed, Bytes{1, 2, 4}).status().code(), absl::StatusCode::kDataLoss);
  auto other = Aes256Gcm::create(Bytes(32, 8));
  EXPECT_EQ(other->open(*sealed, aad).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(aead->open(Bytes(10, 0), aad).status().code(), absl::StatusCode::kDataLoss);
}

TEST(Aes256Gcm, RandomNoncesDifferAndKeyMustBe32Bytes) {
  auto aead = Aes256Gcm::create(Bytes(32, 9));
  auto a = aead->seal(as_bytes("x"), {}, system_random());
  auto b = aead->seal(as_bytes("x"), {}, system_random());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(Aes256Gcm::create(Bytes(16, 0)).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hubtable::crypto
