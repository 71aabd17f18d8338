#include "crypto/pki.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

#include "crypto/bytes.h"
#include "crypto/hash.h"

namespace hubtable::crypto {

namespace {
struct Free {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(PKCS12* p) const { PKCS12_free(p); }
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};
using BioPtr = std::unique_ptr<BIO, Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using X509Ptr = std::unique_ptr<X509, Free>;

absl::StatusOr<std::string> key_to_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return absl::InternalError("pki: cannot encode private key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<std::size_t>(len));
  secure_zero(data, static_cast<std::size_t>(len));
  return pem;
}

absl::StatusOr<KeyPtr> key_from_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return absl::InvalidArgumentError("pki: cannot read private key");
  return key;
}

absl::StatusOr<X509Ptr> cert_from_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return absl::InvalidArgumentError("pki: cannot read certificate");
  return cert;
}

absl::StatusOr<std::string> cert_to_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return absl::InternalError("pki: cannot encode certificate");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

bool add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Builds and signs a certificate. `issuer` null means self-signed.
absl::StatusOr<std::string> build_certificate(EVP_PKEY* subject_key, X509* issuer,
                                              EVP_PKEY* issuer_key, const CertificateSpec& spec) {
  if (spec.common_name.empty()) return absl::InvalidArgumentError("pki: common name required");
  if (spec.validity_days <= 0) return absl::InvalidArgumentError("pki: validity must be > 0");
  X509Ptr cert(X509_new());
  if (!cert) return absl::InternalError("pki: allocation failed");
  X509_set_version(cert.get(), 2);

  // A random 127-bit serial (positive, as RFC 5280 requires).
  std::unique_ptr<BIGNUM, Free> serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return absl::InternalError("pki: serial generation failed");
  }
  const std::time_t start = spec.not_before_unix != 0 ? spec.not_before_unix : std::time(nullptr);
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), start) == nullptr ||
      ASN1_TIME_adj(X509_getm_notAfter(cert.get()), start, spec.validity_days, 0) == nullptr) {
    return absl::InternalError("pki: validity encoding failed");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  auto add_name = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                      0) == 1;
  };
  if (!add_name("O", spec.organization) || !add_name("CN", spec.common_name)) {
    return absl::InvalidArgumentError("pki: invalid subject name");
  }
  X509* signer = issuer != nullptr ? issuer : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1 ||
      X509_set_pubkey(cert.get(), subject_key) != 1) {
    return absl::InternalError("pki: cannot set issuer or key");
  }

  bool ok = add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) {
    ok = ok && add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  }
  switch (spec.usage) {
    case CertificateUsage::kCertificateAuthority:
      ok = ok &&
           add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
      ok = ok && add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
      break;
    case CertificateUsage::kServer:
      ok = ok && add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
      ok = ok && add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
      ok = ok && add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
      break;
    case CertificateUsage::kClient:
      ok = ok && add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
      ok = ok && add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
      ok = ok && add_extension(cert.get(), signer, NID_ext_key_usage, "clientAuth");
      break;
  }
  std::string san;
  for (const auto& dns : spec.dns_names) san += (san.empty() ? "" : ",") + ("DNS:" + dns);
  for (const auto& ip : spec.ip_addresses) san += (san.empty() ? "" : ",") + ("IP:" + ip);
  if (!san.empty()) ok = ok && add_extension(cert.get(), signer, NID_subject_alt_name, san);
  if (!ok) return absl::InvalidArgumentError("pki: invalid certificate extension");

  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) {
    return absl::InternalError("pki: signing failed");
  }
  return cert_to_pem(cert.get());
}
}  // namespace

absl::StatusOr<std::string> generate_p256_key_pem() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return absl::InternalError("pki: P-256 key generation failed");
  return key_to_pem(key.get());
}

absl::StatusOr<std::string> generate_ed25519_key_pem() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return absl::InternalError("pki: Ed25519 key generation failed");
  return key_to_pem(key.get());
}

absl::StatusOr<std::string> create_ca_certificate(const std::string& key_pem,
                                                  const CertificateSpec& spec) {
  auto key = key_from_pem(key_pem);
  if (!key.ok()) return key.status();
  CertificateSpec ca = spec;
  ca.usage = CertificateUsage::kCertificateAuthority;
  return build_certificate(key->get(), nullptr, key->get(), ca);
}

absl::StatusOr<std::string> issue_certificate(const std::string& ca_cert_pem,
                                              const std::string& ca_key_pem,
                                              const std::string& subject_key_pem,
                                              const CertificateSpec& spec) {
  auto ca_cert = cert_from_pem(ca_cert_pem);
  if (!ca_cert.ok()) return ca_cert.status();
  auto ca_key = key_from_pem(ca_key_pem);
  if (!ca_key.ok()) return ca_key.status();
  auto subject = key_from_pem(subject_key_pem);
  if (!subject.ok()) return subject.status();
  if (spec.usage == CertificateUsage::kCertificateAuthority) {
    return absl::InvalidArgumentError("pki: use create_ca_certificate for a CA");
  }
  return build_certificate(subject->get(), ca_cert->get(), ca_key->get(), spec);
}

absl::StatusOr<std::string> certificate_thumbprint_pem(const std::string& cert_pem) {
  auto cert = cert_from_pem(cert_pem);
  if (!cert.ok()) return cert.status();
  unsigned char* der = nullptr;
  int len = i2d_X509(cert->get(), &der);
  if (len <= 0) return absl::InternalError("pki: DER encoding failed");
  Digest digest = sha256(ByteView(der, static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return to_hex(digest);
}

absl::StatusOr<std::string> pkcs12_der(const std::string& cert_pem, const std::string& key_pem,
                                       const std::string& ca_cert_pem, const std::string& name,
                                       const std::string& passphrase) {
  auto cert = cert_from_pem(cert_pem);
  if (!cert.ok()) return cert.status();
  auto key = key_from_pem(key_pem);
  if (!key.ok()) return key.status();
  auto ca = cert_from_pem(ca_cert_pem);
  if (!ca.ok()) return ca.status();
  std::unique_ptr<STACK_OF(X509), Free> chain(sk_X509_new_null());
  if (!chain || sk_X509_push(chain.get(), ca->get()) == 0) {
    return absl::InternalError("pki: cannot build the PKCS#12 chain");
  }
  X509_up_ref(ca->get());
  std::unique_ptr<PKCS12, Free> p12(PKCS12_create_ex(
      passphrase.c_str(), name.c_str(), key->get(), cert->get(), chain.get(), NID_aes_256_cbc,
      NID_aes_256_cbc, PKCS12_DEFAULT_ITER, PKCS12_DEFAULT_ITER, 0, nullptr, nullptr));
  if (!p12 || PKCS12_set_mac(p12.get(), passphrase.c_str(), static_cast<int>(passphrase.size()),
                             nullptr, 0, PKCS12_DEFAULT_ITER, EVP_sha256()) != 1) {
    return absl::InternalError("pki: cannot create the PKCS#12 file");
  }
  unsigned char* der = nullptr;
  const int len = i2d_PKCS12(p12.get(), &der);
  if (len <= 0) return absl::InternalError("pki: cannot encode the PKCS#12 file");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace hubtable::crypto
