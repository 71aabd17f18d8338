// The access policy, enumerated: every action against every kind of caller,
// checked against an explicit table of expected decisions.

#include "domain/authorize.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace hubtable::domain {
namespace {

// The callers of DESIGN.md's access table, for a situation brought by police.
const std::map<std::string, Actor>& callers() {
  static const std::map<std::string, Actor> kCallers = {
      {"rep_origin", {false, "police", {TableRole::kRep}, true}},
      {"rep_joined", {false, "health", {TableRole::kRep}, true}},
      {"rep_other", {false, "mh", {TableRole::kRep}, true}},
      {"chair", {false, "", {TableRole::kChair}, true}},
      {"privacy", {false, "", {TableRole::kPrivacyOfficer}, true}},
      {"admin", {true, "", {}, true}},
      {"guest", {false, "", {TableRole::kGuest}, true}},
      {"other_table", {false, "housing", {}, true}},
  };
  return kCallers;
}

const std::vector<std::string> kColumns = {"rep_origin", "rep_joined", "rep_other", "chair",
                                           "privacy",    "admin",      "guest",     "other_table"};

// "rule" allows (with the view after '/', when the action returns records);
// "!rule" denies with PERMISSION_DENIED.
using Row = std::vector<std::string>;

// Reports: the chair and privacy officers only, never the administrator.
Row report_row() {
  return {"!report.chairs_and_privacy_officers",
          "!report.chairs_and_privacy_officers",
          "!report.chairs_and_privacy_officers",
          "report.chair",
          "report.privacy_officer",
          "!admin.no_case_data",
          "!report.chairs_and_privacy_officers",
          "!table.not_member"};
}

const std::map<Action, Row>& expected() {
  static const std::map<Action, Row> kExpected = {
      {Action::kWhoAmI,
       {"session.own", "session.own", "session.own", "session.own", "session.own", "session.own",
        "session.own", "session.own"}},
      {Action::kLogout,
       {"session.own", "session.own", "session.own", "session.own", "session.own", "session.own",
        "session.own", "session.own"}},
      {Action::kVocabularyList,
       {"vocabulary.read", "vocabulary.read", "vocabulary.read", "vocabulary.read",
        "vocabulary.read", "vocabulary.read", "vocabulary.read", "!vocabulary.not_at_table"}},
      {Action::kDeidCheck,
       {"deid.writer", "deid.writer", "deid.writer", "deid.writer", "!deid.writers_only",
        "!admin.no_case_data", "!deid.writers_only", "!table.not_member"}},
      {Action::kMeetingList,
       {"meeting.member", "meeting.member", "meeting.member", "meeting.member", "meeting.member",
        "!admin.no_case_data", "meeting.member", "!table.not_member"}},
      {Action::kMeetingOpen,
       {"!meeting.chair_only", "!meeting.chair_only", "!meeting.chair_only", "table.chair",
        "!meeting.chair_only", "!admin.no_case_data", "!meeting.chair_only", "!table.not_member"}},
      {Action::kMeetingCheckIn,
       {"meeting.member", "meeting.member", "meeting.member", "meeting.member", "meeting.member",
        "!admin.no_case_data", "meeting.member", "!table.not_member"}},
      {Action::kMeetingAgenda,
       {"meeting.agenda_line/agenda_line", "meeting.agenda_line/agenda_line",
        "meeting.agenda_line/agenda_line", "meeting.agenda_line/agenda_line",
        "meeting.agenda_line/agenda_line", "!admin.no_case_data", "meeting.agenda_line/agenda_line",
        "!table.not_member"}},
      {Action::kMeetingClose,
       {"!meeting.chair_only", "!meeting.chair_only", "!meeting.chair_only", "table.chair",
        "!meeting.chair_only", "!admin.no_case_data", "!meeting.chair_only", "!table.not_member"}},
      {Action::kMeetingMinutes,
       {"minutes.member", "minutes.member", "minutes.member", "minutes.member", "minutes.member",
        "!admin.no_case_data", "!minutes.members_only", "!table.not_member"}},
      {Action::kSituationSubmit,
       {"situation.rep_submits", "situation.rep_submits", "situation.rep_submits",
        "!situation.reps_only", "!situation.reps_only", "!admin.no_case_data",
        "!situation.reps_only", "!table.not_member"}},
      {Action::kSituationList,
       {"record.deidentified/deidentified", "record.deidentified/deidentified",
        "record.deidentified/deidentified", "record.deidentified/deidentified",
        "record.metadata/metadata", "!admin.no_case_data", "record.agenda_line/agenda_line",
        "!table.not_member"}},
      {Action::kSituationShow,
       {"record.deidentified/deidentified", "record.deidentified/deidentified",
        "record.deidentified/deidentified", "record.deidentified/deidentified",
        "record.metadata/metadata", "!admin.no_case_data", "record.agenda_line/agenda_line",
        "!table.not_member"}},
      {Action::kSituationDecide,
       {"!situation.chair_only", "!situation.chair_only", "!situation.chair_only", "table.chair",
        "!situation.chair_only", "!admin.no_case_data", "!situation.chair_only",
        "!table.not_member"}},
      {Action::kSituationWithdraw,
       {"situation.originator_withdraws", "!situation.originator_only",
        "!situation.originator_only", "!situation.originator_only", "!situation.originator_only",
        "!admin.no_case_data", "!situation.originator_only", "!table.not_member"}},
      {Action::kSituationAmend,
       {"situation.originator_amends", "!amend.originator_only", "!amend.originator_only",
        "!amend.originator_only", "!amend.originator_only", "!admin.no_case_data",
        "!amend.originator_only", "!table.not_member"}},
      {Action::kSituationJoin,
       {"join.rep_with_agreements", "join.rep_with_agreements", "join.rep_with_agreements",
        "!join.reps_only", "!join.reps_only", "!admin.no_case_data", "!join.reps_only",
        "!table.not_member"}},
      {Action::kSituationIdentify,
       {"identifiers.originating_agency", "!identify.originator_only", "!identify.originator_only",
        "!identify.originator_only", "!identify.originator_only", "!admin.no_case_data",
        "!identify.originator_only", "!table.not_member"}},
      {Action::kSituationReveal,
       {"identifiers.originating_agency", "identifiers.joined_agency",
        "!identifiers.agency_not_joined", "!identifiers.chair_not_joined",
        "!identifiers.break_glass_only", "!admin.no_case_data", "!identifiers.no_guests",
        "!table.not_member"}},
      {Action::kSituationAssign,
       {"!situation.chair_only", "!situation.chair_only", "!situation.chair_only", "table.chair",
        "!situation.chair_only", "!admin.no_case_data", "!situation.chair_only",
        "!table.not_member"}},
      {Action::kSituationAddAgency,
       {"!situation.chair_only", "!situation.chair_only", "!situation.chair_only", "table.chair",
        "!situation.chair_only", "!admin.no_case_data", "!situation.chair_only",
        "!table.not_member"}},
      {Action::kSituationAck,
       {"!ack.lead_only", "situation.lead_agency", "!ack.lead_only", "!ack.lead_only",
        "!ack.lead_only", "!admin.no_case_data", "!ack.lead_only", "!table.not_member"}},
      {Action::kSituationPlan,
       {"!plan.lead_or_assisting_only", "plan.lead_or_assisting", "!plan.lead_or_assisting_only",
        "!plan.lead_or_assisting_only", "!plan.lead_or_assisting_only", "!admin.no_case_data",
        "!plan.lead_or_assisting_only", "!table.not_member"}},
      {Action::kSituationPlanRead,
       {"!plan.lead_or_assisting_only", "plan.lead_or_assisting", "!plan.lead_or_assisting_only",
        "!plan.lead_or_assisting_only", "!plan.lead_or_assisting_only", "!admin.no_case_data",
        "!plan.lead_or_assisting_only", "!table.not_member"}},
      {Action::kSituationIntervene,
       {"!intervene.lead_only", "situation.lead_agency", "!intervene.lead_only",
        "!intervene.lead_only", "!intervene.lead_only", "!admin.no_case_data",
        "!intervene.lead_only", "!table.not_member"}},
      {Action::kSituationUpdate,
       {"!update.lead_only", "situation.lead_agency", "!update.lead_only", "!update.lead_only",
        "!update.lead_only", "!admin.no_case_data", "!update.lead_only", "!table.not_member"}},
      {Action::kSituationClose,
       {"!situation.chair_only", "!situation.chair_only", "!situation.chair_only", "table.chair",
        "!situation.chair_only", "!admin.no_case_data", "!situation.chair_only",
        "!table.not_member"}},
      {Action::kWatch,
       {"session.own", "session.own", "session.own", "session.own", "session.own", "session.own",
        "session.own", "session.own"}},
      {Action::kTasksList,
       {"tasks.own", "tasks.own", "tasks.own", "tasks.own", "!tasks.reps_and_chairs",
        "!admin.no_case_data", "!tasks.reps_and_chairs", "!table.not_member"}},
      {Action::kAdminGovernance,
       {"!admin.only", "!admin.only", "!admin.only", "!admin.only", "!admin.only",
        "admin.deployment", "!admin.only", "!admin.only"}},
      {Action::kAuditIntegrity,
       {"!audit.auditors_only", "!audit.auditors_only", "!audit.auditors_only",
        "audit.chair_own_table", "audit.privacy_officer", "audit.admin_account_events",
        "!audit.auditors_only", "!table.not_member"}},
      {Action::kAuditRead,
       {"!audit.auditors_only", "!audit.auditors_only", "!audit.auditors_only",
        "audit.chair_own_table", "audit.privacy_officer", "audit.admin_account_events",
        "!audit.auditors_only", "!table.not_member"}},
      {Action::kReportSummary, report_row()},
      {Action::kReportPublic, report_row()},
      {Action::kReportExport, report_row()},
      {Action::kAuditAccessStatement,
       {"!access_statement.privacy_officers_only", "!access_statement.privacy_officers_only",
        "!access_statement.privacy_officers_only", "!access_statement.privacy_officers_only",
        "access_statement.privacy_officer", "!admin.no_case_data",
        "!access_statement.privacy_officers_only", "!table.not_member"}},
  };
  return kExpected;
}

// An accepted situation brought by police, joined by health (the lead);
// every caller's agency has a current ISA (and every caller above signed the
// confidentiality agreement).
AccessFacts accepted_facts() {
  AccessFacts f;
  f.originating_agency = "police";
  f.state = SituationState::kAccepted;
  f.joined_agencies = {"police", "health"};
  f.lead_agency = "health";
  f.agency_isa_current = true;
  return f;
}

AccessFacts originated_by(std::string agency) {
  AccessFacts f;
  f.originating_agency = std::move(agency);
  return f;
}

std::string view_name(RecordView v) {
  switch (v) {
    case RecordView::kNone:
      return "";
    case RecordView::kAgendaLine:
      return "agenda_line";
    case RecordView::kMetadata:
      return "metadata";
    case RecordView::kDeidentified:
      return "deidentified";
  }
  return "?";
}

std::string describe(const Access& a) {
  if (!a.allowed()) {
    EXPECT_EQ(a.decision.refusal, Refusal::kPermissionDenied);
    EXPECT_FALSE(a.decision.message.empty());
    EXPECT_EQ(a.view, RecordView::kNone);
    return "!" + a.decision.rule;
  }
  const std::string view = view_name(a.view);
  return view.empty() ? a.decision.rule : a.decision.rule + "/" + view;
}

TEST(Authorize, EveryActionAgainstEveryCallerMatchesTheAccessTable) {
  ASSERT_EQ(expected().size(), all_actions().size()) << "an action has no expected row";
  const AccessFacts facts = accepted_facts();
  for (Action action : all_actions()) {
    const Row& row = expected().at(action);
    ASSERT_EQ(row.size(), kColumns.size());
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      const Access got = authorize(callers().at(kColumns[i]), action, facts);
      EXPECT_EQ(describe(got), row[i]) << action_name(action) << " by " << kColumns[i];
    }
  }
}

