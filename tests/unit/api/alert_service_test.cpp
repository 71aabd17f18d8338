// Alerts for the privacy officers and break-glass, through the service on a
// real encrypted database with a hand-moved clock: each rule fires when its
// threshold is reached, once per window, is recorded in the audit log and is
// pushed only to its audience; a break-glass justification is sealed, never
// in an event, and shown to privacy officers only.

#include <algorithm>
#include <functional>

#include "audit/audit_writer.h"
#include "tests/unit/api/filter_fixture.h"

namespace hubtable::api {
namespace {

// The justification's canary: it must reach no audit event, only the
// privacy officers who read the alert.
constexpr const char* kWhy =
    "Complaint Zelkova-7731 from the person: checking what the table disclosed and to whom";

class AlertTest : public FilterTest {
 protected:
  explicit AlertTest(const Tune& tune = {}) : FilterTest(tune) {}

  /// `user` watches on a connection of their own; returns what reaches it.
  std::shared_ptr<Collector> watching(const std::string& user) {
    auto sink = own_connection(user);
    EXPECT_EQ(watch(user).status().code(), v1::OK);
    return sink;
  }

  v1::Response break_glass(const std::string& user, const std::string& id, const std::string& why) {
    v1::Request r;
    r.mutable_reveal_situation()->set_id(id);
    r.mutable_reveal_situation()->set_break_glass_justification(why);
    return as(user, r);
  }

  v1::Response alerts(const std::string& user, const std::string& kind = "") {
    v1::Request r;
    r.mutable_audit_alerts()->set_kind(kind);
    return as(user, r);
  }

  std::vector<v1::AuditEvent> alert_events(const std::string& kind) {
    std::vector<v1::AuditEvent> out;
    for (auto& e : audit_events()) {
      if (e.action() == "alert." + kind) out.push_back(std::move(e));
    }
    return out;
  }

  static std::vector<std::string> kinds(const std::vector<v1::Event>& pushed) {
    std::vector<std::string> out;
    for (const auto& e : pushed) {
      if (e.kind().starts_with("alert.")) out.push_back(e.kind());
    }
    return out;
  }

