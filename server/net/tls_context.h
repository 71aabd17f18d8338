#pragma once
// The one function that builds the server's TLS context.

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "wire/asio.h"

namespace hubtable::net {

/// TLS 1.3 (1.2 only with ECDHE + AEAD suites), client certificates required
/// and verified against `ca_cert` only (clientAuth purpose), ALPN hubtable/1,
/// no compression, no renegotiation, no session tickets.
absl::StatusOr<std::unique_ptr<ssl::context>> make_server_tls_context(
    const std::filesystem::path& ca_cert, const std::filesystem::path& server_cert,
    const std::filesystem::path& server_key);

/// The hex SHA-256 thumbprint of the peer's certificate, or empty.
std::string peer_thumbprint(SSL* ssl);

/// True when the handshake selected the hubtable ALPN protocol.
bool alpn_agreed(SSL* ssl);

}  // namespace hubtable::net
