#include "crypto/password.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

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

// A field of /proc/self/status in KiB ("VmRSS:", "VmHWM:"); -1 if missing.
std::int64_t status_kib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stoll(line.substr(field.size()));
  }
  return -1;
}

// Each verification holds 64 MiB while it runs: twelve threads at once hold
// the memory of four (kMaxConcurrentPasswordHashes), not of twelve, and every
// one of them still gets its answer.
TEST(Password, ManyAtOnceHoldTheMemoryOfAFewAtMost) {
  auto hash = hash_password("a login storm");
  ASSERT_TRUE(hash.ok());
  const std::int64_t rss_before = status_kib("VmRSS:");
  ASSERT_GT(rss_before, 0);
  constexpr int kThreads = 12;
  std::atomic<int> matched{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      if (verify_password("a login storm", *hash)) ++matched;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(matched.load(), kThreads);
  // The peak since the process began (an earlier single hash included).
  const std::int64_t peak_growth_kib = status_kib("VmHWM:") - rss_before;
  constexpr std::int64_t kHashKib = std::int64_t{64} * 1024;
  EXPECT_LE(peak_growth_kib, kMaxConcurrentPasswordHashes * kHashKib + kHashKib * 3 / 2)
      << "peak " << peak_growth_kib / 1024 << " MiB above the start";
}

}  // namespace
}  // namespace hubtable::crypto
