#include "net/tls_context.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "wire/protocol.h"

namespace hubtable::net {

namespace {
// ALPN wire format: length-prefixed protocol names, ours first.
const std::string& alpn_wire() {
  static const std::string wire = [] {
    std::string out;
    for (std::string_view name : {wire::kAlpnProtocol, kHttpAlpn}) {
      out.push_back(static_cast<char>(name.size()));
      out.append(name);
    }
    return out;
  }();
  return wire;
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  const std::string& ours = alpn_wire();
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, reinterpret_cast<const unsigned char*>(ours.data()),
                            static_cast<unsigned int>(ours.size()), in,
                            inlen) == OPENSSL_NPN_NEGOTIATED) {
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

std::string thumbprint_of(X509* cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  if (len <= 0) return {};
  auto digest = crypto::sha256(crypto::ByteView(der, static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return crypto::to_hex(digest);
}
}  // namespace

absl::StatusOr<std::unique_ptr<ssl::context>> make_server_tls_context(
    const std::filesystem::path& ca_cert, const std::filesystem::path& server_cert,
    const std::filesystem::path& server_key, RevocationCheck is_revoked) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET |
                                  SSL_OP_SINGLE_ECDH_USE);
  // No session is resumed: a resumed session would skip the certificate
  // checks below (the revocation list among them), and the cache kept every
  // closed connection's session with its client certificate (13 MB after
  // 2,000 connections had come and gone). No tickets, then, and no cache.
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(native, 0);
  // An idle connection holds no TLS record buffers (about 34 KB).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_cipher_list(native,
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305") != 1 ||
      SSL_CTX_set1_groups_list(native, "X25519:P-256:P-384") != 1) {
    return absl::InternalError("TLS: cannot set cipher suites or groups");
  }
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(server_cert.string(), ec);
  if (ec) return absl::FailedPreconditionError("TLS: cannot load " + server_cert.string());
  ctx->use_private_key_file(server_key.string(), ssl::context::pem, ec);
  if (ec) return absl::FailedPreconditionError("TLS: cannot load " + server_key.string());
  if (SSL_CTX_check_private_key(native) != 1) {
    return absl::FailedPreconditionError("TLS: server key does not match its certificate");
  }
  // Trust exactly the deployment CA, nothing from the system store.
  ctx->load_verify_file(ca_cert.string(), ec);
  if (ec) return absl::FailedPreconditionError("TLS: cannot load CA " + ca_cert.string());
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca_cert.string().c_str());
  if (names == nullptr) return absl::FailedPreconditionError("TLS: cannot read CA names");
  SSL_CTX_set_client_CA_list(native, names);
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_verify_depth(native, 2);
  SSL_CTX_set_purpose(native, X509_PURPOSE_SSL_CLIENT);
  SSL_CTX_set_alpn_select_cb(native, select_alpn, nullptr);
  if (is_revoked) {
    // The context owns the callback; the verify mode set above is kept.
    ctx->set_verify_callback(
        [check = std::move(is_revoked)](bool preverified, ssl::verify_context& vc) {
          X509_STORE_CTX* store = vc.native_handle();
          if (!preverified || X509_STORE_CTX_get_error_depth(store) != 0) return preverified;
          X509* leaf = X509_STORE_CTX_get_current_cert(store);
          if (leaf == nullptr || !check(thumbprint_of(leaf))) return true;
          X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REVOKED);
          return false;
        });
  }
  return ctx;
}

std::string peer_thumbprint(SSL* ssl) {
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (peer == nullptr) return {};
  return thumbprint_of(peer);
}

Protocol negotiated_protocol(SSL* ssl) {
  const unsigned char* proto = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl, &proto, &len);
  if (proto == nullptr) return Protocol::kNone;
  const std::string_view name(reinterpret_cast<const char*>(proto), len);
  if (name == wire::kAlpnProtocol) return Protocol::kFrames;
  if (name == kHttpAlpn) return Protocol::kHttp;
  return Protocol::kNone;
}

}  // namespace hubtable::net
