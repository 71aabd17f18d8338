#include "crypto/pki.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace hubtable::crypto {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parse(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return X509Ptr(x);
}

// Verifies `leaf` against `ca` for `purpose` with OpenSSL's own chain check.
int verify(X509* ca, X509* leaf, int purpose) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  const int ok = X509_verify_cert(ctx);
  const int err = X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok == 1 ? X509_V_OK : err;
}

class PkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_key_ = *generate_p256_key_pem();
    CertificateSpec spec;
    spec.common_name = "test CA";
    ca_pem_ = *create_ca_certificate(ca_key_, spec);
  }
  std::string ca_key_;
  std::string ca_pem_;
};

TEST_F(PkiTest, ClientCertificateChainsToTheCaForClientAuthOnly) {
  const std::string key = *generate_p256_key_pem();
  CertificateSpec spec;
  spec.common_name = "rep.one";
  spec.usage = CertificateUsage::kClient;
  auto cert = issue_certificate(ca_pem_, ca_key_, key, spec);
  ASSERT_TRUE(cert.ok()) << cert.status();
  auto ca = parse(ca_pem_);
  auto leaf = parse(*cert);
  EXPECT_EQ(verify(ca.get(), leaf.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_NE(verify(ca.get(), leaf.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
  EVP_PKEY* pub = X509_get0_pubkey(leaf.get());
  EXPECT_EQ(EVP_PKEY_get_base_id(pub), EVP_PKEY_EC);
  EXPECT_EQ(EVP_PKEY_get_bits(pub), 256);
}

TEST_F(PkiTest, ServerCertificateCarriesItsNames) {
  CertificateSpec spec;
  spec.common_name = "hubtabled";
  spec.usage = CertificateUsage::kServer;
  spec.dns_names = {"hubtabled", "localhost"};
  spec.ip_addresses = {"127.0.0.1"};
  auto cert = issue_certificate(ca_pem_, ca_key_, *generate_p256_key_pem(), spec);
  ASSERT_TRUE(cert.ok());
  auto leaf = parse(*cert);
  EXPECT_EQ(verify(parse(ca_pem_).get(), leaf.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
  EXPECT_EQ(X509_check_host(leaf.get(), "hubtabled", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0), 1);
  EXPECT_NE(X509_check_host(leaf.get(), "evil.example", 0, 0, nullptr), 1);
}

TEST_F(PkiTest, CertificateFromAnotherCaDoesNotVerify) {
  const std::string other_key = *generate_p256_key_pem();
  CertificateSpec ca_spec;
  ca_spec.common_name = "other CA";
  const std::string other_ca = *create_ca_certificate(other_key, ca_spec);
  CertificateSpec spec;
  spec.common_name = "intruder";
  auto cert = issue_certificate(other_ca, other_key, *generate_p256_key_pem(), spec);
  EXPECT_NE(verify(parse(ca_pem_).get(), parse(*cert).get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
}

TEST_F(PkiTest, ThumbprintIsSha256OfDer) {
  auto t1 = certificate_thumbprint_pem(ca_pem_);
  ASSERT_TRUE(t1.ok());
  EXPECT_EQ(t1->size(), 64u);
  EXPECT_EQ(*certificate_thumbprint_pem(ca_pem_), *t1);
  EXPECT_FALSE(certificate_thumbprint_pem("not a certificate").ok());
  EXPECT_FALSE(issue_certificate(ca_pem_, "garbage", *generate_p256_key_pem(), {}).ok());
}

}  // namespace
}  // namespace hubtable::crypto
