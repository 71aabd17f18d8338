#include "crypto/aead.h"

#include <openssl/evp.h>

#include <climits>
#include <memory>

namespace hubtable::crypto {

namespace {
struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

bool fits_int(std::size_t n) { return n <= static_cast<std::size_t>(INT_MAX) - 64; }
}  // namespace

absl::StatusOr<Aes256Gcm> Aes256Gcm::create(ByteView key) {
  if (key.size() != kKeyBytes) return absl::InvalidArgumentError("aead: key must be 32 bytes");
  return Aes256Gcm(key);
}

absl::StatusOr<Bytes> Aes256Gcm::seal(ByteView plaintext, ByteView associated_data,
                                      RandomSource& random) const {
  Nonce nonce{};
  random.fill(nonce);
  return seal_with_nonce(nonce, plaintext, associated_data);
}

absl::StatusOr<Bytes> Aes256Gcm::seal_with_nonce(const Nonce& nonce, ByteView plaintext,
                                                 ByteView associated_data) const {
  if (!fits_int(plaintext.size()) || !fits_int(associated_data.size())) {
    return absl::InvalidArgumentError("aead: input too large");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return absl::InternalError("aead: context allocation failed");
  Bytes out(kNonceBytes + plaintext.size() + kTagBytes);
  std::copy(nonce.begin(), nonce.end(), out.begin());
  int len = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.bytes.data(), nonce.data()) !=
          1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, associated_data.data(),
                        static_cast<int>(associated_data.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data() + kNonceBytes, &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonceBytes + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          out.data() + kNonceBytes + plaintext.size()) != 1) {
    return absl::InternalError("aead: encryption failed");
  }
  return out;
}

absl::StatusOr<SecretBytes> Aes256Gcm::open(ByteView sealed, ByteView associated_data) const {
  if (sealed.size() < kNonceBytes + kTagBytes) {
    return absl::DataLossError("aead: ciphertext too short");
  }
  if (!fits_int(sealed.size()) || !fits_int(associated_data.size())) {
    return absl::InvalidArgumentError("aead: input too large");
  }
  const std::size_t body = sealed.size() - kNonceBytes - kTagBytes;
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return absl::InternalError("aead: context allocation failed");
  SecretBytes out(body);
  int len = 0;
  Bytes tag(sealed.end() - kTagBytes, sealed.end());
  std::uint8_t scratch = 0;
  std::uint8_t* dst = body == 0 ? &scratch : out.data();
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.bytes.data(), sealed.data()) !=
          1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, associated_data.data(),
                        static_cast<int>(associated_data.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), dst, &len, sealed.data() + kNonceBytes,
                        static_cast<int>(body)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          tag.data()) != 1) {
    return absl::InternalError("aead: decryption setup failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), dst + len, &len) != 1) {
    return absl::DataLossError("aead: authentication failed");
  }
  return out;
}

}  // namespace hubtable::crypto
