#include "crypto/totp.h"

#include <gtest/gtest.h>

namespace hubtable::crypto {
namespace {

struct TotpVector {
  std::int64_t time;
  const char* sha1;
  const char* sha256;
  const char* sha512;
};

// RFC 6238, Appendix B (8 digits, 30-second steps).
const TotpVector kVectors[] = {
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
};

const std::string kSeed1 = "12345678901234567890";
const std::string kSeed256 = "12345678901234567890123456789012";
const std::string kSeed512 = "1234567890123456789012345678901234567890123456789012345678901234";

TEST(Totp, Rfc6238Vectors) {
  for (const auto& v : kVectors) {
    TotpParams p;
    p.digits = 8;
    p.algorithm = TotpAlgorithm::kSha1;
    EXPECT_EQ(*totp_generate(as_bytes(kSeed1), v.time, p), v.sha1) << v.time;
    p.algorithm = TotpAlgorithm::kSha256;
    EXPECT_EQ(*totp_generate(as_bytes(kSeed256), v.time, p), v.sha256) << v.time;
    p.algorithm = TotpAlgorithm::kSha512;
    EXPECT_EQ(*totp_generate(as_bytes(kSeed512), v.time, p), v.sha512) << v.time;
  }
}

TEST(Totp, VerifyAcceptsOneStepOfDriftAndReturnsTheStep) {
  const std::int64_t now = 1111111111;  // step 37037037
  auto current = *totp_generate(as_bytes(kSeed1), now);
  auto previous = *totp_generate(as_bytes(kSeed1), now - 30);
  auto next = *totp_generate(as_bytes(kSeed1), now + 30);
  auto old = *totp_generate(as_bytes(kSeed1), now - 60);
  EXPECT_EQ(totp_verify(as_bytes(kSeed1), current, now), 37037037);
  EXPECT_EQ(totp_verify(as_bytes(kSeed1), previous, now), 37037036);
  EXPECT_EQ(totp_verify(as_bytes(kSeed1), next, now), 37037038);
  EXPECT_EQ(totp_verify(as_bytes(kSeed1), old, now), std::nullopt);
  EXPECT_EQ(totp_verify(as_bytes(kSeed1), "12345", now), std::nullopt);
  EXPECT_EQ(totp_verify(as_bytes(kSeed1), "", now), std::nullopt);
}

TEST(Totp, Base32RoundTripAndUri) {
  EXPECT_EQ(base32_encode(as_bytes("foobar")), "MZXW6YTBOI");  // RFC 4648 section 10
  EXPECT_EQ(base32_encode(as_bytes("f")), "MY");
  auto back = base32_decode("MZXW6YTBOI======");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(std::string(back->begin(), back->end()), "foobar");
  EXPECT_FALSE(base32_decode("M1").has_value());
  const std::string uri = otpauth_uri("hubtable", "chair.morgan", as_bytes(kSeed1));
  EXPECT_EQ(uri,
            "otpauth://totp/hubtable:chair.morgan?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=hubtable&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace hubtable::crypto
