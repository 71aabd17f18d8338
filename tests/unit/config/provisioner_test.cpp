// `apply` against a real deployment: idempotence and refusals that need the
// database (vocabulary codes).

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include "store/governance.h"
#include "tests/support/audit_events.h"
#include "tests/support/deployment.h"

namespace hubtable::provision {
namespace {

using hubtable::testing::kTestTable;
using hubtable::testing::TestDeployment;

std::string apply_error(TestDeployment& d, const std::string& text) {
  try {
    d.apply_text(text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(Provisioner, UnknownSectorIsRefusedAndNothingChanges) {
  TestDeployment d;
  std::string text = kTestTable;
  text.replace(text.find("sector = \"POLICE\""), 17, "sector = \"WIZARDS\"");
  text += "\n[[agency]]\ncode = \"new\"\nname = \"New\"\nsector = \"HOUSING\"\n";
  EXPECT_NE(apply_error(d, text).find("agency 'police': unknown sector 'WIZARDS'"),
            std::string::npos);
  auto dep = open_deployment(d.config_path());
  ASSERT_TRUE(dep.ok());
  auto count = dep->db->read([](store::Connection& c) {
    auto s = c.prepare("SELECT count(*) FROM agencies WHERE code = 'new'");
    (void)s->step();
    return s->integer(0);
  });
  EXPECT_EQ(count, 0) << "a refused apply must change nothing";
}

TEST(Provisioner, TableVocabularyIsAddedOnceAndAuditedAndCannotShadowDefaults) {
  TestDeployment d;
  const std::string entry =
      "\n[[vocabulary]]\ntable = \"t1\"\nkind = \"risk_factor\"\ncode = \"ALC-OTHER\"\n"
      "label = \"Other alcohol harm\"\nparent = \"ALC\"\n";
  d.apply_text(std::string(kTestTable) + entry);
  d.apply_text(std::string(kTestTable) + entry);  // idempotent
  auto dep = open_deployment(d.config_path());
  int created = 0;
  for (const auto& e : ::hubtable::testing::read_audit_events(*dep->db)) {
    if (e.action() == "admin.vocabulary_created") {
      ++created;
      EXPECT_EQ(e.target(), "t1/risk_factor/ALC-OTHER");
    }
  }
  EXPECT_EQ(created, 1);
  dep.value().db.reset();
  EXPECT_NE(apply_error(d, std::string(kTestTable) +
                               "\n[[vocabulary]]\ntable = \"t1\"\nkind = \"sector\"\n"
                               "code = \"POLICE\"\nlabel = \"Mine\"\n")
                .find("is a default entry"),
            std::string::npos);
  EXPECT_NE(apply_error(d, std::string(kTestTable) +
                               "\n[[vocabulary]]\ntable = \"t1\"\nkind = \"risk_factor\"\n"
                               "code = \"ZZZ-1\"\nlabel = \"Z\"\nparent = \"ZZZ\"\n")
                .find("unknown risk_category 'ZZZ'"),
            std::string::npos);
}

namespace hubtable::provision {
namespace {

// A governance date recorded by `admin governance` and an apply file that
// does not mention it: applying the file again leaves the date alone.
TEST(Provisioner, ApplyKeepsGovernanceDatesItDoesNotState) {
  TestDeployment d;
  const std::string extra = R"toml(
[[agency]]
code = "vs"
name = "Victim Services"
sector = "VICTIM_SERVICES"

[[user]]
username = "rep.vs"
name = "Rep Victim Services"
agency = "vs"
roles = [{ table = "t2", role = "REP" }]
)toml";
  std::string text = kTestTable;
  text.insert(text.find("[[table]]"), extra.substr(0, extra.find("[[user]]")));
  text += extra.substr(extra.find("[[user]]"));
  text.replace(text.find("agencies = [\"housing\"]"), 22, "agencies = [\"housing\", \"vs\"]");
  d.apply_text(text);
  auto dates = [&] {
    auto dep = open_deployment(d.config_path());
    EXPECT_TRUE(dep.ok());
    return dep->db->read([](store::Connection& c) {
      auto s = c.prepare(
          "SELECT COALESCE(a.isa_signed_on, '') || '/' || COALESCE(a.isa_expires_on, '') || '/' "
          "|| COALESCE(u.confidentiality_signed_on, '') FROM users u JOIN agencies a "
          "ON a.id = u.agency_id WHERE u.username = 'rep.vs'");
      (void)s->step();
      return s->text(0);
    });
  };
  EXPECT_EQ(dates(), "//");
  {
    auto dep = open_deployment(d.config_path());
    ASSERT_TRUE(dep.ok());
    auto s = dep->db->write([](store::Connection& c) -> absl::Status {
      auto isa = store::set_agency_isa(c, "vs", "2026-01-05", "2028-01-05");
      if (!isa.ok()) return isa.status();
      auto conf = store::set_user_confidentiality(c, "rep.vs", "2026-01-06");
      return conf.ok() ? absl::OkStatus() : conf.status();
    });
    ASSERT_TRUE(s.ok()) << s;
  }
  ASSERT_EQ(dates(), "2026-01-05/2028-01-05/2026-01-06");
  auto file = parse_apply_text(text);
  ASSERT_TRUE(file.ok());
  auto dep = open_deployment(d.config_path());
  ASSERT_TRUE(dep.ok());
  domain::SystemClock clock;
  auto report = apply(*dep, *file, d.profiles_dir(), clock, crypto::system_random());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->agencies_updated, 0);
  EXPECT_EQ(report->users_updated, 0);
  EXPECT_EQ(dates(), "2026-01-05/2028-01-05/2026-01-06") << "apply erased recorded agreements";
  // A date the file does state is the file's.
  std::string stated = text;
  stated.insert(stated.rfind("roles = [{ table = \"t2\", role = \"REP\" }]"),
                "confidentiality_signed = 2026-02-01\n");
  d.apply_text(stated);
  EXPECT_EQ(dates(), "2026-01-05/2028-01-05/2026-02-01");
}

}  // namespace
}  // namespace hubtable::provision

TEST(Provisioner, ApplyReissuesAProfileForAUserWhoseCertificateWasRevokedOnce) {
  TestDeployment d;
  auto file = parse_apply_text(kTestTable);
  ASSERT_TRUE(file.ok());
  auto dep = open_deployment(d.config_path());
  ASSERT_TRUE(dep.ok());
  domain::SystemClock clock;
  ::hubtable::testing::TempDir out;
  auto before = apply(*dep, *file, out.path(), clock, crypto::system_random());
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->profiles_reissued, 0) << "every user holds a live certificate";
  auto refused = reissue_profile(*dep, "rep.mh", false, out.path(), clock, crypto::system_random());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(out.path() / "rep.mh"));
  ASSERT_TRUE(revoke_certificates(*dep, "rep.mh", clock).ok());
  auto after = apply(*dep, *file, out.path(), clock, crypto::system_random());
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->profiles_reissued, 1);
  ASSERT_EQ(after->profiles.size(), 1u);
  EXPECT_EQ(after->profiles[0], out.path() / "rep.mh");
  EXPECT_TRUE(std::filesystem::exists(out.path() / "rep.mh" / "client.crt"));
  EXPECT_NE(::hubtable::testing::read_file(out.path() / "rep.mh" / "client.crt"),
            ::hubtable::testing::read_file(d.profile("rep.mh") / "client.crt"));
  auto again = apply(*dep, *file, out.path(), clock, crypto::system_random());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->profiles_reissued, 0) << "idempotent once reissued";
  int reissued = 0;
  for (const auto& e : ::hubtable::testing::read_audit_events(*dep->db)) {
    if (e.action() == "admin.profile_reissued") ++reissued;
  }
  EXPECT_EQ(reissued, 1);
}

