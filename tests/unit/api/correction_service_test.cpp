// Correcting a decision at the meeting that made it, through the service on
// a real encrypted database: each correction, what it undoes, what it keeps,
// its refusals, its audit trail and the minutes.

#include "tests/unit/api/filter_fixture.h"

namespace hubtable::api {
namespace {

class CorrectionTest : public FilterTest {
 protected:
  v1::Response correct(const std::string& id, const std::string& verdict,
                       const std::string& user = "chair.one") {
    v1::Request r;
    auto* d = r.mutable_decide_situation();
    d->set_id(id);
    d->set_correct(true);
    if (verdict == "accept") {
      d->set_accept(true);
    } else if (verdict == "undecided") {
      d->set_undecided(true);
    } else {
      d->set_reject_reason(verdict);
    }
    return as(user, r);
  }
  v1::Situation seen(const std::string& id) {
    auto r = show("chair.one", id);
    EXPECT_EQ(r.status().code(), v1::OK) << r.status().message();
    return r.show_situation().situation();
  }
  v1::MinutesResponse minutes() {
    v1::Request r;
    r.mutable_minutes();
    auto m = as("chair.one", r);
    EXPECT_EQ(m.status().code(), v1::OK) << m.status().message();
    return m.minutes();
  }
  std::vector<std::string> corrections_audited() {
    std::vector<std::string> out;
    for (const auto& e : audit_events()) {
      if (e.action() == "situation.decide" && e.outcome() == v1::AUDIT_OK &&
          e.purpose() == "decision.correction") {
        out.push_back(e.target());
      }
    }
    return out;
  }
};

TEST_F(CorrectionTest, AMistypedAcceptanceBecomesTheRejectionMeantAndTheMinutesSaySo) {
  const std::string id = accepted();
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  EXPECT_EQ(decide(id, false).status().rule(), "situation.already_decided")
      << "a second decision is not a correction unless the chair says so";
  auto corrected = correct(id, "NOT_AER");
  ASSERT_EQ(corrected.status().code(), v1::OK) << corrected.status().message();
  const auto s = seen(id);
  EXPECT_EQ(s.state(), v1::REJECTED);
  EXPECT_EQ(s.rejection_reason(), "NOT_AER");
  EXPECT_TRUE(s.narrative().empty());
  EXPECT_EQ(s.joined_agencies_size(), 0) << "the agencies that joined the acceptance are gone";
  EXPECT_EQ(join("rep.mh", id).status().rule(), "join.not_accepted");
  EXPECT_EQ(corrections_audited(), std::vector<std::string>{"ACCEPTED -> REJECTED (NOT_AER)"});

  const auto closed = close();
  ASSERT_EQ(closed.status().code(), v1::OK);
  EXPECT_EQ(closed.close_meeting().corrected(), 1u);
  EXPECT_EQ(closed.close_meeting().rejections_erased(), 1u);
  const auto m = minutes();
  ASSERT_EQ(m.items_size(), 1);
  EXPECT_EQ(m.items(0).outcome(), "REJECTED");
  ASSERT_EQ(m.items(0).corrections_size(), 1);
  EXPECT_EQ(m.items(0).corrections(0).from_outcome(), "ACCEPTED");
  EXPECT_EQ(m.items(0).corrections(0).to_outcome(), "REJECTED");
  EXPECT_EQ(m.items(0).corrections(0).to_reason(), "NOT_AER");
  EXPECT_TRUE(m.items(0).lead_agency().empty());
  // Once its meeting closed, the rejection stands.
  EXPECT_EQ(correct(id, "accept").status().rule(), "decide.no_open_meeting");
}

TEST_F(CorrectionTest, AMistakenRejectionComesBackWholeAsAnAcceptance) {
  clock_.advance_us(105 * kMinuteUs);
  ASSERT_EQ(open().status().code(), v1::OK);
  const std::string id = submit_ok();
  ASSERT_EQ(check_in("rep.police").status().code(), v1::OK);
  ASSERT_EQ(decide(id, false).status().code(), v1::OK);
  EXPECT_TRUE(seen(id).narrative().empty()) << "a rejected record shows its minimum";
  auto back = correct(id, "accept");
  ASSERT_EQ(back.status().code(), v1::OK) << back.status().message();
  const auto s = seen(id);
  EXPECT_EQ(s.state(), v1::ACCEPTED);
  EXPECT_EQ(s.narrative(), kNarrative);
  EXPECT_EQ(s.age_band(), "16-17");
  EXPECT_EQ(s.risk_factors_size(), 2);
  EXPECT_EQ(s.protective_factors_size(), 1);
  EXPECT_EQ(s.study_flags_size(), 1);
  EXPECT_TRUE(s.rejection_reason().empty());
  EXPECT_EQ(s.joined_agencies_size(), 1) << "the originating agency takes part again";
  ASSERT_EQ(close().status().code(), v1::OK);
  const auto m = minutes();
  ASSERT_EQ(m.items_size(), 1);
  EXPECT_EQ(m.items(0).outcome(), "ACCEPTED");
  EXPECT_GT(m.items(0).intervention_due_us(), 0);
  EXPECT_EQ(m.items(0).corrections(0).from_reason(), "NOT_AER");
  EXPECT_EQ(seen(id).narrative(), kNarrative) << "closing erases held rejections only";
}

TEST_F(CorrectionTest, AWithdrawnDecisionLeavesTheSituationAwaitingAndCarriedOver) {
  const std::string id = accepted();
  ASSERT_EQ(correct(id, "undecided").status().code(), v1::OK);
  EXPECT_EQ(seen(id).state(), v1::AWAITING_DECISION);
  EXPECT_EQ(seen(id).decided_us(), 0);
  EXPECT_EQ(correct(id, "undecided").status().rule(), "decide.nothing_to_correct");
  const auto closed = close();
  EXPECT_EQ(closed.close_meeting().carried_over(), 1u);
  EXPECT_EQ(closed.close_meeting().decided(), 0u);
  EXPECT_EQ(minutes().items(0).outcome(), "");
}

TEST_F(CorrectionTest, RefusalsChangeNothing) {
  const std::string id = accepted();
  v1::Request undecided;
  undecided.mutable_decide_situation()->set_id(id);
  undecided.mutable_decide_situation()->set_undecided(true);
  expect_refused(as("chair.one", undecided), v1::INVALID_ARGUMENT,
                 "decide.undecided_not_correction");
  expect_refused(correct(id, "accept"), v1::INVALID_ARGUMENT, "decide.unchanged");
  expect_refused(correct(id, "NO_SUCH_REASON"), v1::INVALID_ARGUMENT, "vocabulary.unknown_code");
  expect_refused(correct(id, "NOT_AER", "rep.police"), v1::PERMISSION_DENIED,
                 "situation.chair_only");
  v1::Request noted;
  auto* d = noted.mutable_decide_situation();
  d->set_id(id);
  d->set_correct(true);
  d->set_reject_reason("NOT_AER");
  d->set_note("kept");
  expect_refused(as("chair.one", noted), v1::INVALID_ARGUMENT, "decide.note_on_rejection");
  // Identifiers entered: the acceptance stands (the case is closed instead).
  ASSERT_EQ(identify(id, {person(kCanaryName)}).status().code(), v1::OK);
  expect_refused(correct(id, "NOT_AER"), v1::FAILED_PRECONDITION, "decide.case_work_begun");
  expect_refused(correct(id, "undecided"), v1::FAILED_PRECONDITION, "decide.case_work_begun");
  EXPECT_EQ(seen(id).state(), v1::ACCEPTED);
  EXPECT_TRUE(corrections_audited().empty());
  // A note may still be corrected.
  v1::Request note;
  note.mutable_decide_situation()->set_id(id);
  note.mutable_decide_situation()->set_correct(true);
  note.mutable_decide_situation()->set_accept(true);
  note.mutable_decide_situation()->set_note("Housing leads; police assist.");
  ASSERT_EQ(as("chair.one", note).status().code(), v1::OK);
  EXPECT_EQ(seen(id).decision_note(), "Housing leads; police assist.");
}

TEST_F(CorrectionTest, ADecisionOfAnEarlierMeetingIsNotCorrectedAtALaterOne) {
  const std::string id = accepted();
  ASSERT_EQ(close().status().code(), v1::OK);
  ASSERT_EQ(open("chair.one", true).status().code(), v1::OK);
  ASSERT_EQ(check_in("rep.police").status().code(), v1::OK);
  expect_refused(correct(id, "NOT_AER"), v1::FAILED_PRECONDITION, "decide.meeting_closed");
  EXPECT_EQ(seen(id).state(), v1::ACCEPTED);
}

}  // namespace
}  // namespace hubtable::api
