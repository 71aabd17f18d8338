#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>

namespace hubtable::crypto {

namespace {
struct KdfDeleter {
  void operator()(EVP_KDF* k) const { EVP_KDF_free(k); }
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};
}  // namespace

absl::StatusOr<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info,
                                        std::size_t length) {
  if (length == 0 || length > std::size_t{255} * 32) {
    return absl::InvalidArgumentError("hkdf: output length must be 1..8160 bytes");
  }
  std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return absl::InternalError("hkdf: HKDF unavailable in OpenSSL");
  std::unique_ptr<EVP_KDF_CTX, KdfDeleter> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return absl::InternalError("hkdf: context allocation failed");

  char digest[] = "SHA256";
  // OpenSSL's params take non-const pointers but do not modify the inputs.
  std::uint8_t empty = 0;
  auto* ikm_ptr = ikm.empty() ? &empty : const_cast<std::uint8_t*>(ikm.data());
  auto* salt_ptr = salt.empty() ? &empty : const_cast<std::uint8_t*>(salt.data());
  auto* info_ptr = info.empty() ? &empty : const_cast<std::uint8_t*>(info.data());
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm_ptr, ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_ptr, salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info_ptr, info.size()),
      OSSL_PARAM_construct_end(),
  };
  SecretBytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return absl::InternalError("hkdf: derivation failed");
  }
  return out;
}

absl::StatusOr<SecretBytes> derive_subkey(const SecretBytes& master, std::string_view label) {
  if (master.size() != 32) return absl::InvalidArgumentError("master key must be 32 bytes");
  return hkdf_sha256(master.view(), {}, as_bytes(label), 32);
}

}  // namespace hubtable::crypto
