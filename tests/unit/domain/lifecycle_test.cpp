// The four-filter lifecycle, enumerated: every move from every state,
// checked against an explicit table of what is allowed and where it leads.

#include "domain/lifecycle.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace hubtable::domain {
namespace {

using S = SituationState;
const std::vector<Move> kMoves = {Move::kDecide,   Move::kCorrect,  Move::kAmend,
                                  Move::kWithdraw, Move::kCaseWork, Move::kClose};

// Per move, in kMoves' order: "->STATE" allows and leads there (accepting,
// for a decision); "!rule" refuses with FAILED_PRECONDITION.
const std::map<S, std::vector<std::string>>& expected() {
  static const std::map<S, std::vector<std::string>> kExpected = {
      {S::kAwaitingDecision,
       {"->ACCEPTED", "!decide.nothing_to_correct", "->AWAITING_DECISION", "->WITHDRAWN",
        "!work.not_accepted", "!work.not_accepted"}},
      {S::kAccepted,
       {"!situation.already_decided", "->ACCEPTED", "!amend.already_decided",
        "!situation.already_decided", "->ACCEPTED", "->CLOSED"}},
      {S::kRejected,
       {"!situation.already_decided", "->REJECTED", "!amend.already_decided",
        "!situation.already_decided", "!work.not_accepted", "!work.not_accepted"}},
      {S::kWithdrawn,
       {"!situation.withdrawn", "!situation.withdrawn", "!situation.withdrawn",
        "!situation.withdrawn", "!work.not_accepted", "!work.not_accepted"}},
      {S::kClosed,
       {"!situation.already_decided", "!decide.closed", "!amend.already_decided",
        "!situation.already_decided", "!work.closed", "!work.closed"}},
  };
  return kExpected;
}

std::string outcome(S s, Move m) {
  const Decision d = allow_move(s, m, "work");
  if (!d.allowed()) {
    EXPECT_EQ(d.refusal, Refusal::kFailedPrecondition) << d.rule;
    EXPECT_FALSE(d.message.empty()) << d.rule;
    EXPECT_EQ(after(s, m, true), s) << "a refused move changes nothing";
    return "!" + d.rule;
  }
  return "->" + std::string(state_name(after(s, m, true)));
}

TEST(Lifecycle, EveryMoveFromEveryStateIsAllowedOrRefusedAsTheTableSays) {
  ASSERT_EQ(expected().size(), all_states().size()) << "a state has no row";
  for (S s : all_states()) {
    const auto& row = expected().at(s);
    ASSERT_EQ(row.size(), kMoves.size());
    for (std::size_t i = 0; i < kMoves.size(); ++i) {
      EXPECT_EQ(outcome(s, kMoves[i]), row[i]) << state_name(s) << " move " << i;
    }
  }
}

TEST(Lifecycle, ADecisionLeadsToAcceptedOrRejected) {
  EXPECT_EQ(after(S::kAwaitingDecision, Move::kDecide, true), S::kAccepted);
  EXPECT_EQ(after(S::kAwaitingDecision, Move::kDecide, false), S::kRejected);
}

TEST(Lifecycle, ADecisionIsCorrectedOnlyAtItsOpenMeetingAndBeforeCaseWork) {
  CorrectionFacts f{S::kAccepted, true, false, false, false};
  for (Verdict v : {Verdict::kAccept, Verdict::kReject, Verdict::kUndecided}) {
    EXPECT_TRUE(allow_correction(f, v).allowed());
  }
  auto rule = [](const CorrectionFacts& x, Verdict v) { return allow_correction(x, v).rule; };
  CorrectionFacts later = f;
  later.decided_at_open_meeting = false;
  EXPECT_EQ(rule(later, Verdict::kReject), "decide.meeting_closed");
  CorrectionFacts identified = f;
  identified.identified = true;
  EXPECT_EQ(rule(identified, Verdict::kReject), "decide.case_work_begun");
  EXPECT_EQ(rule(identified, Verdict::kUndecided), "decide.case_work_begun");
  EXPECT_TRUE(allow_correction(identified, Verdict::kAccept).allowed()) << "a note may change";
  CorrectionFacts led = f;
  led.lead_named = true;
  EXPECT_EQ(rule(led, Verdict::kUndecided), "decide.case_work_begun");
  CorrectionFacts rejected{S::kRejected, true, true, false, false};
  EXPECT_TRUE(allow_correction(rejected, Verdict::kAccept).allowed());
  rejected.rejection_held = false;
  EXPECT_EQ(rule(rejected, Verdict::kAccept), "decide.erased");
  EXPECT_EQ(rule(CorrectionFacts{S::kAwaitingDecision, true, true, false, false}, Verdict::kAccept),
            "decide.nothing_to_correct");
  EXPECT_EQ(verdict_state(Verdict::kUndecided), S::kAwaitingDecision);
  EXPECT_EQ(verdict_state(Verdict::kReject), S::kRejected);
  EXPECT_EQ(verdict_state(Verdict::kAccept), S::kAccepted);
}

TEST(Lifecycle, StateNamesRoundTripAndNothingElseParses) {
  for (S s : all_states()) EXPECT_EQ(parse_state(state_name(s)), s);
  for (const char* name : {"", "accepted", "OPEN", "ACCEPTED ", "PURGED"}) {
    EXPECT_FALSE(parse_state(name).has_value()) << name;
  }
}

TEST(Lifecycle, FilterStageFollowsAcceptanceAndTheLead) {
  for (S s : {S::kAwaitingDecision, S::kRejected, S::kWithdrawn}) {
    EXPECT_EQ(filter_stage(s, false), 2u) << state_name(s);
    EXPECT_EQ(filter_stage(s, true), 2u) << state_name(s);
  }
  for (S s : {S::kAccepted, S::kClosed}) {
    EXPECT_EQ(filter_stage(s, false), 3u) << state_name(s);
    EXPECT_EQ(filter_stage(s, true), 4u) << state_name(s);
  }
}

TEST(Lifecycle, WhatComesUpAtMeetingsAndWhatReportsCountAsAccepted) {
  std::vector<S> at_table;
  std::vector<S> accepted;
  for (S s : all_states()) {
    if (before_the_table(s)) at_table.push_back(s);
    if (was_accepted(s)) accepted.push_back(s);
  }
  EXPECT_EQ(at_table, (std::vector<S>{S::kAwaitingDecision, S::kAccepted}));
  EXPECT_EQ(accepted, (std::vector<S>{S::kAccepted, S::kClosed}));
}

TEST(Lifecycle, AnAgreementIsCurrentFromItsSigningToItsExpiryInclusive) {
  EXPECT_TRUE(isa_current("2026-01-01", "2026-12-31", "2026-01-01"));
  EXPECT_TRUE(isa_current("2026-01-01", "2026-12-31", "2026-12-31"));
  EXPECT_FALSE(isa_current("2026-01-01", "2026-12-31", "2025-12-31"));
  EXPECT_FALSE(isa_current("2026-01-01", "2026-12-31", "2027-01-01"));
  EXPECT_FALSE(isa_current("", "2026-12-31", "2026-06-01"));
  EXPECT_FALSE(isa_current("2026-01-01", "", "2026-06-01"));
  EXPECT_TRUE(agreement_signed("2026-06-01", "2026-06-01"));
  EXPECT_FALSE(agreement_signed("2026-06-02", "2026-06-01"));
  EXPECT_FALSE(agreement_signed("", "2026-06-01"));
}

}  // namespace
}  // namespace hubtable::domain
