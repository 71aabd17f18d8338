#include "crypto/password.h"

#include <gtest/gtest.h>

namespace hubtable::crypto {
namespace {

TEST(Password, HashIsArgon2idWithAtLeastOwaspParameters) {
  auto hash = hash_password("correct horse battery staple");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=65536,t=3,p=1$", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_FALSE(password_needs_rehash(*hash));
}

TEST(Password, VerifyMatchesOnlyTheRightPassword) {
  auto hash = hash_password("s3cret-passphrase");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(verify_password("s3cret-passphrase", *hash));
  EXPECT_FALSE(verify_password("s3cret-passphrasE", *hash));
  EXPECT_FALSE(verify_password("", *hash));
  EXPECT_FALSE(verify_password("s3cret-passphrase", "not a hash"));
  EXPECT_FALSE(verify_password("x", std::string(500, '$')));
}

TEST(Password, SaltsDiffer) { EXPECT_NE(*hash_password("same"), *hash_password("same")); }

}  // namespace
}  // namespace hubtable::crypto
