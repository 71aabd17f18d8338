#include "crypto/random.h"

#include <openssl/rand.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace hubtable::crypto {

void SystemRandom::fill(std::span<std::uint8_t> out) {
  while (!out.empty()) {
    std::size_t n = out.size() > INT_MAX ? INT_MAX : out.size();
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
      // Continuing without randomness would silently produce weak keys.
      std::fputs("hubtable: the system random number generator failed\n", stderr);
      std::abort();
    }
    out = out.subspan(n);
  }
}

RandomSource& system_random() {
  static SystemRandom random;
  return random;
}

}  // namespace hubtable::crypto