TEST(Authorize, AnUnknownActionIsDenied) {
  const Access a = authorize(callers().at("chair"), static_cast<Action>(999));
  EXPECT_FALSE(a.allowed());
  EXPECT_EQ(a.decision.rule, "policy.default_deny");
}

TEST(Authorize, RolesAddUpAtATable) {
  const Actor chair_and_rep{false, "police", {TableRole::kRep, TableRole::kChair}, true};
  EXPECT_TRUE(authorize(chair_and_rep, Action::kSituationDecide).allowed());
  EXPECT_TRUE(authorize(chair_and_rep, Action::kSituationSubmit).allowed());
  const Actor guest_and_po{false, "", {TableRole::kGuest, TableRole::kPrivacyOfficer}, true};
  EXPECT_TRUE(authorize(guest_and_po, Action::kMeetingMinutes).allowed());
  EXPECT_EQ(authorize(guest_and_po, Action::kSituationShow).view, RecordView::kMetadata);
}

TEST(Authorize, AWithdrawalNeedsTheSameAgencyNotTheSamePerson) {
  // Staff rotate: any rep of the agency that brought the situation may withdraw it.
  const Actor alternate{false, "police", {TableRole::kRep}, true};
  EXPECT_TRUE(authorize(alternate, Action::kSituationWithdraw, originated_by("police")).allowed());
  EXPECT_FALSE(authorize(alternate, Action::kSituationWithdraw, {}).allowed());
  const Actor no_agency{false, "", {TableRole::kRep}, true};
  EXPECT_FALSE(authorize(no_agency, Action::kSituationWithdraw, originated_by("")).allowed());
  EXPECT_FALSE(authorize(no_agency, Action::kSituationSubmit).allowed());
}

