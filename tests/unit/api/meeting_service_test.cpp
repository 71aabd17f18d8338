// Meetings and de-identified situations through the service, in-process, on
// a real encrypted database with a hand-moved clock (so schedules, windows
// and the 48-hour rule are tested without waiting).

#include <map>

#include "store/transaction.h"
#include "tests/unit/api/meeting_fixture.h"

namespace hubtable::api {
namespace {

TEST_F(MeetingTest, ChairOpensTheScheduledMeetingOnlyInItsWindow) {
  auto early = open();
  EXPECT_EQ(early.status().code(), v1::FAILED_PRECONDITION);
  EXPECT_EQ(early.status().rule(), "meeting.not_scheduled_now");
  EXPECT_NE(early.status().message().find("Tue 2026-11-24 10:00 EST"), std::string::npos)
      << early.status().message();

  clock_.advance_us(105 * kMinuteUs);  // 09:45
  EXPECT_EQ(open("rep.police").status().rule(), "meeting.chair_only");
  auto r = open();
  ASSERT_EQ(r.status().code(), v1::OK) << r.status().message();
  EXPECT_EQ(r.open_meeting().meeting().id(), "t1-20261124-1000");
  EXPECT_EQ(r.open_meeting().meeting().state(), v1::MEETING_OPEN);
  EXPECT_EQ(r.open_meeting().meeting().scheduled_start_us(), utc(2026, 11, 24, 15, 0));
  EXPECT_FALSE(r.open_meeting().meeting().unscheduled());
  EXPECT_EQ(open().status().rule(), "meeting.already_open");

  ASSERT_EQ(close().status().code(), v1::OK);
  EXPECT_EQ(close().status().rule(), "meeting.none_open");
  EXPECT_EQ(open().status().rule(), "meeting.already_held");
  auto extra = open("chair.one", true);
  ASSERT_EQ(extra.status().code(), v1::OK) << extra.status().message();
  EXPECT_EQ(extra.open_meeting().meeting().id(), "t1-20261124-0945");
  EXPECT_TRUE(extra.open_meeting().meeting().unscheduled());
}

class MeetingDstTest : public MeetingTest {
 protected:
  MeetingDstTest() : MeetingTest(utc(2026, 10, 26, 12, 0)) {}  // Monday before the change
};

TEST_F(MeetingDstTest, MeetingListKeepsLocalTimeAcrossTheEndOfDaylightSaving) {
  v1::Request r;
  r.mutable_list_meetings()->set_upcoming(4);
  auto listed = as("rep.mh", r);
  ASSERT_EQ(listed.status().code(), v1::OK) << listed.status().message();
  const auto& up = listed.list_meetings().upcoming();
  ASSERT_EQ(up.size(), 4);
  EXPECT_EQ(up[0].id(), "t1-20261027-1000");
  EXPECT_EQ(up[0].scheduled_start_us(), utc(2026, 10, 27, 14, 0));
  EXPECT_EQ(up[0].local_start(), "Tue 2026-10-27 10:00 EDT");
  EXPECT_EQ(up[2].id(), "t1-20261103-1000");
  EXPECT_EQ(up[2].scheduled_start_us(), utc(2026, 11, 3, 15, 0));
  EXPECT_EQ(up[2].local_start(), "Tue 2026-11-03 10:00 EST");
  EXPECT_EQ(up[2].state(), v1::MEETING_SCHEDULED);
  EXPECT_EQ(up[2].time_zone(), "America/Toronto");
  EXPECT_TRUE(listed.list_meetings().past().empty());

  // Held meetings move to the past list; the open one leads the upcoming list.
  clock_.advance_us(26 * kHourUs - 15 * kMinuteUs);  // Tue 09:45 EDT
  ASSERT_EQ(open().status().code(), v1::OK);
  listed = as("rep.mh", r);
  EXPECT_EQ(listed.list_meetings().upcoming(0).state(), v1::MEETING_OPEN);
  EXPECT_EQ(listed.list_meetings().upcoming(1).id(), "t1-20261029-1000");
  ASSERT_EQ(close().status().code(), v1::OK);
  listed = as("rep.mh", r);
  ASSERT_EQ(listed.list_meetings().past_size(), 1);
  EXPECT_EQ(listed.list_meetings().past(0).id(), "t1-20261027-1000");
  EXPECT_EQ(listed.list_meetings().past(0).state(), v1::MEETING_CLOSED);

  r.mutable_list_meetings()->set_upcoming(53);
  EXPECT_EQ(as("rep.mh", r).status().rule(), "meeting.list_too_long");
  r.mutable_list_meetings()->set_upcoming(1);
  EXPECT_EQ(as("admin", r).status().rule(), "admin.no_case_data");
  r.mutable_list_meetings()->set_table("t1");
  EXPECT_EQ(as("rep.t2", r).status().rule(), "table.not_member");
}

TEST_F(MeetingTest, AgendaIsFrozenAtOpeningWithLateAdditionsNewReturningAndOverdue) {
  const std::string a = submit_ok();
  clock_.advance_us(kMinuteUs);
  const std::string b = submit_ok("rep.mh");
  clock_.advance_us(kMinuteUs);
  auto opened = open("chair.one", true);
  ASSERT_EQ(opened.status().code(), v1::OK);
  EXPECT_EQ(agenda_ids(opened.open_meeting().agenda()),
            (std::vector<std::string>{a + ":NEW_SITUATION", b + ":NEW_SITUATION"}));
  EXPECT_EQ(opened.open_meeting().agenda().items(0).time_box_seconds(), 600u);
  EXPECT_EQ(opened.open_meeting().agenda().items(1).start_offset_seconds(), 600u);

  auto late = submit(std::string("rep.police"), submission());
  ASSERT_EQ(late.status().code(), v1::OK);
  const std::string c = late.submit_situation().situation().id();
  EXPECT_TRUE(late.submit_situation().late_addition());
  EXPECT_EQ(late.submit_situation().meeting(), opened.open_meeting().meeting().id());
  auto frozen = agenda("guest.one");
  ASSERT_EQ(frozen.status().code(), v1::OK) << frozen.status().message();
  EXPECT_EQ(agenda_ids(frozen.agenda().agenda()),
            (std::vector<std::string>{a + ":NEW_SITUATION", b + ":NEW_SITUATION",
                                      c + ":NEW_SITUATION:late"}));
  EXPECT_EQ(frozen.agenda().agenda().items(2).start_offset_seconds(), 1200u);
  EXPECT_EQ(frozen.agenda().agenda().items(0).originating_agency(), "police");

  ASSERT_EQ(check_in("rep.police").status().code(), v1::OK);
  ASSERT_EQ(decide(a, true).status().code(), v1::OK);
  ASSERT_EQ(close().status().code(), v1::OK);

  // Next day: c and b were not reached and come back as new; a returns.
  clock_.advance_us(24 * kHourUs);
  auto next = open("chair.one", true);
  ASSERT_EQ(next.status().code(), v1::OK);
  EXPECT_EQ(
      agenda_ids(next.open_meeting().agenda()),
      (std::vector<std::string>{b + ":NEW_SITUATION", c + ":NEW_SITUATION", a + ":RETURNING"}));
  ASSERT_EQ(close().status().code(), v1::OK);

  // Over 48 hours after acceptance with no intervention: overdue.
  clock_.advance_us(25 * kHourUs);
  next = open("chair.one", true);
  ASSERT_EQ(next.status().code(), v1::OK);
  EXPECT_EQ(next.open_meeting().agenda().items(2).section(), v1::OVERDUE);
}

TEST_F(MeetingTest, DecisionsNeedAnOpenMeetingTheOriginatorPresentAndHappenOnce) {
  const std::string id = submit_ok();
  EXPECT_EQ(decide(id, true).status().rule(), "decide.no_open_meeting");
  ASSERT_EQ(open("chair.one", true).status().code(), v1::OK);
  EXPECT_EQ(decide(id, true).status().rule(), "decide.originator_absent");
  ASSERT_EQ(check_in("rep.mh").status().code(), v1::OK);  // another agency does not count
  EXPECT_EQ(decide(id, true).status().rule(), "decide.originator_absent");
  auto in = check_in("rep.police");
  ASSERT_EQ(in.status().code(), v1::OK);
  EXPECT_EQ(in.check_in().attended_as(), v1::ATTENDED_AS_REP);
  EXPECT_TRUE(check_in("rep.police").check_in().already_checked_in());

  EXPECT_EQ(decide(id, true, "", "rep.mh").status().rule(), "situation.chair_only");
  EXPECT_EQ(decide(id, false, "NO_SUCH_REASON").status().rule(), "vocabulary.unknown_code");
  v1::Request missing;
  missing.mutable_decide_situation()->set_id(id);
  EXPECT_EQ(as("chair.one", missing).status().rule(), "decide.missing");
  v1::Request noted;
  noted.mutable_decide_situation()->set_id(id);
  noted.mutable_decide_situation()->set_reject_reason("NOT_AER");
  noted.mutable_decide_situation()->set_note("Table felt police could respond alone.");
  EXPECT_EQ(as("chair.one", noted).status().rule(), "decide.note_on_rejection");
  v1::Request identifying;
  identifying.mutable_decide_situation()->set_id(id);
  identifying.mutable_decide_situation()->set_accept(true);
  identifying.mutable_decide_situation()->set_note("Call her mother at 416-555-0199 first.");
  auto refused = as("chair.one", identifying);
  EXPECT_EQ(refused.status().rule(), "deid.identifier_found");
  EXPECT_EQ(refused.status().message().find("555"), std::string::npos);
  // None of the refusals changed anything.
  EXPECT_EQ(show("rep.mh", id).show_situation().situation().state(), v1::AWAITING_DECISION);

  auto accepted = decide(id, true);
  ASSERT_EQ(accepted.status().code(), v1::OK);
  EXPECT_EQ(accepted.decide_situation().situation().state(), v1::ACCEPTED);
  EXPECT_EQ(decide(id, false).status().rule(), "situation.already_decided");
  EXPECT_EQ(withdraw("rep.police", id).status().rule(), "situation.already_decided");

  const std::string gone = submit_ok();
  EXPECT_EQ(withdraw("rep.mh", gone).status().rule(), "situation.originator_only");
  auto w = withdraw("rep.police", gone);
  ASSERT_EQ(w.status().code(), v1::OK);
  EXPECT_EQ(w.withdraw_situation().situation().state(), v1::WITHDRAWN);
  EXPECT_TRUE(w.withdraw_situation().situation().narrative().empty());
  EXPECT_EQ(decide(gone, true).status().rule(), "situation.withdrawn");

  auto closed = close();
  ASSERT_EQ(closed.status().code(), v1::OK);
  EXPECT_EQ(closed.close_meeting().decided(), 2u);  // accepted + withdrawn
  EXPECT_EQ(check_in("guest.one", closed.close_meeting().meeting().id()).status().rule(),
            "meeting.not_open");
  EXPECT_EQ(check_in("guest.one").status().rule(), "meeting.none_open");
  EXPECT_EQ(check_in("guest.one", "t1-20200101-1000").status().code(), v1::NOT_FOUND);
  EXPECT_EQ(decide("nonsense", true).status().rule(), "situation.bad_id");
  EXPECT_EQ(decide("00000-00000", true).status().code(), v1::NOT_FOUND);
}

TEST_F(MeetingTest, RejectionKeepsOnlyDateAgencyTypeAndReason) {
  const std::string canary = "zqxcanaryword";
  const std::string id =
      submit("rep.police", submission(std::string(kNarrative) + " Keyword " + canary + "."))
          .submit_situation()
          .situation()
          .id();
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(open("chair.one", true).status().code(), v1::OK);
  ASSERT_EQ(check_in("rep.police").status().code(), v1::OK);
  auto rejected = decide(id, false, "SINGLE_AGENCY");
  ASSERT_EQ(rejected.status().code(), v1::OK) << rejected.status().message();
  const auto shown = show("rep.police", id);
  const auto& s = shown.show_situation().situation();
  EXPECT_EQ(s.state(), v1::REJECTED);
  EXPECT_EQ(s.situation_type(), "PERSON");
  EXPECT_EQ(s.originating_agency(), "police");
  EXPECT_EQ(s.rejection_reason(), "SINGLE_AGENCY");
  EXPECT_GT(s.decided_us(), 0);
  EXPECT_TRUE(s.narrative().empty());
  EXPECT_TRUE(s.age_band().empty());
  EXPECT_TRUE(s.gender().empty());
  EXPECT_EQ(s.risk_factors_size() + s.protective_factors_size() + s.study_flags_size(), 0);

  // Not hidden: gone from the database.
  auto counts = deployment_.db->read([&](store::Connection& c) -> absl::StatusOr<std::int64_t> {
    auto q = c.prepare(
        "SELECT (SELECT COUNT(*) FROM situation_codes WHERE situation_id = ?1) + "
        "(SELECT COUNT(*) FROM situations WHERE id = ?1 AND (narrative IS NOT NULL OR "
        "age_band IS NOT NULL OR gender IS NOT NULL)) + "
        "(SELECT COUNT(*) FROM situations WHERE narrative LIKE '%' || ?2 || '%')");
    if (!q.ok()) return q.status();
    q->bind(1, id).bind(2, canary);
    auto row = q->step();
    if (!row.ok()) return row.status();
    return q->integer(0);
  });
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(*counts, 0);
  for (const auto& e : audit_events()) {
    EXPECT_EQ(e.SerializeAsString().find(canary), std::string::npos) << e.DebugString();
  }
}

TEST_F(MeetingTest, BadSubmissionsAreRefusedClearlyAndStoreNothing) {
  struct Case {
    std::string rule;
    std::function<void(v1::SubmitSituationRequest&)> spoil;
  };
  const std::vector<Case> cases = {
      {"situation.filter1_not_attested", [](auto& s) { s.set_filter1_attested(false); }},
      {"vocabulary.unknown_code", [](auto& s) { s.set_situation_type("SPACESHIP"); }},
      {"vocabulary.unknown_code", [](auto& s) { s.set_age_band("200-300"); }},
      {"situation.missing_field", [](auto& s) { s.clear_gender(); }},
      {"situation.missing_field", [](auto& s) { s.clear_risk_factors(); }},
      {"vocabulary.unknown_code", [](auto& s) { s.add_risk_factors("NOT-A-FACTOR"); }},
      {"situation.repeated_code", [](auto& s) { s.add_risk_factors("MEN-SUSP"); }},
      {"vocabulary.unknown_code", [](auto& s) { s.add_study_flags("NOPE"); }},
      {"vocabulary.unknown_code",
       [](auto& s) { s.add_protective_factors("MEN-SUSP"); }},  // right code, wrong kind
      {"situation.missing_field", [](auto& s) { s.clear_narrative(); }},
      {"deid.text_too_long", [](auto& s) { s.set_narrative(std::string(1001, 'a')); }},
      {"deid.identifier_found",
       [](auto& s) { s.set_narrative("Youth at 123 Main Street, call 306-555-0142."); }},
  };
  for (const auto& c : cases) {
    auto s = submission();
    c.spoil(s);
    auto r = submit("rep.police", s);
    EXPECT_EQ(r.status().rule(), c.rule) << r.status().message();
    EXPECT_NE(r.status().code(), v1::OK);
  }
  auto found = submit("rep.police", [] {
    auto s = submission("Youth at 123 Main Street, call 306-555-0142.");
    return s;
  }());
  EXPECT_EQ(found.status().code(), v1::INVALID_ARGUMENT);
  EXPECT_NE(found.status().message().find("STREET_ADDRESS at characters 9-24"), std::string::npos)
      << found.status().message();
  EXPECT_NE(found.status().message().find("PHONE_NUMBER"), std::string::npos);
  EXPECT_EQ(found.status().message().find("Main"), std::string::npos);
  EXPECT_EQ(found.status().message().find("555"), std::string::npos);
  // Exactly 1,000 characters (multi-byte ones count once) is allowed.
  std::string limit;
  for (int i = 0; i < 1000; ++i) limit += "é";
  EXPECT_EQ(submit("rep.police", submission(limit)).status().code(), v1::OK);

  EXPECT_EQ(submit("chair.one", submission()).status().rule(), "situation.reps_only");
  EXPECT_EQ(submit("guest.one", submission()).status().rule(), "situation.reps_only");
  EXPECT_EQ(submit("admin", submission()).status().rule(), "admin.no_case_data");
  auto other = submission();
  other.set_table("t1");
  EXPECT_EQ(submit("rep.t2", other).status().rule(), "table.not_member");
  EXPECT_EQ(list("rep.mh").list_situations().situations_size(), 1);  // only the 1,000-char one
}

TEST_F(MeetingTest, EachRoleSeesWhatTheAccessTableAllows) {
  const std::string id = submit_ok();
  auto full = show("rep.mh", id);  // another agency's rep at the table
  ASSERT_EQ(full.status().code(), v1::OK);
  EXPECT_EQ(full.show_situation().situation().view(), v1::DEIDENTIFIED);
  EXPECT_EQ(full.show_situation().situation().narrative(), kNarrative);
  EXPECT_EQ(full.show_situation().situation().risk_factors_size(), 2);
  EXPECT_EQ(show("chair.one", id).show_situation().situation().view(), v1::DEIDENTIFIED);

  auto meta = show("po.one", id);
  ASSERT_EQ(meta.status().code(), v1::OK);
  EXPECT_EQ(meta.show_situation().situation().view(), v1::METADATA);
  EXPECT_TRUE(meta.show_situation().situation().narrative().empty());
  EXPECT_TRUE(meta.show_situation().situation().age_band().empty());
  EXPECT_GT(meta.show_situation().situation().submitted_us(), 0);

  auto line = show("guest.one", id);
  ASSERT_EQ(line.status().code(), v1::OK);
  EXPECT_EQ(line.show_situation().situation().view(), v1::AGENDA_LINE);
  EXPECT_TRUE(line.show_situation().situation().narrative().empty());
  EXPECT_EQ(line.show_situation().situation().submitted_us(), 0);
  EXPECT_EQ(line.show_situation().situation().situation_type(), "PERSON");
  EXPECT_EQ(list("guest.one").list_situations().situations(0).view(), v1::AGENDA_LINE);

  EXPECT_EQ(show("admin", id).status().code(), v1::PERMISSION_DENIED);
  EXPECT_EQ(show("admin", id).status().rule(), "admin.no_case_data");
  EXPECT_EQ(show("rep.t2", id).status().rule(), "table.not_member");
  EXPECT_EQ(list("rep.t2").list_situations().situations_size(), 0);  // their own table
  EXPECT_EQ(list("rep.t2", "t1").status().rule(), "table.not_member");

  // Every read is on the record, with what was shown and never the values.
  int shown = 0;
  for (const auto& e : audit_events()) {
    EXPECT_EQ(e.SerializeAsString().find("intoxicated"), std::string::npos);
    if (e.action() != "situation.show" || e.outcome() != v1::AUDIT_OK) continue;
    ++shown;
    EXPECT_EQ(e.situation(), id);
    EXPECT_EQ(e.table(), "t1");
    EXPECT_EQ(e.filter_stage(), 2u);
    const bool narrative = std::find(e.data_elements().begin(), e.data_elements().end(),
                                     "narrative") != e.data_elements().end();
    EXPECT_EQ(narrative, e.rule() == "record.deidentified") << e.DebugString();
  }
  EXPECT_EQ(shown, 4);
}

TEST_F(MeetingTest, MinutesOfAClosedMeetingHoldAttendanceByAgencyAndDecisionsOnly) {
  const std::string accepted = submit_ok();
  const std::string rejected = submit_ok("rep.mh");
  const std::string carried = submit_ok();
  auto opened = open("chair.one", true);
  ASSERT_EQ(opened.status().code(), v1::OK);
  for (const char* u : {"chair.one", "rep.police", "rep.mh", "guest.one", "po.one"}) {
    ASSERT_EQ(check_in(u).status().code(), v1::OK) << u;
  }
  EXPECT_EQ(check_in("guest.one").check_in().attended_as(), v1::ATTENDED_AS_GUEST);
  ASSERT_EQ(decide(accepted, true).status().code(), v1::OK);
  ASSERT_EQ(decide(rejected, false, "ALREADY_SERVED").status().code(), v1::OK);
  v1::Request m;
  m.mutable_minutes();
  EXPECT_EQ(as("rep.mh", m).status().rule(), "minutes.meeting_open");
  auto closed = close();
  ASSERT_EQ(closed.status().code(), v1::OK);
  EXPECT_EQ(closed.close_meeting().carried_over(), 1u);

  auto minutes = as("rep.mh", m);
  ASSERT_EQ(minutes.status().code(), v1::OK) << minutes.status().message();
  const auto& mm = minutes.minutes();
  EXPECT_EQ(mm.meeting().id(), opened.open_meeting().meeting().id());
  EXPECT_TRUE(mm.chair_present());
  EXPECT_EQ(mm.privacy_officers(), 1u);
  std::map<std::string, std::pair<unsigned, unsigned>> by_agency;
  for (const auto& a : mm.attendance()) by_agency[a.agency()] = {a.people(), a.guests()};
  EXPECT_EQ(by_agency, (std::map<std::string, std::pair<unsigned, unsigned>>{
                           {"", {0, 1}}, {"mh", {1, 0}}, {"police", {1, 0}}}));
  ASSERT_EQ(mm.items_size(), 3);
  std::map<std::string, std::string> outcomes;
  for (const auto& i : mm.items())
    outcomes[i.situation()] = i.outcome() + "/" + i.rejection_reason();
  EXPECT_EQ(outcomes[accepted], "ACCEPTED/");
  EXPECT_EQ(outcomes[rejected], "REJECTED/ALREADY_SERVED");
  EXPECT_EQ(outcomes[carried], "/");
  const std::string bytes = mm.SerializeAsString();
  EXPECT_EQ(bytes.find("intoxicated"), std::string::npos);
  EXPECT_EQ(bytes.find("16-17"), std::string::npos);
  EXPECT_EQ(bytes.find("MEN-SUSP"), std::string::npos);

  EXPECT_EQ(as("guest.one", m).status().rule(), "minutes.members_only");
  EXPECT_EQ(as("po.one", m).status().code(), v1::OK);
}

}  // namespace
}  // namespace hubtable::api
