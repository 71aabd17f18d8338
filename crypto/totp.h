#pragma once
// Time-based one-time passwords (RFC 6238) on liboath.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crypto/bytes.h"

namespace hubtable::crypto {

enum class TotpAlgorithm { kSha1, kSha256, kSha512 };

struct TotpParams {
  TotpAlgorithm algorithm = TotpAlgorithm::kSha1;  // what authenticator apps expect
  unsigned digits = 6;
  unsigned period_seconds = 30;
};

/// The code for the time step containing `unix_seconds`.
absl::StatusOr<std::string> totp_generate(ByteView secret, std::int64_t unix_seconds,
                                          const TotpParams& params = {});

/// Checks `code` against the steps at `unix_seconds` and one step either side
/// (constant-time comparison). Returns the matched time step so the caller can
/// refuse a code at or before the last accepted step (no reuse).
std::optional<std::int64_t> totp_verify(ByteView secret, std::string_view code,
                                        std::int64_t unix_seconds, const TotpParams& params = {});

/// RFC 4648 base32 without padding, as used in otpauth:// URIs.
std::string base32_encode(ByteView data);

/// Decodes base32 (padding and case ignored); nullopt when malformed.
std::optional<Bytes> base32_decode(std::string_view text);

/// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account, ByteView secret,
                        const TotpParams& params = {});

/// Associated data binding a sealed TOTP secret to its account: a secret
/// moved to another account's row does not open.
std::string totp_associated_data(std::int64_t user_id);

}  // namespace hubtable::crypto
