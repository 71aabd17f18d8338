#include "crypto/password.h"

#include <sodium.h>

#include <semaphore>

#include "crypto/sodium_init.h"

namespace hubtable::crypto {

namespace {
constexpr unsigned long long kOpsLimit = 3;
constexpr std::size_t kMemLimit = std::size_t{64} * 1024 * 1024;

// Each hash holds kMemLimit while it runs; at most this many run at once in
// the process, however many threads ask (the server's workers are many so
// that requests commit in large groups; a login storm still holds at most
// 256 MiB). The others wait their turn.
std::counting_semaphore<kMaxConcurrentPasswordHashes>& hash_slots() {
  static std::counting_semaphore<kMaxConcurrentPasswordHashes> slots(kMaxConcurrentPasswordHashes);
  return slots;
}

class HashSlot {
 public:
  HashSlot() { hash_slots().acquire(); }
  ~HashSlot() { hash_slots().release(); }
  HashSlot(const HashSlot&) = delete;
  HashSlot& operator=(const HashSlot&) = delete;
};
}  // namespace

absl::StatusOr<std::string> hash_password(std::string_view password) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  const HashSlot slot;
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError("password hashing ran out of memory");
  }
  return std::string(out);
}

bool verify_password(std::string_view password, const std::string& encoded) {
  ensure_sodium();
  if (encoded.size() >= crypto_pwhash_STRBYTES) return false;
  const HashSlot slot;
  return crypto_pwhash_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(const std::string& encoded) {
  ensure_sodium();
  return crypto_pwhash_str_needs_rehash(encoded.c_str(), kOpsLimit, kMemLimit) != 0;
}

}  // namespace hubtable::crypto
