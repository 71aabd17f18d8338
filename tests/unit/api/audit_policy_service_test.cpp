// What the audit says and who may read it: one reader policy for every
// audit request, the role each person acted in, logins that do not tell
// accounts apart, denials that mean a refusal of access, and the
// confidentiality agreement gating all case data.

#include <map>
#include <set>

#include "tests/unit/api/filter_fixture.h"

namespace hubtable::api {
namespace {

// A situation through Filters 3 and 4 with a break-glass reveal, so the
// log holds events of every kind: table t1's, the deployment's, alerts.
class AuditPolicyTest : public FilterTest {
 protected:
  AuditPolicyTest() : FilterTest([](config::Limits& l) { l.alerts.denials = 3; }) {}

  std::string scenario() {
    std::string id = accepted();
    EXPECT_EQ(identify(id, {person(kCanaryName)}).status().code(), v1::OK);
    EXPECT_EQ(join("rep.mh", id).status().code(), v1::OK);
    EXPECT_EQ(assign(id, "mh").status().code(), v1::OK);
    EXPECT_EQ(reveal("rep.mh", id).status().code(), v1::OK);  // after the lead: Filter 4
    v1::Request g;
    g.mutable_reveal_situation()->set_id(id);
    g.mutable_reveal_situation()->set_break_glass_justification(
        "Complaint review 2026-117 needs the record checked.");
    EXPECT_EQ(as("po.one", g).status().code(), v1::OK);
    return id;
  }