std::string rule_of(const Actor& a, Action action, const AccessFacts& f) {
  return describe(authorize(a, action, f));
}

TEST(Authorize, IdentifiersNeedACurrentIsa) {
  const Actor joined{false, "health", {TableRole::kRep}, true};
  AccessFacts f = accepted_facts();
  f.agency_isa_current = false;
  for (Action a : {Action::kSituationReveal, Action::kSituationJoin, Action::kSituationPlan,
                   Action::kSituationPlanRead}) {
    EXPECT_EQ(rule_of(joined, a, f), "!governance.isa_not_current") << action_name(a);
  }
  EXPECT_EQ(rule_of({false, "police", {TableRole::kRep}, true}, Action::kSituationIdentify, f),
            "!governance.isa_not_current");
  // Acknowledging or recording the intervention shares no identifier: no ISA gate.
  EXPECT_EQ(rule_of(joined, Action::kSituationAck, f), "situation.lead_agency");
}

TEST(Authorize, EveryAnswerNamesTheRoleTheCallerActedIn) {
  const AccessFacts f = accepted_facts();
  const Actor rep_and_chair{false, "health", {TableRole::kRep, TableRole::kChair}, true};
  struct Case {
    Actor actor;
    Action action;
    ActingRole role;
  };
  const std::vector<Case> cases = {
      {callers().at("chair"), Action::kSituationList, ActingRole::kChair},
      {callers().at("rep_other"), Action::kSituationShow, ActingRole::kRep},
      {callers().at("privacy"), Action::kSituationShow, ActingRole::kPrivacyOfficer},
      {callers().at("guest"), Action::kMeetingAgenda, ActingRole::kGuest},
      {callers().at("admin"), Action::kAdminGovernance, ActingRole::kAdmin},
      {callers().at("rep_joined"), Action::kSituationReveal, ActingRole::kRep},
      {callers().at("privacy"), Action::kReportSummary, ActingRole::kPrivacyOfficer},
      // Someone who is both acts in the role the rule relied on.
      {rep_and_chair, Action::kSituationReveal, ActingRole::kRep},
      {rep_and_chair, Action::kSituationDecide, ActingRole::kChair},
      {rep_and_chair, Action::kSituationPlan, ActingRole::kRep},
      // A refusal names the role the caller holds.
      {callers().at("rep_other"), Action::kSituationReveal, ActingRole::kRep},
      {callers().at("guest"), Action::kSituationDecide, ActingRole::kGuest},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(authorize(c.actor, c.action, f).role, c.role) << action_name(c.action);
  }
  for (const auto& [who, actor] : callers()) {
    for (Action a : all_actions()) {
      const Access access = authorize(actor, a, f);
      if (!actor.roles.empty() || actor.admin) {
        EXPECT_NE(access.role, ActingRole::kNone) << who << " " << action_name(a);
      }
    }
  }
}

