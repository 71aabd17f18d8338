// A whole meeting of the table over real TLS against a real server: three
// submissions (one refused by the de-identification scanner, then
// corrected), the frozen agenda, check-ins including a guest, one accepted
// and one rejected decision, closing, minutes, and what each role sees.

#include <gtest/gtest.h>

#include <map>

#include "tests/integration/table_fixture.h"
#include "tests/support/audit_events.h"

namespace hubtable::testing {
namespace {

namespace v1 = hubtable::v1;

constexpr const char* kCanary = "zqxmeetingcanary";

class WholeMeeting : public WholeTableTest {
 protected:
  void SetUp() override { start_and_log_in(); }

  static v1::Request submission(const std::string& narrative, const std::string& type = "PERSON") {
    v1::Request r;
    auto* s = r.mutable_submit_situation();
    s->set_situation_type(type);
    s->set_age_band("16-17");
    s->set_gender("F");
    s->add_risk_factors("MEN-SUSP");
    s->add_risk_factors("ALC-ABUSE");
    s->set_narrative(narrative);
    s->set_filter1_attested(true);
    return r;
  }

  v1::Response show(const std::string& user, const std::string& id) {
    v1::Request r;
    r.mutable_show_situation()->set_id(id);
    return as(user, r);
  }
};

TEST_F(WholeMeeting, FromSubmissionsToMinutesWithWhatEachRoleSees) {
  // Filter 1 and the scanner: the first draft names the youth and a phone.
  const std::string clean =
      std::string("A 15-year-old in Grade 9 has stopped attending, was found ") +
      "intoxicated twice last week and says home is not safe. Code " + kCanary + ".";
  auto refused =
      as("rep.police", submission("Jessica Martin, 15, call her mother at 306-555-0190. " + clean));
  ASSERT_EQ(refused.status().code(), v1::INVALID_ARGUMENT);
  EXPECT_EQ(refused.status().rule(), "deid.identifier_found");
  EXPECT_NE(refused.status().message().find("PERSON_NAME at characters 0-14"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("PHONE_NUMBER"), std::string::npos);
  EXPECT_EQ(refused.status().message().find("Jessica"), std::string::npos);
  auto first = as("rep.police", submission(clean));
  ASSERT_EQ(first.status().code(), v1::OK) << first.status().message();
  const std::string accepted_id = first.submit_situation().situation().id();
  EXPECT_FALSE(first.submit_situation().meeting().empty());  // the next scheduled meeting
  EXPECT_FALSE(first.submit_situation().late_addition());

  auto second = as("rep.mh", submission("An adult man with a suspected mental health problem "
                                        "has been sleeping in a stairwell since the fire. " +
                                        std::string(kCanary) + "-two."));
  ASSERT_EQ(second.status().code(), v1::OK) << second.status().message();
  const std::string rejected_id = second.submit_situation().situation().id();
  auto third = as("rep.police", submission("A family of four faces eviction on Friday; the "
                                           "father drinks heavily and the children miss school.",
                                           "FAMILY"));
  ASSERT_EQ(third.status().code(), v1::OK) << third.status().message();
  const std::string carried_id = third.submit_situation().situation().id();

  // The chair opens an extra meeting (the test cannot wait for Tuesday);
  // the agenda is frozen with the three new situations, oldest first.
  v1::Request open;
  open.mutable_open_meeting()->set_unscheduled(true);
  EXPECT_EQ(as("rep.police", open).status().rule(), "meeting.chair_only");
  auto opened = as("chair.one", open);
  ASSERT_EQ(opened.status().code(), v1::OK) << opened.status().message();
  const std::string meeting = opened.open_meeting().meeting().id();
  const auto& agenda = opened.open_meeting().agenda();
  ASSERT_EQ(agenda.items_size(), 3);
  EXPECT_EQ(agenda.items(0).situation(), accepted_id);
  EXPECT_EQ(agenda.items(1).situation(), rejected_id);
  EXPECT_EQ(agenda.items(2).situation(), carried_id);
  EXPECT_TRUE(agenda.fits());

  v1::Request check_in;
  check_in.mutable_check_in();
  for (const char* user : {"chair.one", "rep.police", "rep.mh", "guest.one"}) {
    ASSERT_EQ(as(user, check_in).status().code(), v1::OK) << user;
  }
  EXPECT_EQ(as("guest.one", check_in).check_in().attended_as(), v1::ATTENDED_AS_GUEST);
  EXPECT_EQ(as("admin", check_in).status().rule(), "admin.no_case_data");
  v1::Request other_table_check_in;
  other_table_check_in.mutable_check_in()->mutable_ref()->set_meeting(meeting);
  EXPECT_EQ(as("rep.t2", other_table_check_in).status().rule(), "table.not_member");

  // The guest follows the agenda but sees agenda lines only.
  v1::Request agenda_request;
  agenda_request.mutable_agenda();
  auto guest_agenda = as("guest.one", agenda_request);
  ASSERT_EQ(guest_agenda.status().code(), v1::OK);
  EXPECT_EQ(guest_agenda.agenda().agenda().items_size(), 3);
  EXPECT_EQ(guest_agenda.SerializeAsString().find(kCanary), std::string::npos);
  auto guest_view = show("guest.one", accepted_id);
  ASSERT_EQ(guest_view.status().code(), v1::OK);
  EXPECT_EQ(guest_view.show_situation().situation().view(), v1::AGENDA_LINE);
  EXPECT_TRUE(guest_view.show_situation().situation().narrative().empty());

  // The meeting room's panel: who is in the room while it sits, by agency.
  agenda_request.mutable_agenda()->set_with_attendance(true);
  auto room = as("chair.one", agenda_request);
  ASSERT_EQ(room.status().code(), v1::OK);
  EXPECT_EQ(room.agenda().attendance().present_size(), 3);  // police, mh, the guest's line
  EXPECT_TRUE(room.agenda().attendance().chair_present());
  EXPECT_EQ(room.agenda().attendance().absent_size(), 0);  // both agencies are in the room
  EXPECT_EQ(guest_agenda.agenda().attendance().present_size(), 0) << "only when asked";

  // Filter 2 decisions.
  v1::Request accept;
  accept.mutable_decide_situation()->set_id(accepted_id);
  accept.mutable_decide_situation()->set_accept(true);
  EXPECT_EQ(as("rep.mh", accept).status().rule(), "situation.chair_only");
  ASSERT_EQ(as("chair.one", accept).status().code(), v1::OK);
  v1::Request reject;
  reject.mutable_decide_situation()->set_id(rejected_id);
  reject.mutable_decide_situation()->set_reject_reason("NOT_AER");
  ASSERT_EQ(as("chair.one", reject).status().code(), v1::OK);
  EXPECT_EQ(as("chair.one", reject).status().rule(), "situation.already_decided");

  v1::Request close;
  close.mutable_close_meeting();
  auto closed = as("chair.one", close);
  ASSERT_EQ(closed.status().code(), v1::OK);
  EXPECT_EQ(closed.close_meeting().decided(), 2u);
  EXPECT_EQ(closed.close_meeting().carried_over(), 1u);
  EXPECT_EQ(as("rep.police", check_in).status().rule(), "meeting.none_open");
  EXPECT_EQ(as("chair.one", accept).status().rule(), "situation.already_decided");

  // Minutes: attendance by agency and decisions, nothing identifying.
  v1::Request minutes;
  minutes.mutable_minutes();
  auto m = as("rep.mh", minutes);
  ASSERT_EQ(m.status().code(), v1::OK) << m.status().message();
  EXPECT_EQ(m.minutes().meeting().id(), meeting);
  EXPECT_TRUE(m.minutes().chair_present());
  ASSERT_EQ(m.minutes().items_size(), 3);
  EXPECT_EQ(m.minutes().items(0).outcome(), "ACCEPTED");
  EXPECT_EQ(m.minutes().items(1).outcome(), "REJECTED");
  EXPECT_EQ(m.minutes().items(1).rejection_reason(), "NOT_AER");
  EXPECT_EQ(m.minutes().items(2).outcome(), "");
  EXPECT_EQ(m.minutes().attendance_size(), 3);  // police, mh, and the guest without an agency
  EXPECT_EQ(m.SerializeAsString().find(kCanary), std::string::npos);
  EXPECT_EQ(m.SerializeAsString().find("MEN-SUSP"), std::string::npos);
  EXPECT_EQ(as("guest.one", minutes).status().rule(), "minutes.members_only");
  EXPECT_EQ(as("po.one", minutes).status().code(), v1::OK);

  // What each role sees of the accepted situation.
  auto rep_view = show("rep.mh", accepted_id);  // a rep of another agency at the table
  EXPECT_EQ(rep_view.show_situation().situation().view(), v1::DEIDENTIFIED);
  EXPECT_EQ(rep_view.show_situation().situation().narrative(), clean);
  auto po_view = show("po.one", accepted_id);
  EXPECT_EQ(po_view.show_situation().situation().view(), v1::METADATA);
  EXPECT_TRUE(po_view.show_situation().situation().narrative().empty());
  EXPECT_EQ(po_view.show_situation().situation().decided_meeting(), meeting);
  EXPECT_EQ(show("admin", accepted_id).status().rule(), "admin.no_case_data");
  EXPECT_EQ(show("rep.t2", accepted_id).status().rule(), "table.not_member");
  // The rejected one keeps only date, agency, type and reason, for everyone.
  auto rejected = show("rep.mh", rejected_id).show_situation().situation();
  EXPECT_EQ(rejected.state(), v1::REJECTED);
  EXPECT_TRUE(rejected.narrative().empty());
  EXPECT_EQ(rejected.risk_factors_size(), 0);
  EXPECT_EQ(rejected.originating_agency(), "mh");
  // The guest's list holds what comes up at meetings, not the rejected one.
  v1::Request list;
  list.mutable_list_situations();
  auto guest_list = as("guest.one", list);
  ASSERT_EQ(guest_list.status().code(), v1::OK);
  EXPECT_EQ(guest_list.list_situations().situations_size(), 2);
  EXPECT_EQ(as("rep.police", list).list_situations().situations_size(), 3);

  // Nothing case-related reached the log or the audit trail.
  ASSERT_EQ(server_.stop(), 0);
  EXPECT_EQ(server_.log().find(kCanary), std::string::npos);
  EXPECT_EQ(server_.log().find("Jessica"), std::string::npos);
  auto dep = provision::open_deployment(server_.deployment().config_path());
  ASSERT_TRUE(dep.ok()) << dep.status();
  std::map<std::string, int> ok_actions;
  for (const auto& e : read_audit_events(*dep->db)) {
    const std::string bytes = e.SerializeAsString();
    EXPECT_EQ(bytes.find(kCanary), std::string::npos) << e.DebugString();
    EXPECT_EQ(bytes.find("Jessica"), std::string::npos) << e.DebugString();
    if (e.outcome() == v1::AUDIT_OK) ++ok_actions[e.action()];
  }
  EXPECT_EQ(ok_actions["situation.submit"], 3);
  EXPECT_EQ(ok_actions["meeting.open"], 1);
  EXPECT_EQ(ok_actions["meeting.checkin"], 5);
  EXPECT_EQ(ok_actions["situation.decide"], 2);
  EXPECT_EQ(ok_actions["meeting.close"], 1);
  EXPECT_EQ(ok_actions["meeting.minutes"], 2);
}

}  // namespace
}  // namespace hubtable::testing
