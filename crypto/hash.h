#pragma once
// SHA-256 and HMAC-SHA256.

#include <array>
#include <cstdint>

#include "crypto/bytes.h"

namespace hubtable::crypto {

using Digest = std::array<std::uint8_t, 32>;

/// SHA-256 of `data`.
Digest sha256(ByteView data);

/// HMAC-SHA256 of `data` under `key`.
Digest hmac_sha256(ByteView key, ByteView data);

}  // namespace hubtable::crypto