TEST(Authorize, TheConfidentialityAgreementGatesAllCaseData) {
  // Without it, no table member sees or changes case data, de-identified or
  // not; what is not case data (the session, vocabularies, the schedule,
  // checking in, the audit trail) stays open to them.
  const std::set<Action> open_without = {Action::kWhoAmI,         Action::kLogout,
                                         Action::kVocabularyList, Action::kDeidCheck,
                                         Action::kMeetingList,    Action::kMeetingCheckIn,
                                         Action::kWatch,          Action::kAdminGovernance,
                                         Action::kAuditIntegrity, Action::kAuditRead};
  for (const char* who : {"rep_origin", "rep_joined", "rep_other", "chair", "privacy", "guest"}) {
    Actor unsigned_actor = callers().at(who);
    unsigned_actor.confidentiality_signed = false;
    for (Action a : all_actions()) {
      const std::string signed_rule = rule_of(callers().at(who), a, accepted_facts());
      const std::string rule = rule_of(unsigned_actor, a, accepted_facts());
      if (open_without.count(a) != 0) {
        EXPECT_EQ(rule, signed_rule) << who << " " << action_name(a);
      } else {
        EXPECT_EQ(rule, "!governance.confidentiality_unsigned") << who << " " << action_name(a);
      }
    }
  }
  // The administrator sees no case data either way.
  Actor admin = callers().at("admin");
  admin.confidentiality_signed = false;
  EXPECT_EQ(rule_of(admin, Action::kSituationList, {}), "!admin.no_case_data");
}

