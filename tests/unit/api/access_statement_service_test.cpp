// A privacy officer's statement for a person's access request, through the
// service on a real encrypted database: the person's situations are found by
// name and date of birth (spelled as people spell them), the answer is their
// disclosure registers and nothing else, the names searched for are stored
// nowhere, the reason is sealed, and the other privacy officers and the
// chairs are alerted, as for break-glass. Only a privacy officer asks; bad
// input is refused without echoing it and changes nothing.

#include "store/identity_vault.h"
#include "tests/unit/api/filter_fixture.h"

namespace hubtable::api {
namespace {

constexpr const char* kReason =
    "Access request ATIP-2026-Zelkova-0412 received by the privacy office on 2026-11-20";

class AccessStatementTest : public FilterTest {
 protected:
  static v1::Request statement(const std::vector<std::pair<std::string, std::string>>& people,
                               const std::string& reason = kReason) {
    v1::Request r;
    auto* a = r.mutable_audit_access_statement();
    for (const auto& [name, dob] : people) {
      auto* p = a->add_people();
      p->set_name(name);
      p->set_date_of_birth(dob);
    }
    a->set_reason(reason);
    return r;
  }

  // Situations from police accepted at one meeting, each identified with
  // `names` (one person each), in order.
  std::vector<std::string> identified(const std::vector<std::string>& names) {
    clock_.advance_us(105 * kMinuteUs);
    EXPECT_EQ(open().status().code(), v1::OK);
    EXPECT_EQ(check_in("rep.police").status().code(), v1::OK);
    std::vector<std::string> ids;
    for (const auto& name : names) {
      ids.push_back(submit_ok());
      EXPECT_EQ(decide(ids.back(), true).status().code(), v1::OK);
      EXPECT_EQ(identify(ids.back(), {person(name)}).status().code(), v1::OK);
      clock_.advance_us(kMinuteUs);
    }
    return ids;
  }