  std::vector<v1::AuditEvent> events_where(const std::function<bool(const v1::AuditEvent&)>& f) {
    std::vector<v1::AuditEvent> out;
    for (auto& e : audit_events()) {
      if (f(e)) out.push_back(std::move(e));
    }
    return out;
  }
};

TEST_F(AuditPolicyTest, EveryAuditRequestAppliesTheOneReaderPolicyToEveryCaller) {
  const std::string id = scenario();
  std::uint64_t t1_event = 0;
  std::uint64_t deployment_event = 0;
  for (const auto& e : audit_events()) {
    if (e.table() == "t1" && t1_event == 0) t1_event = e.sequence();
    if (e.table().empty() && !e.action().starts_with("alert.") && deployment_event == 0) {
      deployment_event = e.sequence();
    }
  }
  ASSERT_GT(t1_event, 0u);
  ASSERT_GT(deployment_event, 0u);

  // What each caller may read: "" (the deployment's events) and/or "t1";
  // empty: refused.
  const std::map<std::string, std::set<std::string>> readable = {
      {"rep.police", {}},    {"rep.mh", {}},         {"guest.one", {}}, {"rep.t2", {}},
      {"chair.one", {"t1"}}, {"po.one", {"", "t1"}}, {"admin", {""}},
  };
  auto parse = [](const std::string& bytes) {
    v1::AuditEvent e;
    EXPECT_TRUE(e.ParseFromString(bytes));
    return e;
  };
  for (const auto& [user, tables] : readable) {
    SCOPED_TRACE(user);
    const bool reader = !tables.empty();
    std::vector<std::pair<std::string, v1::Response>> answers;
    v1::Request r;
    r.mutable_audit_checkpoint();
    answers.emplace_back("checkpoint", as(user, r));
    r.Clear();
    r.mutable_audit_log()->set_limit(1000);
    answers.emplace_back("log", as(user, r));
    r.Clear();
    r.mutable_audit_query()->set_limit(1000);
    answers.emplace_back("query", as(user, r));
    r.Clear();
    r.mutable_audit_alerts();
    answers.emplace_back("alerts", as(user, r));
    r.Clear();
    r.mutable_audit_report_failure()->set_first_bad(1);
    r.mutable_audit_report_failure()->set_last_bad(1);
    r.mutable_audit_report_failure()->set_problem("changed");
    answers.emplace_back("report_failure", as(user, r));
    for (std::uint64_t seq : {t1_event, deployment_event}) {
      r.Clear();
      r.mutable_audit_proof()->set_sequence(seq);
      answers.emplace_back("proof", as(user, r));
    }
    r.Clear();
    r.mutable_audit_disclosures()->set_situation(id);
    const v1::Response disclosures = as(user, r);

    for (const auto& [what, a] : answers) {
      EXPECT_EQ(a.status().code(), reader ? v1::OK : v1::PERMISSION_DENIED)
          << what << ": " << a.status().message();
    }
    // The register is the table's events: only those who read them get it.
    EXPECT_EQ(disclosures.status().code(), tables.count("t1") ? v1::OK : v1::PERMISSION_DENIED)
        << disclosures.status().message();
    if (!reader) continue;
    for (const auto& entry : answers[1].second.audit_log().entries()) {
      if (!entry.event().empty()) {
        EXPECT_TRUE(tables.count(parse(entry.event()).table()));
      }
    }
    int read_from_log = 0;
    for (const auto& entry : answers[1].second.audit_log().entries()) {
      read_from_log += entry.event().empty() ? 0 : 1;
    }
    EXPECT_GT(read_from_log, 0);
    EXPECT_GT(answers[2].second.audit_query().events_size(), 0);
    for (const auto& e : answers[2].second.audit_query().events()) {
      EXPECT_TRUE(tables.count(e.table())) << e.action() << " of " << e.table();
    }
    for (const auto& entry : answers[3].second.audit_alerts().alerts()) {
      EXPECT_TRUE(tables.count(entry.event().table())) << entry.event().action();
      // The chair sees that break-glass happened, not why.
      if (user != "po.one") {
        EXPECT_TRUE(entry.justification().empty());
      }
    }
    for (std::size_t i : {5u, 6u}) {
      const auto& proof = answers[i].second.audit_proof();
      EXPECT_FALSE(proof.leaf_hash().empty());
      if (!proof.event().empty()) {
        EXPECT_TRUE(tables.count(parse(proof.event()).table()));
      }
    }
    if (tables.count("t1")) {
      EXPECT_GT(disclosures.audit_disclosures().disclosures_size(), 0);
    }
  }
}

TEST_F(AuditPolicyTest, EveryEventNamesTheRoleItsActorActedInAndLateRevealsAreFilterFour) {
  const std::string id = scenario();
  int checked = 0;
  for (const auto& e : audit_events()) {
    if (e.actor().user_id() == 0 || e.action().starts_with("auth.")) continue;
    ++checked;
    EXPECT_NE(e.actor().role(), v1::ROLE_UNSPECIFIED)
        << e.action() << " by " << e.actor().username();
  }
  EXPECT_GT(checked, 5);
  const auto decided = events_where([](const auto& e) { return e.action() == "situation.decide"; });
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].actor().role(), v1::CHAIR);
  const auto reveals = events_where([](const auto& e) {
    return e.action() == "situation.reveal" && e.outcome() == v1::AUDIT_OK;
  });
  ASSERT_EQ(reveals.size(), 2u);
  EXPECT_EQ(reveals[0].actor().role(), v1::REP);
  EXPECT_EQ(reveals[0].filter_stage(), 4u) << "revealed after the lead was named";
  EXPECT_EQ(reveals[1].actor().role(), v1::PRIVACY_OFFICER);

  v1::Request r;
  r.mutable_audit_disclosures()->set_situation(id);
  const auto reg = as("po.one", r);
  ASSERT_EQ(reg.status().code(), v1::OK) << reg.status().message();
  std::multiset<std::string> recipients;
  for (const auto& d : reg.audit_disclosures().disclosures()) {
    recipients.insert(d.recipient().username() + " as " + v1::Role_Name(d.recipient().role()) +
                      " at filter " + std::to_string(d.filter_stage()));
  }
  EXPECT_EQ(recipients, (std::multiset<std::string>{"po.one as PRIVACY_OFFICER at filter 4",
                                                    "rep.mh as REP at filter 4",
                                                    "rep.police as REP at filter 3"}));
}