  /// Situations from police accepted at the 10:00 meeting, identified.
  std::vector<std::string> accepted_and_identified(int n) {
    clock_.advance_us(105 * kMinuteUs);
    EXPECT_EQ(open().status().code(), v1::OK);
    EXPECT_EQ(check_in("rep.police").status().code(), v1::OK);
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      ids.push_back(submit_ok());
      EXPECT_EQ(decide(ids.back(), true).status().code(), v1::OK);
      EXPECT_EQ(identify(ids.back(), {person(kCanaryName)}).status().code(), v1::OK);
    }
    return ids;
  }
};

TEST_F(AlertTest, BreakGlassNeedsAJustificationKeepsItSealedAndAlertsTheOthers) {
  add_second_privacy_officer();
  ASSERT_EQ(governance("", "po.one", "2025-01-02").status().code(), v1::OK);
  const std::string id = accepted_and_identified(1).front();
  auto chair = watching("chair.one");
  auto other_po = watching("po.two");
  auto acting_po = watching("po.one");
  auto rep = watching("rep.mh");

  expect_refused(reveal("po.one", id), v1::PERMISSION_DENIED, "identifiers.break_glass_only");
  expect_refused(break_glass("po.one", id, "because"), v1::INVALID_ARGUMENT,
                 "break_glass.justification_length");
  expect_refused(break_glass("po.one", id, std::string("a reason\x07 long enough to pass")),
                 v1::INVALID_ARGUMENT, "text.control_character");
  expect_refused(break_glass("rep.police", id, kWhy), v1::PERMISSION_DENIED,
                 "break_glass.privacy_officers_only");
  EXPECT_TRUE(kinds(chair->take()).empty()) << "a refused break-glass raised an alert";

  auto r = break_glass("po.one", id, kWhy);
  ASSERT_EQ(r.status().code(), v1::OK) << r.status().message();
  ASSERT_EQ(r.reveal_situation().people_size(), 1);
  EXPECT_EQ(r.reveal_situation().people(0).name(), kCanaryName);

  // The reveal is a disclosure under break-glass; its alert follows it.
  const auto events = audit_events();
  const v1::AuditEvent* reveal_event = nullptr;
  for (const auto& e : events) {
    if (e.action() == "situation.reveal" && e.outcome() == v1::AUDIT_OK) reveal_event = &e;
  }
  ASSERT_NE(reveal_event, nullptr);
  EXPECT_EQ(reveal_event->rule(), "identifiers.break_glass");
  EXPECT_EQ(reveal_event->purpose(), "break_glass");
  EXPECT_NE(reveal_event->break_glass_id(), 0U);
  const auto raised = alert_events("break_glass");
  ASSERT_EQ(raised.size(), 1U);
  EXPECT_EQ(raised[0].alert().subject(), "po.one");
  EXPECT_EQ(raised[0].alert().trigger_sequence(), reveal_event->sequence());
  EXPECT_EQ(raised[0].break_glass_id(), reveal_event->break_glass_id());
  EXPECT_EQ(raised[0].situation(), id);
  EXPECT_TRUE(raised[0].actor().username().empty()) << "an alert is the server's, not a person's";

  // Pushed to the chair and the other privacy officer, not to the one who
  // broke the glass, nor to a rep.
  EXPECT_EQ(kinds(chair->take()), std::vector<std::string>{"alert.break_glass"});
  EXPECT_EQ(kinds(other_po->take()), std::vector<std::string>{"alert.break_glass"});
  EXPECT_TRUE(kinds(acting_po->take()).empty());
  EXPECT_TRUE(kinds(rep->take()).empty());

  // The other privacy officer reads why; the chair sees that, not why.
  auto for_po = alerts("po.two");
  ASSERT_EQ(for_po.status().code(), v1::OK) << for_po.status().message();
  ASSERT_EQ(for_po.audit_alerts().alerts_size(), 1);
  EXPECT_EQ(for_po.audit_alerts().alerts(0).justification(), kWhy);
  auto for_chair = alerts("chair.one");
  ASSERT_EQ(for_chair.status().code(), v1::OK);
  ASSERT_EQ(for_chair.audit_alerts().alerts_size(), 1);
  EXPECT_TRUE(for_chair.audit_alerts().alerts(0).justification().empty());
  expect_refused(alerts("rep.mh"), v1::PERMISSION_DENIED, "audit.auditors_only");
  expect_refused(alerts("po.two", "everything"), v1::INVALID_ARGUMENT, "audit.unknown_alert_kind");
  EXPECT_EQ(alerts("po.two", "mass_disclosure").audit_alerts().alerts_size(), 0);

  // Reading a justification is itself on the record.
  std::vector<std::string> read_by;
  for (const auto& e : audit_events()) {
    if (e.action() != "audit.read") continue;
    for (const auto& d : e.data_elements()) {
      if (d == "break_glass_justification") read_by.push_back(e.actor().username());
    }
  }
  EXPECT_EQ(read_by, std::vector<std::string>{"po.two"});

  // The justification and the identifiers are in no event and nowhere in
  // plain text on disk.
  for (const auto& e : audit_events()) {
    const std::string bytes = audit::serialize_event(e);
    EXPECT_EQ(bytes.find("Zelkova"), std::string::npos) << e.action();
    EXPECT_EQ(bytes.find("Canary"), std::string::npos) << e.action();
  }
  EXPECT_EQ(data_bytes().find("Zelkova"), std::string::npos);
}

TEST_F(AlertTest, BreakGlassWorksAfterClosureUntilTheIdentifiersArePurged) {
  ASSERT_EQ(governance("", "po.one", "2025-01-02").status().code(), v1::OK);
  const std::string id = accepted_and_identified(1).front();
  ASSERT_EQ(close_case(id, "LOWERED_CONNECTED").status().code(), v1::OK);
  expect_refused(reveal("rep.police", id), v1::PERMISSION_DENIED, "identifiers.closed");
  auto r = break_glass("po.one", id, kWhy);
  ASSERT_EQ(r.status().code(), v1::OK) << r.status().message();
  EXPECT_EQ(r.reveal_situation().people(0).name(), kCanaryName);
}

class RateAlertTest : public AlertTest {
 protected:
  RateAlertTest()
      : AlertTest([](config::Limits& l) {
          l.alerts.reveal_situations = 3;
          l.alerts.denials = 3;
        }) {}
};

TEST_F(RateAlertTest, RevealingManySituationsInAShortTimeRaisesOneAlert) {
  const auto ids = accepted_and_identified(3);
  auto po = watching("po.one");
  ASSERT_EQ(reveal("rep.police", ids[0]).status().code(), v1::OK);
  ASSERT_EQ(reveal("rep.police", ids[1]).status().code(), v1::OK);
  ASSERT_EQ(reveal("rep.police", ids[0]).status().code(), v1::OK);  // the same one again
  EXPECT_TRUE(alert_events("mass_disclosure").empty()) << "two situations are below three";
  ASSERT_EQ(reveal("rep.police", ids[2]).status().code(), v1::OK);
  auto raised = alert_events("mass_disclosure");
  ASSERT_EQ(raised.size(), 1U);
  EXPECT_EQ(raised[0].alert().subject(), "rep.police");
  EXPECT_EQ(raised[0].alert().count(), 3U);
  EXPECT_EQ(raised[0].alert().window_us(), 60 * kMinuteUs);
  EXPECT_EQ(kinds(po->take()), std::vector<std::string>{"alert.mass_disclosure"});
  // Within the window, no second alert about the same person.
  ASSERT_EQ(reveal("rep.police", ids[1]).status().code(), v1::OK);
  EXPECT_EQ(alert_events("mass_disclosure").size(), 1U);
  // An hour later the window has moved on: three more raise a new one.
  clock_.advance_us(61 * kMinuteUs);
  for (const auto& id : ids) ASSERT_EQ(reveal("rep.police", id).status().code(), v1::OK);
  EXPECT_EQ(alert_events("mass_disclosure").size(), 2U);
}

TEST_F(RateAlertTest, RepeatedRefusalsOfOnePersonRaiseAnAlert) {
  const std::string id = accepted_and_identified(1).front();
  auto po = watching("po.one");
  expect_refused(reveal("rep.mh", id), v1::PERMISSION_DENIED, "identifiers.agency_not_joined");
  expect_refused(reveal("rep.mh", id), v1::PERMISSION_DENIED, "identifiers.agency_not_joined");
  EXPECT_TRUE(alert_events("repeated_denials").empty());
  expect_refused(show("rep.t2", id), v1::PERMISSION_DENIED, "table.not_member");  // someone else
  EXPECT_TRUE(alert_events("repeated_denials").empty()) << "refusals of two people added up";
  expect_refused(reveal("rep.mh", id), v1::PERMISSION_DENIED, "identifiers.agency_not_joined");
  auto raised = alert_events("repeated_denials");
  ASSERT_EQ(raised.size(), 1U);
  EXPECT_EQ(raised[0].alert().subject(), "rep.mh");
  EXPECT_EQ(raised[0].alert().count(), 3U);
  EXPECT_EQ(raised[0].table(), "t1");
  EXPECT_EQ(kinds(po->take()), std::vector<std::string>{"alert.repeated_denials"});
  expect_refused(reveal("rep.mh", id), v1::PERMISSION_DENIED, "identifiers.agency_not_joined");
  EXPECT_EQ(alert_events("repeated_denials").size(), 1U);
}

TEST_F(RateAlertTest, AnAlertCountsEverySituationInItsWindowWhenItIsRaised) {
  const auto ids = accepted_and_identified(4);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(reveal("rep.police", ids[i]).status().code(), v1::OK);
  ASSERT_EQ(alert_events("mass_disclosure").size(), 1U);
  // Near the end of the window: three more (already above the threshold,
  // and alerted: nothing new).
  clock_.advance_us(59 * kMinuteUs);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(reveal("rep.police", ids[i]).status().code(), v1::OK);
  ASSERT_EQ(alert_events("mass_disclosure").size(), 1U);
  // The first alert is out of the window; the next reveal finds four
  // situations in it, not the three the check stops at.
  clock_.advance_us(2 * kMinuteUs);
  ASSERT_EQ(reveal("rep.police", ids[3]).status().code(), v1::OK);
  auto raised = alert_events("mass_disclosure");
  ASSERT_EQ(raised.size(), 2U);
  EXPECT_EQ(raised[1].alert().count(), 4U);
}

// The rules are checked inside the writer's transaction, so what one check
// reads holds every other write: it must not grow with the person's other
// events (a busy rep's reveals read 10,000 events each, and a flood of them
// held the writer at 265 reveals a second).
TEST_F(RateAlertTest, ARulesCheckReadsNoMoreForAPersonsOtherEvents) {
  const std::string id = accepted_and_identified(1).front();
  const auto steps = [&](const std::function<void()>& request) {
    std::uint64_t fewest = UINT64_MAX;
    for (int i = 0; i < 3; ++i) {
      const std::uint64_t before = deployment_.db->statement_steps();
      request();
      fewest = std::min(fewest, deployment_.db->statement_steps() - before);
    }
    return fewest;
  };
  const auto a_reveal = [&] { ASSERT_EQ(reveal("rep.police", id).status().code(), v1::OK); };
  const auto a_refusal = [&] {
    expect_refused(reveal("rep.mh", id), v1::PERMISSION_DENIED, "identifiers.agency_not_joined");
  };
  for (int i = 0; i < 3; ++i) a_refusal();  // the alert raised: each check now reads as much
  const std::uint64_t reveal_alone = steps(a_reveal);
  const std::uint64_t refusal_alone = steps(a_refusal);
  // 300 more events of each person in the window: reads, and refusals that
  // are not about access (a mistyped request).
  v1::SubmitSituationRequest mistyped = submission();
  mistyped.add_risk_factors("NO-SUCH-CODE");
  for (int i = 0; i < 150; ++i) {
    for (const char* user : {"rep.police", "rep.mh"}) {
      ASSERT_EQ(show(user, id).status().code(), v1::OK);
      expect_refused(submit(user, mistyped), v1::INVALID_ARGUMENT, "vocabulary.unknown_code");
    }
  }
  const std::uint64_t reveal_busy = steps(a_reveal);
  const std::uint64_t refusal_busy = steps(a_refusal);
  ASSERT_GT(reveal_alone, 0U);
  // Within a tenth: 300 more events in the log cost a reveal some 33 steps
  // wherever it writes them (of 550, or 698 before sessions were kept);
  // reading the person's 300 events would cost several steps each.
  EXPECT_LE(reveal_busy, reveal_alone + reveal_alone / 10)
      << "steps of a reveal alone: " << reveal_alone << ", after 300 other events: " << reveal_busy;
  EXPECT_LE(refusal_busy, refusal_alone + refusal_alone / 10)
      << "steps of a refusal alone: " << refusal_alone
      << ", after 300 other events: " << refusal_busy;
  // The rules still count what they count: one alert each, the mistyped
  // requests not among the refusals.
  EXPECT_EQ(alert_events("mass_disclosure").size(), 0U) << "one situation is below three";
  auto raised = alert_events("repeated_denials");
  ASSERT_EQ(raised.size(), 1U);
  EXPECT_EQ(raised[0].alert().subject(), "rep.mh");
  EXPECT_EQ(raised[0].alert().count(), 3U);
}

TEST_F(AlertTest, CaseDataUsedOutsideWorkingHoursRaisesOneAlertPerQuietPeriod) {
  const std::string id = accepted_and_identified(1).front();  // Tuesday 09:45 in Toronto
  auto about_police = [&] {
    auto all = alert_events("after_hours");
    std::erase_if(all, [](const auto& e) { return e.alert().subject() != "rep.police"; });
    return all;
  };
  ASSERT_EQ(show("rep.police", id).status().code(), v1::OK);
  EXPECT_TRUE(about_police().empty());
  auto po = watching("po.one");
  // Tuesday 23:15 in Toronto.
  clock_.advance_us(13 * kHourUs + 30 * kMinuteUs);
  ASSERT_EQ(show("rep.police", id).status().code(), v1::OK);
  auto raised = about_police();
  ASSERT_EQ(raised.size(), 1U);
  EXPECT_EQ(raised[0].alert().subject(), "rep.police");
  EXPECT_EQ(raised[0].table(), "t1");
  EXPECT_EQ(raised[0].situation(), id);
  EXPECT_EQ(kinds(po->take()), std::vector<std::string>{"alert.after_hours"});
  ASSERT_EQ(reveal("rep.police", id).status().code(), v1::OK);
  EXPECT_EQ(about_police().size(), 1U) << "one alert per quiet period";
  // Saturday noon is outside Monday-to-Friday; 12 hours have passed.
  clock_.advance_us(3 * kDayUs + 12 * kHourUs + 45 * kMinuteUs);
  ASSERT_EQ(show("rep.police", id).status().code(), v1::OK);
  EXPECT_EQ(about_police().size(), 2U);
  // Monday 10:00 is a working day and hour.
  clock_.advance_us(2 * kDayUs - 2 * kHourUs);
  ASSERT_EQ(show("rep.police", id).status().code(), v1::OK);
  EXPECT_EQ(about_police().size(), 2U);
  // Monday 22:00: an emergency meeting is table work, however late.
  clock_.advance_us(12 * kHourUs);
  ASSERT_EQ(close().status().code(), v1::OK);  // Tuesday's, left open
  ASSERT_EQ(open("chair.one", true).status().code(), v1::OK);
  ASSERT_EQ(show("rep.police", id).status().code(), v1::OK);
  EXPECT_EQ(about_police().size(), 2U);
  ASSERT_EQ(close().status().code(), v1::OK);
  ASSERT_EQ(show("rep.police", id).status().code(), v1::OK);
  EXPECT_EQ(about_police().size(), 3U);
}

TEST_F(AlertTest, AFailedVerificationAlertsEveryPrivacyOfficerOnce) {
  accepted_and_identified(1);
  ASSERT_TRUE(service_.checkpoint().ok());
  auto verified = service_.verify_log();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(*verified);
  EXPECT_TRUE(alert_events("verification_failed").empty());
  auto po = watching("po.one");
  auto chair = watching("chair.one");

  // An insider rewrites event 5.
  auto bytes = audit::serialize_event(audit_events()[4]);
  bytes.back() ^= 0x01;
  ASSERT_TRUE(deployment_.db
                  ->write([&](store::Connection& c) -> absl::Status {
                    if (auto s = c.exec("DROP TRIGGER audit_events_no_update"); !s.ok()) return s;
                    auto st = c.prepare("UPDATE audit_events SET event = ?1 WHERE seq = 5");
                    if (!st.ok()) return st.status();
                    st->bind(1, crypto::as_bytes(bytes));
                    return st->run();
                  })
                  .ok());
  verified = service_.verify_log();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_FALSE(*verified);
  auto raised = alert_events("verification_failed");
  ASSERT_EQ(raised.size(), 1U);
  EXPECT_EQ(raised[0].alert().first_bad(), 5U);
  EXPECT_EQ(raised[0].alert().problem(), "changed");
  EXPECT_TRUE(raised[0].alert().subject().empty()) << "found by the server itself";
  EXPECT_TRUE(raised[0].table().empty());
  EXPECT_EQ(kinds(po->take()), std::vector<std::string>{"alert.verification_failed"});
  EXPECT_TRUE(kinds(chair->take()).empty());
  // The next check finds the same problem: no second alert.
  ASSERT_FALSE(*service_.verify_log());
  EXPECT_EQ(alert_events("verification_failed").size(), 1U);
}

TEST_F(AlertTest, AClientsReportOfAFailedVerificationIsAnAlertNeverFreeText) {
  accepted_and_identified(1);
  add_second_privacy_officer();
  auto other_po = watching("po.two");
  auto report = [&](const std::string& user, const std::string& problem, std::uint64_t first) {
    v1::Request r;
    auto* f = r.mutable_audit_report_failure();
    f->set_first_bad(first);
    f->set_last_bad(first + 9);
    f->set_problem(problem);
    f->set_tree_size(40);
    return as(user, r);
  };
  expect_refused(report("po.one", "the name was Jane Canary", 1), v1::INVALID_ARGUMENT,
                 "audit.unknown_problem");
  expect_refused(report("po.one", "rewritten", 0), v1::INVALID_ARGUMENT, "audit.bad_positions");
  expect_refused(report("rep.police", "rewritten", 1), v1::PERMISSION_DENIED,
                 "audit.auditors_only");
  EXPECT_TRUE(alert_events("verification_failed").empty());

  auto r = report("po.one", "rewritten", 1);
  ASSERT_EQ(r.status().code(), v1::OK) << r.status().message();
  auto raised = alert_events("verification_failed");
  ASSERT_EQ(raised.size(), 1U);
  EXPECT_EQ(r.audit_report_failure().alert_sequence(), raised[0].sequence());
  EXPECT_EQ(raised[0].alert().subject(), "po.one");
  EXPECT_EQ(raised[0].alert().problem(), "rewritten");
  EXPECT_EQ(raised[0].alert().last_bad(), 10U);
  EXPECT_EQ(kinds(other_po->take()), std::vector<std::string>{"alert.verification_failed"});
}

}  // namespace
}  // namespace hubtable::api
