#pragma once
// Password hashing with argon2id (libsodium's crypto_pwhash_str).

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace hubtable::crypto {

/// How many hashes or verifications run at once in a process (each holds 64
/// MiB while it runs); callers beyond it wait.
inline constexpr int kMaxConcurrentPasswordHashes = 4;

/// argon2id with 64 MiB of memory and 3 passes (above OWASP's 19 MiB / 2 passes).
/// The returned string is self-describing ($argon2id$v=19$m=...,t=...,p=1$salt$hash).
absl::StatusOr<std::string> hash_password(std::string_view password);

/// True when `password` matches `encoded`; false on mismatch or a malformed hash.
bool verify_password(std::string_view password, const std::string& encoded);

/// True when `encoded` was made with weaker parameters than today's.
bool password_needs_rehash(const std::string& encoded);

}  // namespace hubtable::crypto