TEST_F(AuditPolicyTest, AnUnknownAccountAndAWrongPasswordAnswerAlike) {
  first_login("rep.police");
  const auto unknown = login("nobody.here", "some-password-123");
  const auto wrong = login("rep.police", "some-password-123");
  EXPECT_EQ(unknown.status().code(), v1::UNAUTHENTICATED);
  EXPECT_EQ(unknown.status().code(), wrong.status().code());
  EXPECT_EQ(unknown.status().message(), wrong.status().message());
  EXPECT_EQ(unknown.status().rule(), "auth.bad_credentials");
  EXPECT_EQ(wrong.status().rule(), "auth.bad_credentials");
  // The audit keeps the difference, for the privacy officer.
  const auto refused = events_where(
      [](const auto& e) { return e.action() == "auth.login" && e.outcome() == v1::AUDIT_DENIED; });
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused[0].rule(), "auth.unknown_account");
  EXPECT_EQ(refused[1].rule(), "auth.bad_password");
}

TEST_F(AuditPolicyTest, OnlyRefusalsOfAccessCountAsRepeatedDenials) {
  // A first login that asks for a new password, and one that asks for the
  // authenticator code, are steps, not denials.
  const auto step = login("rep.police", dep_.one_time_password("rep.police"));
  EXPECT_EQ(step.status().rule(), "auth.password_change_required");
  const auto code_step = login("chair.one", dep_.one_time_password("chair.one"), "", kNewPassword);
  EXPECT_EQ(code_step.status().rule(), "auth.totp_required");
  const auto steps = events_where([](const auto& e) {
    return e.rule() == "auth.password_change_required" || e.rule() == "auth.totp_required";
  });
  ASSERT_EQ(steps.size(), 2u);
  for (const auto& e : steps) EXPECT_EQ(e.outcome(), v1::AUDIT_INCOMPLETE) << e.rule();

  // A chair mistyping codes is not probing anything.
  clock_.advance_us(105 * kMinuteUs);
  ASSERT_EQ(open().status().code(), v1::OK);
  for (int i = 0; i < 6; ++i) {
    auto s = submission();
    s.set_age_band("16-18");
    EXPECT_EQ(submit("rep.police", s).status().rule(), "vocabulary.unknown_code");
    EXPECT_EQ(decide("NOPE1-NOPE2", false, "NOT_A_REASON").status().code(), v1::INVALID_ARGUMENT);
  }
  auto alerts = [&] {
    return events_where([](const auto& e) { return e.action() == "alert.repeated_denials"; });
  };
  EXPECT_TRUE(alerts().empty());
  // Three refusals of permission are.
  const std::string id = submit_ok();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(decide(id, true, "", "rep.mh").status().code(), v1::PERMISSION_DENIED);
  }
  const auto raised = alerts();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].alert().subject(), "rep.mh");
  EXPECT_EQ(raised[0].alert().count(), 3u);
}

TEST_F(AuditPolicyTest, WithoutAConfidentialityAgreementNoCaseDataReachesARep) {
  const std::string id = accepted();
  ASSERT_EQ(governance("", "rep.mh", "").status().code(), v1::OK);  // not signed
  v1::Request agenda_request;
  agenda_request.mutable_agenda();
  for (const auto& r : {list("rep.mh"), show("rep.mh", id), as("rep.mh", agenda_request),
                        submit("rep.mh", submission())}) {
    expect_refused(r, v1::PERMISSION_DENIED, "governance.confidentiality_unsigned");
    EXPECT_FALSE(r.has_list_situations() && r.list_situations().situations_size() > 0);
  }
  // What is not case data stays theirs.
  v1::Request who;
  who.mutable_whoami();
  EXPECT_EQ(as("rep.mh", who).status().code(), v1::OK);
  EXPECT_EQ(check_in("rep.mh").status().code(), v1::OK);
  // Once it is recorded, the record is theirs again.
  ASSERT_EQ(governance("", "rep.mh", "2025-01-02").status().code(), v1::OK);
  EXPECT_EQ(show("rep.mh", id).status().code(), v1::OK);
}

}  // namespace
}  // namespace hubtable::api
