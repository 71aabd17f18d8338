#pragma once
// The deployment's own PKI: a CA, a server certificate and per-user client
// certificates, all ECDSA P-256, made through OpenSSL's APIs.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace hubtable::crypto {

enum class CertificateUsage { kCertificateAuthority, kServer, kClient };

struct CertificateSpec {
  std::string common_name;
  std::string organization = "hubtable";
  std::vector<std::string> dns_names;     // subjectAltName DNS entries (server)
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries (server)
  std::int64_t not_before_unix = 0;       // 0: now
  int validity_days = 365;
  CertificateUsage usage = CertificateUsage::kClient;
};

/// A new ECDSA P-256 private key, PKCS#8 PEM.
absl::StatusOr<std::string> generate_p256_key_pem();

/// A new Ed25519 private key, PKCS#8 PEM (the audit signing key).
absl::StatusOr<std::string> generate_ed25519_key_pem();

/// A self-signed CA certificate for `key_pem` (PEM).
absl::StatusOr<std::string> create_ca_certificate(const std::string& key_pem,
                                                  const CertificateSpec& spec);

/// A certificate for the public half of `subject_key_pem`, signed by the CA.
absl::StatusOr<std::string> issue_certificate(const std::string& ca_cert_pem,
                                              const std::string& ca_key_pem,
                                              const std::string& subject_key_pem,
                                              const CertificateSpec& spec);

/// A PKCS#12 file of the certificate, its key and the CA, for a browser to
/// import: key and certificates encrypted with AES-256-CBC under
/// PBKDF2-HMAC-SHA256 of `passphrase`, the MAC HMAC-SHA256. `name` is the
/// friendly name a browser shows.
absl::StatusOr<std::string> pkcs12_der(const std::string& cert_pem, const std::string& key_pem,
                                       const std::string& ca_cert_pem, const std::string& name,
                                       const std::string& passphrase);

/// Hex SHA-256 of the certificate's DER encoding.
absl::StatusOr<std::string> certificate_thumbprint_pem(const std::string& cert_pem);

}  // namespace hubtable::crypto
