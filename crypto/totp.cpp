#include "crypto/totp.h"

#include <liboath/oath.h>

#include <cstdlib>
#include <memory>

namespace hubtable::crypto {

std::string totp_associated_data(std::int64_t user_id) {
  return "hubtable/totp/user/" + std::to_string(user_id);
}

namespace {
bool ensure_oath() {
  static const bool ready = oath_init() == OATH_OK;
  return ready;
}

int oath_flags(TotpAlgorithm algorithm) {
  switch (algorithm) {
    case TotpAlgorithm::kSha1:
      return 0;
    case TotpAlgorithm::kSha256:
      return OATH_TOTP_HMAC_SHA256;
    case TotpAlgorithm::kSha512:
      return OATH_TOTP_HMAC_SHA512;
  }
  return 0;
}

const char* algorithm_name(TotpAlgorithm algorithm) {
  switch (algorithm) {
    case TotpAlgorithm::kSha1:
      return "SHA1";
    case TotpAlgorithm::kSha256:
      return "SHA256";
    case TotpAlgorithm::kSha512:
      return "SHA512";
  }
  return "SHA1";
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}
}  // namespace

absl::StatusOr<std::string> totp_generate(ByteView secret, std::int64_t unix_seconds,
                                          const TotpParams& params) {
  if (!ensure_oath()) return absl::InternalError("totp: liboath failed to initialise");
  if (params.digits < 6 || params.digits > 8) {
    return absl::InvalidArgumentError("totp: digits must be 6..8");
  }
  if (params.period_seconds == 0) return absl::InvalidArgumentError("totp: period must be > 0");
  char out[16] = {};
  int rc = oath_totp_generate2(reinterpret_cast<const char*>(secret.data()), secret.size(),
                               static_cast<time_t>(unix_seconds), params.period_seconds, 0,
                               params.digits, oath_flags(params.algorithm), out);
  if (rc != OATH_OK) return absl::InternalError("totp: generation failed");
  return std::string(out);
}

std::optional<std::int64_t> totp_verify(ByteView secret, std::string_view code,
                                        std::int64_t unix_seconds, const TotpParams& params) {
  if (code.size() != params.digits || params.period_seconds == 0) return std::nullopt;
  const std::int64_t step = unix_seconds / static_cast<std::int64_t>(params.period_seconds);
  std::optional<std::int64_t> matched;
  // Check every candidate so timing does not reveal which step matched.
  for (std::int64_t candidate = step - 1; candidate <= step + 1; ++candidate) {
    if (candidate < 0) continue;
    auto expected =
        totp_generate(secret, candidate * static_cast<std::int64_t>(params.period_seconds), params);
    if (!expected.ok()) return std::nullopt;
    if (constant_time_equal(as_bytes(*expected), as_bytes(code)) && !matched) matched = candidate;
  }
  return matched;
}

std::string base32_encode(ByteView data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t b : data) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 0x1f]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 0x1f]);
  return out;
}

std::optional<Bytes> base32_decode(std::string_view text) {
  Bytes out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a';
    if (c >= '2' && c <= '7') v = c - '2' + 26;
    if (c == '=' || c == ' ') continue;
    if (v < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<std::uint8_t>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, ByteView secret,
                        const TotpParams& params) {
  std::string uri = "otpauth://totp/";
  uri += percent_encode(issuer);
  uri += ':';
  uri += percent_encode(account);
  uri += "?secret=" + base32_encode(secret);
  uri += "&issuer=" + percent_encode(issuer);
  uri += std::string("&algorithm=") + algorithm_name(params.algorithm);
  uri += "&digits=" + std::to_string(params.digits);
  uri += "&period=" + std::to_string(params.period_seconds);
  return uri;
}

}  // namespace hubtable::crypto
