// No dead ends, through the service on a real encrypted database: a partner
// added after the lead is named, records amended with a trail (never the
// values), the tasks that come to a lead, and the events a person missed.

#include "tests/unit/api/filter_fixture.h"

namespace hubtable::api {
namespace {

class LateWorkTest : public FilterTest {
 protected:
  v1::Response add_agency(const std::string& id, const std::string& agency,
                          const std::string& user = "chair.one") {
    v1::Request r;
    r.mutable_add_agency()->set_id(id);
    r.mutable_add_agency()->set_agency(agency);
    return as(user, r);
  }
  v1::Response tasks(const std::string& user) {
    v1::Request r;
    r.mutable_tasks();
    return as(user, r);
  }
  v1::Response watch(const std::string& user, bool replay) {
    own_connection(user);
    return FilterTest::watch(user, replay);
  }
  v1::AuditEvent last_ok(const std::string& action) {
    v1::AuditEvent found;
    for (const auto& e : audit_events()) {
      if (e.action() == action && e.outcome() == v1::AUDIT_OK) found = e;
    }
    return found;
  }
};

TEST_F(LateWorkTest, TheChairAddsAPartnerAfterTheLeadIsNamed) {
  const std::string id = accepted();
  ASSERT_EQ(assign(id, "police").status().code(), v1::OK);
  EXPECT_EQ(join("rep.mh", id).status().rule(), "join.lead_assigned");
  expect_refused(add_agency(id, "mh", "rep.police"), v1::PERMISSION_DENIED, "situation.chair_only");
  expect_refused(add_agency(id, "housing"), v1::FAILED_PRECONDITION, "add_agency.not_at_table");
  expect_refused(add_agency(id, "nosuch"), v1::INVALID_ARGUMENT, "add_agency.unknown_agency");
  expect_refused(add_agency(id, "police"), v1::FAILED_PRECONDITION, "add_agency.is_lead");
  ASSERT_EQ(governance("mh", "", "2025-01-01", "2026-01-01").status().code(), v1::OK);
  expect_refused(add_agency(id, "mh"), v1::FAILED_PRECONDITION, "add_agency.isa_not_current");
  ASSERT_EQ(governance("mh", "", "2025-01-01", "2030-01-01").status().code(), v1::OK);

  const auto added = add_agency(id, "mh");
  ASSERT_EQ(added.status().code(), v1::OK) << added.status().message();
  const auto& s = added.add_agency().situation();
  EXPECT_EQ(s.lead_agency(), "police") << "the lead stays";
  ASSERT_EQ(s.assisting_agencies_size(), 1);
  EXPECT_EQ(s.assisting_agencies(0), "mh");
  EXPECT_EQ(s.acked_us(), 0) << "the lead's acknowledgement clock is not restarted";
  EXPECT_TRUE(add_agency(id, "mh").add_agency().already());
  // The partner now plans and reveals with the rest.
  ASSERT_EQ(identify(id, {person(kCanaryName)}).status().code(), v1::OK);
  EXPECT_EQ(reveal("rep.mh", id).status().code(), v1::OK);
  EXPECT_EQ(plan("rep.mh", id, "Counsellor visits Thursday.").status().code(), v1::OK);
  EXPECT_EQ(last_ok("situation.add_agency").target(), "mh as assisting");
  ASSERT_EQ(close_case(id, "LOWERED_CONNECTED").status().code(), v1::OK);
  expect_refused(add_agency(id, "mh"), v1::FAILED_PRECONDITION, "add_agency.closed");
}

TEST_F(LateWorkTest, AnInterventionIsAmendedAndTheAuditKeepsWhatChangedNotTheValues) {
  const std::string id = accepted();
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  ASSERT_EQ(assign(id, "police").status().code(), v1::OK);
  v1::Request amend;
  auto* i = amend.mutable_intervene_situation();
  i->set_id(id);
  i->set_occurred_us(clock_.now_us());
  i->set_outcome("CONSENTED");
  i->set_amend(true);
  expect_refused(as("rep.police", amend), v1::FAILED_PRECONDITION, "intervene.nothing_to_amend");
  ASSERT_EQ(intervene("rep.police", id).status().code(), v1::OK);
  const std::int64_t first_time = clock_.now_us();
  clock_.advance_us(2 * kHourUs);
  EXPECT_EQ(intervene("rep.police", id).status().rule(), "intervene.already_recorded");
  i->set_occurred_us(first_time);
  i->add_agencies_present("police");
  expect_refused(as("rep.police", amend), v1::INVALID_ARGUMENT, "intervene.unchanged");
  i->set_occurred_us(first_time + 30 * kMinuteUs);
  i->add_agencies_present("mh");
  expect_refused(as("rep.mh", amend), v1::PERMISSION_DENIED, "intervene.lead_only");
  const auto amended = as("rep.police", amend);
  ASSERT_EQ(amended.status().code(), v1::OK) << amended.status().message();
  const auto& x = amended.intervene_situation().situation().intervention();
  EXPECT_EQ(x.occurred_us(), first_time + 30 * kMinuteUs);
  EXPECT_EQ(x.agencies_present_size(), 2);
  EXPECT_EQ(x.amendments(), 1u);
  EXPECT_EQ(x.amended_us(), clock_.now_us());
  EXPECT_EQ(amended.intervene_situation().situation().intervened_us(), first_time + 30 * kMinuteUs);
  const auto e = last_ok("situation.intervene");
  EXPECT_EQ(e.purpose(), "intervention.amendment");
  EXPECT_EQ(e.target(),
            "amendment 1 of the record of 2026-11-24; changed occurred_us agencies_present");
  EXPECT_EQ(e.SerializeAsString().find(std::to_string(first_time)), std::string::npos);
}

TEST_F(LateWorkTest, ItsAgencyAmendsASituationBeforeTheDecisionAndItIsScannedAgain) {
  const std::string id = submit_ok();
  v1::Request r;
  auto* a = r.mutable_amend_situation();
  a->set_id(id);
  expect_refused(as("rep.police", r), v1::INVALID_ARGUMENT, "amend.unchanged");
  a->set_narrative("Qzvorak Canarywell, 16, has missed most of the term.");
  expect_refused(as("rep.police", r), v1::INVALID_ARGUMENT, "deid.identifier_found");
  a->set_narrative("A 16-year-old has missed most of the term and sleeps in a car.");
  a->mutable_risk_factors()->add_codes("MEN-SUSP");
  expect_refused(as("rep.mh", r), v1::PERMISSION_DENIED, "amend.originator_only");
  const auto done = as("rep.police", r);
  ASSERT_EQ(done.status().code(), v1::OK) << done.status().message();
  EXPECT_EQ(std::vector<std::string>(done.amend_situation().changed().begin(),
                                     done.amend_situation().changed().end()),
            (std::vector<std::string>{"risk_factors", "narrative"}));
  const auto s = show("chair.one", id).show_situation().situation();
  EXPECT_EQ(s.narrative(), "A 16-year-old has missed most of the term and sleeps in a car.");
  EXPECT_EQ(s.risk_factors_size(), 1);
  EXPECT_EQ(s.protective_factors_size(), 1) << "a list not given keeps its codes";
  const auto e = last_ok("situation.amend");
  EXPECT_EQ(e.target(), "changed risk_factors narrative");
  EXPECT_EQ(e.SerializeAsString().find("sleeps in a car"), std::string::npos);
  // Decided: the record stands.
  clock_.advance_us(105 * kMinuteUs);
  ASSERT_EQ(open().status().code(), v1::OK);
  ASSERT_EQ(check_in("rep.police").status().code(), v1::OK);
  ASSERT_EQ(decide(id, true).status().code(), v1::OK);
  expect_refused(as("rep.police", r), v1::FAILED_PRECONDITION, "amend.already_decided");
}

TEST_F(LateWorkTest, TasksBringTheLeadItsDeadlinesAndTheChairItsUnassignedCases) {
  const std::string id = accepted();
  const std::string waiting = submit_ok();
  auto chair = tasks("chair.one");
  ASSERT_EQ(chair.status().code(), v1::OK) << chair.status().message();
  ASSERT_EQ(chair.tasks().tasks_size(), 1);
  EXPECT_EQ(chair.tasks().tasks(0).kind(), v1::TASK_ASSIGN_LEAD);
  EXPECT_EQ(chair.tasks().tasks(0).situation(), id);
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  ASSERT_EQ(assign(id, "mh").status().code(), v1::OK);
  auto lead = tasks("rep.mh");
  ASSERT_EQ(lead.tasks().tasks_size(), 2);
  EXPECT_EQ(lead.tasks().tasks(0).kind(), v1::TASK_ACKNOWLEDGE);
  EXPECT_EQ(lead.tasks().tasks(1).kind(), v1::TASK_INTERVENE);
  EXPECT_NE(lead.tasks().tasks(0).local_due().find("EST"), std::string::npos)
      << lead.tasks().tasks(0).local_due();
  EXPECT_FALSE(lead.tasks().tasks(0).overdue());
  clock_.advance_us(5 * kHourUs);  // past the 4-hour acknowledgement
  lead = tasks("rep.mh");
  EXPECT_TRUE(lead.tasks().tasks(0).overdue());
  ASSERT_EQ(ack("rep.mh", id).status().code(), v1::OK);
  lead = tasks("rep.mh");
  ASSERT_EQ(lead.tasks().tasks_size(), 1);
  EXPECT_EQ(lead.tasks().tasks(0).kind(), v1::TASK_INTERVENE);
  // The originating agency waits for the table on its other submission.
  auto origin = tasks("rep.police");
  ASSERT_EQ(origin.tasks().tasks_size(), 1);
  EXPECT_EQ(origin.tasks().tasks(0).kind(), v1::TASK_DECISION);
  EXPECT_EQ(origin.tasks().tasks(0).situation(), waiting);
  EXPECT_EQ(tasks("po.one").status().rule(), "tasks.reps_and_chairs");
}

TEST_F(LateWorkTest, WatchReplaysWhatWasPushedWhileALeadWasAwayAndOnlyThat) {
  const std::string id = accepted();
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  auto first = watch("rep.mh", true);
  ASSERT_EQ(first.status().code(), v1::OK) << first.status().message();
  // Before they first watched: the acceptance (to every rep at the table).
  ASSERT_EQ(first.watch().missed_size(), 1);
  EXPECT_EQ(first.watch().missed(0).kind(), "situation.decided");
  EXPECT_TRUE(first.watch().missed(0).replayed());
  ASSERT_EQ(assign(id, "mh").status().code(), v1::OK);  // heard live
  auto live = own_connection("rep.mh")->take();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].kind(), "situation.assigned");
  // Offline: their connection goes; the chair adds a partner meanwhile.
  own_sinks_.erase("rep.mh");
  ASSERT_EQ(add_agency(id, "police").status().code(), v1::OK);
  auto back = watch("rep.mh", true);
  ASSERT_EQ(back.status().code(), v1::OK);
  ASSERT_EQ(back.watch().missed_size(), 1) << "what they heard live is not sent again";
  EXPECT_EQ(back.watch().missed(0).kind(), "situation.agency_added");
  EXPECT_EQ(back.watch().missed(0).situation(), id);
  EXPECT_EQ(watch("rep.mh", true).watch().missed_size(), 0);
  // A guest hears nothing meant for reps.
  EXPECT_EQ(watch("guest.one", true).watch().missed_size(), 0);
}

