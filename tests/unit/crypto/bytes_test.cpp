#include "crypto/bytes.h"

#include <gtest/gtest.h>

namespace hubtable::crypto {
namespace {

TEST(Bytes, HexRoundTripAndRejectsBadInput) {
  Bytes data = {0x00, 0x7f, 0x80, 0xff};
  EXPECT_EQ(to_hex(data), "007f80ff");
  EXPECT_EQ(*from_hex("007F80ff"), data);
  EXPECT_FALSE(from_hex("abc").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
}

TEST(Bytes, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal(as_bytes("abc"), as_bytes("abc")));
  EXPECT_FALSE(constant_time_equal(as_bytes("abc"), as_bytes("abd")));
  EXPECT_FALSE(constant_time_equal(as_bytes("abc"), as_bytes("ab")));
  EXPECT_TRUE(constant_time_equal(as_bytes(""), as_bytes("")));
}

TEST(Bytes, SecretBytesZeroesOnClearAndMove) {
  SecretBytes a(as_bytes("key material"));
  SecretBytes b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_EQ(b.size(), 12u);
  secure_zero(b.data(), b.size());
  EXPECT_EQ(to_hex(b.view()), std::string(24, '0'));
  b.clear();
  EXPECT_TRUE(b.empty());
}

}  // namespace
}  // namespace hubtable::crypto
