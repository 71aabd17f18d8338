#include "lib/tls.h"

#include <openssl/ssl.h>

#include "wire/protocol.h"

namespace hubtable::client {

absl::StatusOr<std::unique_ptr<ssl::context>> make_client_tls_context(const Profile& profile) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(native,
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305") != 1) {
    return absl::InternalError("TLS: cannot set cipher suites");
  }
  error_code ec;
  ctx->load_verify_file(profile.ca_certificate.string(), ec);
  if (ec) return absl::FailedPreconditionError("cannot load " + profile.ca_certificate.string());
  ctx->use_certificate_chain_file(profile.client_certificate.string(), ec);
  if (ec)
    return absl::FailedPreconditionError("cannot load " + profile.client_certificate.string());
  ctx->use_private_key_file(profile.client_key.string(), ssl::context::pem, ec);
  if (ec) return absl::FailedPreconditionError("cannot load " + profile.client_key.string());
  ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  ctx->set_verify_callback(ssl::host_name_verification(profile.server_name));
  std::string alpn = std::string(1, static_cast<char>(wire::kAlpnProtocol.size())) +
                     std::string(wire::kAlpnProtocol);
  if (SSL_CTX_set_alpn_protos(native, reinterpret_cast<const unsigned char*>(alpn.data()),
                              static_cast<unsigned int>(alpn.size())) != 0) {
    return absl::InternalError("TLS: cannot set ALPN");
  }
  return ctx;
}

}  // namespace hubtable::client