  std::int64_t break_glass_rows() {
    auto n = deployment_.db->read([](store::Connection& c) -> absl::StatusOr<std::int64_t> {
      auto s = c.prepare("SELECT count(*) FROM break_glass");
      if (!s.ok()) return s.status();
      auto row = s->step();
      if (!row.ok()) return row.status();
      return s->integer(0);
    });
    EXPECT_TRUE(n.ok());
    return n.value_or(-1);
  }
};

TEST_F(AccessStatementTest, TheOfficerLearnsWhoReceivedWhatAboutThePersonAndNothingElse) {
  add_second_privacy_officer();
  const auto ids = identified({kCanaryName, "Someone Else Entirely", kCanaryName});
  ASSERT_EQ(simple("rep.mh", ids[0], 0).status().code(), v1::OK);  // joins
  ASSERT_EQ(simple("rep.mh", ids[0], 1).status().code(), v1::OK);  // reveals
  const std::size_t events_before = audit_events().size();

  // The name as the person writes it on the form: other case, no accent
  // folding needed, tokens in another order.
  auto r = as("po.one", statement({{"canarywell QZVORAK", "2010-03-14"}}));
  ASSERT_EQ(r.status().code(), v1::OK) << r.status().message();
  const auto& s = r.audit_access_statement();
  EXPECT_EQ(s.table(), "t1");
  EXPECT_TRUE(s.complete());
  ASSERT_EQ(s.situations_size(), 2);
  EXPECT_EQ(s.situations(0).situation(), ids[0]);
  EXPECT_EQ(s.situations(1).situation(), ids[2]);
  // The first: identified by police, revealed to mental health.
  ASSERT_EQ(s.situations(0).disclosures_size(), 2);
  const auto& identify_entry = s.situations(0).disclosures(0);
  EXPECT_EQ(identify_entry.action(), "situation.identify");
  EXPECT_EQ(identify_entry.recipient().username(), "rep.police");
  EXPECT_EQ(identify_entry.legal_authority(), "ON-MFIPPA-32-H");
  const auto& reveal_entry = s.situations(0).disclosures(1);
  EXPECT_EQ(reveal_entry.action(), "situation.reveal");
  EXPECT_EQ(reveal_entry.recipient().username(), "rep.mh");
  EXPECT_EQ(reveal_entry.recipient().agency(), "mh");
  EXPECT_NE(
      std::find(reveal_entry.data_elements().begin(), reveal_entry.data_elements().end(), "name"),
      reveal_entry.data_elements().end());
  EXPECT_EQ(s.situations(1).disclosures_size(), 1);
  // Nothing of the person or the situations is in the answer.
  const std::string bytes = r.SerializeAsString();
  for (const char* secret : {"Qzvorak", "Canarywell", "Canaryvale", "2010-03-14"}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
  }

  // One event, naming the fields searched with, with the sealed reason's id;
  // neither the names nor the reason in any event, nor in the files.
  const auto events = audit_events();
  std::vector<v1::AuditEvent> asked, alerted;
  for (const auto& e : events) {
    if (e.action() == "audit.access_statement") asked.push_back(e);
    if (e.action() == "alert.access_statement") alerted.push_back(e);
    const std::string raw = e.SerializeAsString();
    for (const char* secret : {"canarywell", "QZVORAK", "Zelkova"}) {
      EXPECT_EQ(raw.find(secret), std::string::npos) << secret << " in " << e.action();
    }
  }
  ASSERT_EQ(asked.size(), 1U);
  EXPECT_EQ(asked[0].outcome(), v1::AUDIT_OK);
  EXPECT_EQ(asked[0].actor().username(), "po.one");
  EXPECT_EQ(asked[0].table(), "t1");
  EXPECT_EQ(
      std::vector<std::string>(asked[0].data_elements().begin(), asked[0].data_elements().end()),
      (std::vector<std::string>{"name", "date_of_birth", "disclosure_register"}));
  EXPECT_NE(asked[0].break_glass_id(), 0U);
  ASSERT_EQ(alerted.size(), 1U);
  EXPECT_EQ(alerted[0].alert().subject(), "po.one");
  EXPECT_GT(audit_events().size(), events_before);
  const std::string files = data_bytes();
  for (const char* secret : {"canarywell", "QZVORAK", "Zelkova"}) {
    EXPECT_EQ(files.find(secret), std::string::npos) << secret;
  }

  // The other privacy officer reads the alert and the reason; the chair the
  // alert, not the reason.
  v1::Request alerts;
  alerts.mutable_audit_alerts()->set_kind("access_statement");
  auto other = as("po.two", alerts);
  ASSERT_EQ(other.status().code(), v1::OK) << other.status().message();
  ASSERT_EQ(other.audit_alerts().alerts_size(), 1);
  EXPECT_EQ(other.audit_alerts().alerts(0).justification(), kReason);
  auto chair = as("chair.one", alerts);
  ASSERT_EQ(chair.status().code(), v1::OK) << chair.status().message();
  ASSERT_EQ(chair.audit_alerts().alerts_size(), 1);
  EXPECT_TRUE(chair.audit_alerts().alerts(0).justification().empty());

  // A person the table never identified: an empty statement, still audited.
  auto none = as("po.one", statement({{"Nobody Known", "1990-01-01"}}));
  ASSERT_EQ(none.status().code(), v1::OK);
  EXPECT_EQ(none.audit_access_statement().situations_size(), 0);
  // Several names the person has used, one date of birth: the union.
  auto both = as("po.one",
                 statement({{"Someone Else Entirely", "2010-03-14"}, {kCanaryName, "2010-03-14"}}));
  ASSERT_EQ(both.status().code(), v1::OK);
  EXPECT_EQ(both.audit_access_statement().situations_size(), 3);
}

TEST_F(AccessStatementTest, OnlyAPrivacyOfficerAsksAndBadInputIsRefusedWithoutItsValue) {
  identified({kCanaryName});
  const std::int64_t sealed_before = break_glass_rows();
  const auto good = statement({{kCanaryName, "2010-03-14"}});
  for (const char* who : {"chair.one", "rep.police", "guest.one"}) {
    expect_refused(as(who, good), v1::PERMISSION_DENIED, "access_statement.privacy_officers_only");
  }
  auto at_t1 = good;
  at_t1.mutable_audit_access_statement()->set_table("t1");
  expect_refused(as("rep.t2", at_t1), v1::PERMISSION_DENIED, "table.not_member");
  expect_refused(as("po.one", statement({})), v1::INVALID_ARGUMENT, "access_statement.no_person");
  const auto bad_date = as("po.one", statement({{kCanaryName, "14/03/2010"}}));
  expect_refused(bad_date, v1::INVALID_ARGUMENT, "identify.bad_date");
  EXPECT_EQ(bad_date.status().message().find("14/03"), std::string::npos);
  expect_refused(as("po.one", statement({{"", "2010-03-14"}})), v1::INVALID_ARGUMENT,
                 "identify.missing_field");
  expect_refused(as("po.one", statement({{kCanaryName, "2010-03-14"}}, "too short")),
                 v1::INVALID_ARGUMENT, "access_statement.reason_length");
  std::vector<std::pair<std::string, std::string>> eleven(11, {kCanaryName, "2010-03-14"});
  expect_refused(as("po.one", statement(eleven)), v1::INVALID_ARGUMENT,
                 "access_statement.too_many_names");
  EXPECT_EQ(break_glass_rows(), sealed_before) << "a refusal sealed a reason";
  for (const auto& e : audit_events()) {
    EXPECT_EQ(e.SerializeAsString().find("Canarywell"), std::string::npos) << e.action();
  }
}

}  // namespace
}  // namespace hubtable::api
