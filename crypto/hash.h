#pragma once
// SHA-256 and HMAC-SHA256.

#include <array>
#include <cstdint>

#include "crypto/bytes.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace hubtable::crypto {

using Digest = std::array<std::uint8_t, 32>;

/// SHA-256 of `data`.
Digest sha256(ByteView data);

/// HMAC-SHA256 of `data` under `key`.
Digest hmac_sha256(ByteView key, ByteView data);

/// SHA-256 over data given in pieces (a file read in blocks). Not thread-safe.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(ByteView data);
  /// The digest of everything given so far; the object is spent after it.
  Digest finish();

 private:
  evp_md_ctx_st* ctx_;
};

}  // namespace hubtable::crypto
