#pragma once
// AES-256-GCM authenticated encryption with associated data (Tink's Aead shape).

#include <array>

#include "absl/status/statusor.h"
#include "crypto/bytes.h"
#include "crypto/random.h"

namespace hubtable::crypto {

/// AES-256-GCM with a 96-bit random nonce and a 128-bit tag. The sealed form is
/// nonce || ciphertext || tag. Associated data is always bound (it may be empty,
/// but callers pass the context the ciphertext belongs to, e.g. a situation id).
/// Immutable after construction and safe to share between threads.
class Aes256Gcm {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  static constexpr std::size_t kNonceBytes = 12;
  static constexpr std::size_t kTagBytes = 16;
  using Nonce = std::array<std::uint8_t, kNonceBytes>;

  /// Fails with INVALID_ARGUMENT unless `key` is 32 bytes.
  static absl::StatusOr<Aes256Gcm> create(ByteView key);

  /// Encrypts with a fresh random nonce from `random`.
  absl::StatusOr<Bytes> seal(ByteView plaintext, ByteView associated_data,
                             RandomSource& random) const;

  /// Encrypts with a caller-chosen nonce. Only for known-answer tests: reusing
  /// a nonce under one key destroys GCM's security.
  absl::StatusOr<Bytes> seal_with_nonce(const Nonce& nonce, ByteView plaintext,
                                        ByteView associated_data) const;

  /// Decrypts and authenticates; a wrong key, tag, nonce or associated data
  /// yields DATA_LOSS and no plaintext.
  absl::StatusOr<SecretBytes> open(ByteView sealed, ByteView associated_data) const;

 private:
  explicit Aes256Gcm(ByteView key) : key_(key) {}
  // Shared ownership is not needed: copies duplicate the key into zeroing storage.
  struct Key {
    explicit Key(ByteView k) : bytes(k) {}
    Key(const Key& other) : bytes(other.bytes.view()) {}
    Key& operator=(const Key& other) {
      if (this != &other) bytes = SecretBytes(other.bytes.view());
      return *this;
    }
    Key(Key&&) noexcept = default;
    Key& operator=(Key&&) noexcept = default;
    SecretBytes bytes;
  };
  Key key_;
};

}  // namespace hubtable::crypto
