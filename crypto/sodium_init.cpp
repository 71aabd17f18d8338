#include "crypto/sodium_init.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace hubtable::crypto {

void ensure_sodium() {
  static const bool ready = [] { return sodium_init() >= 0; }();
  if (!ready) {
    std::fputs("hubtable: libsodium failed to initialise\n", stderr);
    std::abort();
  }
}

}  // namespace hubtable::crypto
