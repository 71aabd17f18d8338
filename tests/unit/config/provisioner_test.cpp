// `apply` against a real deployment: idempotence and refusals that need the
// database (vocabulary codes).

#include <gtest/gtest.h>

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
  for (const auto& e : hubtable::testing::read_audit_events(*dep->db)) {
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

}  // namespace
}  // namespace hubtable::provision
