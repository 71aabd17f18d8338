#pragma once
// The one function that builds the server's TLS context.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "wire/asio.h"

namespace hubtable::net {

/// TLS 1.3 (1.2 only with ECDHE + AEAD suites), client certificates required
/// and verified against `ca_cert` only (clientAuth purpose), ALPN hubtable/1
/// (the framed protocol) or http/1.1 (browsers), the former preferred,
/// no compression, no renegotiation, no session tickets. A client
/// certificate for which `is_revoked` (given its hex SHA-256 thumbprint)
/// answers true fails the handshake (alert certificate_revoked), before a
/// byte of the protocol is read. `is_revoked` is called on I/O threads and
/// must not block.
using RevocationCheck = std::function<bool(const std::string& thumbprint)>;
absl::StatusOr<std::unique_ptr<ssl::context>> make_server_tls_context(
    const std::filesystem::path& ca_cert, const std::filesystem::path& server_cert,
    const std::filesystem::path& server_key, RevocationCheck is_revoked = nullptr);

/// The hex SHA-256 thumbprint of the peer's certificate, or empty.
std::string peer_thumbprint(SSL* ssl);

/// What the handshake's ALPN chose.
enum class Protocol { kNone, kFrames, kHttp };
Protocol negotiated_protocol(SSL* ssl);

/// The ALPN name browsers use for HTTPS.
inline constexpr std::string_view kHttpAlpn = "http/1.1";

}  // namespace hubtable::net
