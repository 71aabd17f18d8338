// `apply` against a real deployment: idempotence and refusals that need the
// database (vocabulary codes).

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace hubtable::provision
