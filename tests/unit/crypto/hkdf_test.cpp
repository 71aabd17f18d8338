#include "crypto/hkdf.h"

#include <gtest/gtest.h>

namespace hubtable::crypto {
namespace {

Bytes hex(std::string_view s) { return *from_hex(s); }

struct HkdfVector {
  const char* ikm;
  const char* salt;
  const char* info;
  std::size_t length;
  const char* okm;
};

// RFC 5869, Appendix A, test cases 1 to 3 (SHA-256).
const HkdfVector kVectors[] = {
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
     "f0f1f2f3f4f5f6f7f8f9", 42,
     "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
    {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c"
     "2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
     "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c"
     "8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
     "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdc"
     "dddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
     82,
     "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e"
     "590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
     "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
};

TEST(Hkdf, Rfc5869Vectors) {
  for (const auto& v : kVectors) {
    auto okm = hkdf_sha256(hex(v.ikm), hex(v.salt), hex(v.info), v.length);
    ASSERT_TRUE(okm.ok()) << okm.status();
    EXPECT_EQ(to_hex(okm->view()), v.okm);
  }
}

TEST(Hkdf, RejectsBadLengths) {
  Bytes ikm(32, 1);
  EXPECT_EQ(hkdf_sha256(ikm, {}, {}, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(hkdf_sha256(ikm, {}, {}, 255 * 32 + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Hkdf, SubkeysDifferByLabelAndNeedA32ByteMaster) {
  SecretBytes master(32);
  for (std::size_t i = 0; i < master.size(); ++i) master.data()[i] = static_cast<std::uint8_t>(i);
  auto db = derive_subkey(master, kDatabaseKeyLabel);
  auto vault = derive_subkey(master, kVaultKeyLabel);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(vault.ok());
  EXPECT_EQ(db->size(), 32u);
  EXPECT_NE(to_hex(db->view()), to_hex(vault->view()));
  SecretBytes short_master(16);
  EXPECT_FALSE(derive_subkey(short_master, kDatabaseKeyLabel).ok());
}

}  // namespace
}  // namespace hubtable::crypto