TEST_F(LateWorkTest, CodesAreCaseInsensitiveAndAMistypedOneGetsTheClosestCodes) {
  auto lower = submission();
  lower.set_situation_type("person");
  lower.set_gender("f");
  lower.set_risk_factors(0, "men-susp");
  const auto done = submit("rep.police", lower);
  ASSERT_EQ(done.status().code(), v1::OK) << done.status().message();
  const auto s = show("chair.one", done.submit_situation().situation().id()).show_situation();
  EXPECT_EQ(s.situation().situation_type(), "PERSON") << "stored as the vocabulary spells it";
  EXPECT_EQ(s.situation().gender(), "F");
  auto typo = submission();
  typo.set_situation_type("PERSN");
  const auto refused = submit("rep.police", typo);
  expect_refused(refused, v1::INVALID_ARGUMENT, "vocabulary.unknown_code");
  EXPECT_EQ(refused.status().message(), "situation_type: unknown code; the closest: PERSON");
  // Closing and intervening take codes in any case too.
  const std::string id = accepted();
  ASSERT_EQ(assign(id, "police").status().code(), v1::OK);
  v1::Request intervened;
  intervened.mutable_intervene_situation()->set_id(id);
  intervened.mutable_intervene_situation()->set_occurred_us(clock_.now_us());
  intervened.mutable_intervene_situation()->set_outcome("consented");
  ASSERT_EQ(as("rep.police", intervened).status().code(), v1::OK);
  const auto closed = close_case(id, "lowered_connected");
  ASSERT_EQ(closed.status().code(), v1::OK) << closed.status().message();
  EXPECT_EQ(closed.close_situation().situation().closure_reason(), "LOWERED_CONNECTED");
  EXPECT_EQ(closed.close_situation().situation().intervention().outcome(), "CONSENTED");
  auto missing = submission();
  missing.clear_situation_type();
  missing.clear_narrative();
  EXPECT_EQ(submit("rep.police", missing).status().message(),
            "required, each: situation_type, narrative");
}

}  // namespace
}  // namespace hubtable::api
