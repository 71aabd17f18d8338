#include "crypto/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <cstdlib>

namespace hubtable::crypto {

Digest sha256(ByteView data) {
  Digest out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1) {
    std::fputs("hubtable: SHA-256 failed\n", stderr);
    std::abort();
  }
  return out;
}

Digest hmac_sha256(ByteView key, ByteView data) {
  Digest out{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
           out.data(), &len) == nullptr) {
    std::fputs("hubtable: HMAC-SHA256 failed\n", stderr);
    std::abort();
  }
  return out;
}

namespace {
[[noreturn]] void digest_failed() {
  std::fputs("hubtable: SHA-256 failed\n", stderr);
  std::abort();
}
}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
    digest_failed();
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::update(ByteView data) {
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) {
    digest_failed();
  }
}

Digest Sha256::finish() {
  Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_, out.data(), &len) != 1) digest_failed();
  return out;
}

}  // namespace hubtable::crypto
