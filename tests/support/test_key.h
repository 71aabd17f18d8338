#pragma once
// A made-up 32-byte database key for tests that open a store directly:
// bytes fill, fill + 1, ... (a different fill, a different key).

#include <cstdint>

#include "crypto/bytes.h"

namespace hubtable::testing {

inline crypto::SecretBytes test_key(std::uint8_t fill = 7) {
  crypto::SecretBytes k(32);
  for (std::size_t i = 0; i < k.size(); ++i) k.data()[i] = static_cast<std::uint8_t>(fill + i);
  return k;
}

}  // namespace hubtable::testing