// A browser's certificate: client.p12 opens with its passphrase only, holds
// the profile's own certificate and key and the deployment CA, encrypted
// with AES-256 (PBES2) under a SHA-256 MAC; the setup page says where to
// go and draws the authenticator's QR code. All three are the owner's alone.
TEST(Provisioner, EveryProfileHoldsABrowserCertificateItsPassphraseAndASetupPage) {
  TestDeployment d;
  const auto dir = d.profile("chair.one");
  for (const char* name : {"client.p12", "client.p12-passphrase", "browser-setup.html"}) {
    struct stat st {};
    ASSERT_EQ(::stat((dir / name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
  std::string passphrase = ::hubtable::testing::read_file(dir / "client.p12-passphrase");
  while (!passphrase.empty() && passphrase.back() == '\n') passphrase.pop_back();
  ASSERT_GE(passphrase.size(), 20u);
  const std::string der = ::hubtable::testing::read_file(dir / "client.p12");
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  PKCS12* p12 = d2i_PKCS12(nullptr, &bytes, static_cast<long>(der.size()));
  ASSERT_NE(p12, nullptr);
  EXPECT_EQ(PKCS12_verify_mac(p12, "not the passphrase", -1), 0);
  ASSERT_EQ(PKCS12_verify_mac(p12, passphrase.c_str(), -1), 1);
  const ASN1_OCTET_STRING* mac = nullptr;
  const X509_ALGOR* mac_alg = nullptr;
  PKCS12_get0_mac(&mac, &mac_alg, nullptr, nullptr, p12);
  const ASN1_OBJECT* mac_md = nullptr;
  X509_ALGOR_get0(&mac_md, nullptr, nullptr, mac_alg);
  EXPECT_EQ(OBJ_obj2nid(mac_md), NID_sha256);
  STACK_OF(PKCS7)* safes = PKCS12_unpack_authsafes(p12);
  ASSERT_NE(safes, nullptr);
  int encrypted = 0;
  for (int i = 0; i < sk_PKCS7_num(safes); ++i) {
    PKCS7* p7 = sk_PKCS7_value(safes, i);
    if (OBJ_obj2nid(p7->type) != NID_pkcs7_encrypted) continue;
    ++encrypted;
    const X509_ALGOR* alg = p7->d.encrypted->enc_data->algorithm;
    ASSERT_EQ(OBJ_obj2nid(alg->algorithm), NID_pbes2);
    auto* pbe2 = static_cast<PBE2PARAM*>(
        ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter));
    ASSERT_NE(pbe2, nullptr);
    EXPECT_EQ(OBJ_obj2nid(pbe2->encryption->algorithm), NID_aes_256_cbc);
    PBE2PARAM_free(pbe2);
  }
  sk_PKCS7_pop_free(safes, PKCS7_free);
  EXPECT_EQ(encrypted, 1);
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  ASSERT_EQ(PKCS12_parse(p12, passphrase.c_str(), &key, &cert, &ca), 1);
  EXPECT_EQ(X509_check_private_key(cert, key), 1);
  const std::string pem = ::hubtable::testing::read_file(dir / "client.crt");
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* profile_cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  ASSERT_NE(profile_cert, nullptr);
  EXPECT_EQ(X509_cmp(cert, profile_cert), 0);
  ASSERT_NE(ca, nullptr);
  EXPECT_EQ(sk_X509_num(ca), 1);
  X509_free(profile_cert);
  BIO_free(bio);
  sk_X509_pop_free(ca, X509_free);
  X509_free(cert);
  EVP_PKEY_free(key);
  PKCS12_free(p12);

  const std::string page = ::hubtable::testing::read_file(dir / "browser-setup.html");
  const std::string profile = ::hubtable::testing::read_file(dir / "profile.toml");
  const auto at = profile.find("server = \"") + 10;
  const std::string address = profile.substr(at, profile.find('"', at) - at);
  EXPECT_NE(page.find("href=\"https://" + address + "/\""), std::string::npos) << page;
  for (const char* said : {"Chrome", "Edge", "Firefox", "client.p12", "chair.one"}) {
    EXPECT_NE(page.find(said), std::string::npos) << said;
  }
  EXPECT_NE(page.find("<svg"), std::string::npos) << "the chair enrols an authenticator";
  EXPECT_EQ(page.find(passphrase), std::string::npos) << "the passphrase is a file of its own";
  EXPECT_EQ(page.find("http://"), page.find("http://www.w3.org/2000/svg"))
      << "nothing is fetched: the only URL besides the server's is the SVG namespace";
  // A rep without an authenticator gets the page without a code.
  EXPECT_EQ(
      ::hubtable::testing::read_file(d.profile("rep.police") / "browser-setup.html").find("<svg"),
      std::string::npos);
}

}  // namespace
}  // namespace hubtable::provision