TEST(Authorize, BreakGlassIsAPrivacyOfficersAccessWithAWrittenJustification) {
  AccessFacts f = accepted_facts();
  f.break_glass_justified = true;
  const Row expected_row = {"!break_glass.privacy_officers_only",
                            "!break_glass.privacy_officers_only",
                            "!break_glass.privacy_officers_only",
                            "!break_glass.privacy_officers_only",
                            "identifiers.break_glass",
                            "!admin.no_case_data",
                            "!break_glass.privacy_officers_only",
                            "!table.not_member"};
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    EXPECT_EQ(rule_of(callers().at(kColumns[i]), Action::kSituationReveal, f), expected_row[i])
        << kColumns[i];
  }
  // Whatever the state: an investigation may follow closure; the handler
  // refuses when no identifiers are left.
  f.state = SituationState::kClosed;
  EXPECT_EQ(rule_of(callers().at("privacy"), Action::kSituationReveal, f),
            "identifiers.break_glass");
  // The confidentiality agreement still binds; an ISA does not apply (a
  // privacy officer reveals for the table, not for an agency).
  f.agency_isa_current = false;
  EXPECT_EQ(rule_of(callers().at("privacy"), Action::kSituationReveal, f),
            "identifiers.break_glass");
  Actor unsigned_officer = callers().at("privacy");
  unsigned_officer.confidentiality_signed = false;
  EXPECT_EQ(rule_of(unsigned_officer, Action::kSituationReveal, f),
            "!governance.confidentiality_unsigned");
  // Without a justification, a privacy officer is refused.
  EXPECT_EQ(rule_of(callers().at("privacy"), Action::kSituationReveal, accepted_facts()),
            "!identifiers.break_glass_only");
}

TEST(Authorize, IdentifiersExistOnlyBetweenAcceptanceAndClosure) {
  const Actor origin{false, "police", {TableRole::kRep}, true};
  const Actor joined{false, "health", {TableRole::kRep}, true};
  AccessFacts f = accepted_facts();
  for (auto state :
       {SituationState::kAwaitingDecision, SituationState::kRejected, SituationState::kWithdrawn}) {
    f.state = state;
    EXPECT_EQ(rule_of(joined, Action::kSituationReveal, f), "!identifiers.not_accepted")
        << state_name(state);
    EXPECT_EQ(rule_of(origin, Action::kSituationIdentify, f), "!identifiers.not_accepted");
  }
  f.state = SituationState::kClosed;
  EXPECT_EQ(rule_of(joined, Action::kSituationReveal, f), "!identifiers.closed");
  EXPECT_EQ(rule_of(origin, Action::kSituationReveal, f), "!identifiers.closed");
  EXPECT_EQ(rule_of(joined, Action::kSituationPlanRead, f), "!identifiers.closed");
}

TEST(Authorize, TheChairSeesIdentifiersOnlyThroughAJoinedAgency) {
  const Actor chair_of_joined{false, "health", {TableRole::kChair}, true};
  EXPECT_EQ(rule_of(chair_of_joined, Action::kSituationReveal, accepted_facts()),
            "identifiers.chair_via_joined_agency");
  const Actor chair_elsewhere{false, "mh", {TableRole::kChair}, true};
  EXPECT_EQ(rule_of(chair_elsewhere, Action::kSituationReveal, accepted_facts()),
            "!identifiers.chair_not_joined");
  // Planning notes: lead and assisting reps only, never the chair as chair.
  EXPECT_EQ(rule_of(chair_of_joined, Action::kSituationPlanRead, accepted_facts()),
            "!plan.lead_or_assisting_only");
}

TEST(Authorize, AssistingAgenciesPlanButDoNotActForTheLead) {
  AccessFacts f = accepted_facts();
  f.joined_agencies.push_back("mh");
  f.assisting_agencies = {"mh"};
  const Actor assisting{false, "mh", {TableRole::kRep}, true};
  EXPECT_EQ(rule_of(assisting, Action::kSituationPlan, f), "plan.lead_or_assisting");
  EXPECT_EQ(rule_of(assisting, Action::kSituationReveal, f), "identifiers.joined_agency");
  EXPECT_EQ(rule_of(assisting, Action::kSituationIntervene, f), "!intervene.lead_only");
  f.lead_agency.clear();
  EXPECT_EQ(rule_of({false, "health", {TableRole::kRep}, true}, Action::kSituationAck, f),
            "!ack.lead_only");
}

TEST(Authorize, ActionNamesAreDistinct) {
  std::set<std::string_view> names;
  for (Action a : all_actions()) EXPECT_TRUE(names.insert(action_name(a)).second) << action_name(a);
}

}  // namespace
}  // namespace hubtable::domain
