#pragma once
// The one access policy. Every request handler asks `authorize` before it
// reads or changes anything; the rule id of the answer goes into the audit
// event and into a PERMISSION_DENIED response. Default deny: an action or a
// role not named below is refused.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "domain/decision.h"
#include "domain/lifecycle.h"

namespace hubtable::domain {

enum class Action {
  kWhoAmI,
  kLogout,
  kVocabularyList,
  kDeidCheck,
  kMeetingList,
  kMeetingOpen,
  kMeetingCheckIn,
  kMeetingAgenda,
  kMeetingClose,
  kMeetingMinutes,
  kSituationSubmit,
  kSituationList,
  kSituationShow,
  kSituationDecide,
  kSituationWithdraw,
  kSituationAmend,  // its agency corrects it before the decision
  // Filter 3: need-to-know identification.
  kSituationJoin,
  kSituationIdentify,
  kSituationReveal,
  kSituationAssign,
  kSituationAddAgency,  // the chair adds a partner agency
  kSituationAck,
  // Filter 4 and follow-up.
  kSituationPlan,
  kSituationPlanRead,
  kSituationIntervene,
  kSituationUpdate,
  kSituationClose,
  kWatch,
  kTasksList,
  kAdminGovernance,
  // The audit log: signed checkpoints, proofs and the events to verify them
  // (each caller receives the bytes only of the events they may read).
  kAuditIntegrity,
  // Reading audit events: queries, access reports, disclosure registers.
  kAuditRead,
  // Reports: de-identified statistics, their public version, the export.
  kReportSummary,
  kReportPublic,
  kReportExport,
  // A person's access request: a privacy officer finds the table's
  // situations that hold them by name and date of birth, and reads their
  // disclosure registers. Break-glass class: a sealed reason, an alert.
  kAuditAccessStatement,
};

/// Every action's audit name, in the enum's order: the one list that names
/// actions (action_name and all_actions read it).
struct ActionName {
  Action action;
  std::string_view name;
};
inline constexpr std::array<ActionName, 36> kActionNames = {{
    {Action::kWhoAmI, "session.whoami"},
    {Action::kLogout, "session.logout"},
    {Action::kVocabularyList, "vocabulary.list"},
    {Action::kDeidCheck, "deid.check"},
    {Action::kMeetingList, "meeting.list"},
    {Action::kMeetingOpen, "meeting.open"},
    {Action::kMeetingCheckIn, "meeting.checkin"},
    {Action::kMeetingAgenda, "meeting.agenda"},
    {Action::kMeetingClose, "meeting.close"},
    {Action::kMeetingMinutes, "meeting.minutes"},
    {Action::kSituationSubmit, "situation.submit"},
    {Action::kSituationList, "situation.list"},
    {Action::kSituationShow, "situation.show"},
    {Action::kSituationDecide, "situation.decide"},
    {Action::kSituationWithdraw, "situation.withdraw"},
    {Action::kSituationAmend, "situation.amend"},
    {Action::kSituationJoin, "situation.join"},
    {Action::kSituationIdentify, "situation.identify"},
    {Action::kSituationReveal, "situation.reveal"},
    {Action::kSituationAssign, "situation.assign"},
    {Action::kSituationAddAgency, "situation.add_agency"},
    {Action::kSituationAck, "situation.ack"},
    {Action::kSituationPlan, "situation.plan"},
    {Action::kSituationPlanRead, "situation.plan_read"},
    {Action::kSituationIntervene, "situation.intervene"},
    {Action::kSituationUpdate, "situation.update"},
    {Action::kSituationClose, "situation.close"},
    {Action::kWatch, "session.watch"},
    {Action::kTasksList, "tasks.list"},
    {Action::kAdminGovernance, "admin.governance"},
    {Action::kAuditIntegrity, "audit.integrity"},
    {Action::kAuditRead, "audit.read"},
    {Action::kReportSummary, "report.summary"},
    {Action::kReportPublic, "report.public"},
    {Action::kReportExport, "report.export"},
    {Action::kAuditAccessStatement, "audit.access_statement"},
}};

namespace detail {
constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < kActionNames.size(); ++i) {
    if (static_cast<std::size_t>(kActionNames[i].action) != i) return false;
  }
  return true;
}
}  // namespace detail
static_assert(detail::in_enum_order(), "kActionNames lists every Action once, in order");

/// Every action, for tests that enumerate the policy.
const std::vector<Action>& all_actions();
/// The audit action name, e.g. "meeting.open".
std::string_view action_name(Action a);

enum class TableRole { kRep, kChair, kPrivacyOfficer, kGuest };

/// The role a person acted in, as the audit records it (AuditActor.role).
enum class ActingRole { kNone, kRep, kChair, kPrivacyOfficer, kGuest, kAdmin };

/// The caller as the policy sees it, for the table the request concerns.
struct Actor {
  bool admin = false;                   // deployment administrator
  std::string agency;                   // the person's agency code; empty for none
  std::vector<TableRole> roles;         // roles held at the table concerned (none: not a member)
  bool confidentiality_signed = false;  // the person signed the confidentiality agreement
};

/// What the handler loaded about the object of the request and, for
/// identifying data, about the caller's governance standing.
struct AccessFacts {
  std::string originating_agency;  // situation actions: the agency that brought it
  SituationState state = SituationState::kAwaitingDecision;  // the situation's
  std::vector<std::string> joined_agencies;     // Filter 3: agencies that joined (incl. lead)
  std::string lead_agency;                      // empty until the chair assigns one
  std::vector<std::string> assisting_agencies;  // named by the chair with the lead
  bool agency_isa_current = false;              // the caller's agency has a current ISA
  // Reveal only: a privacy officer gave a written justification (break-glass).
  bool break_glass_justified = false;
};

/// Whether `agency` is in `agencies`.
bool contains(const std::vector<std::string>& agencies, const std::string& agency);

/// How much of a situation record the caller may see (DESIGN.md's access table).
enum class RecordView { kNone, kAgendaLine, kMetadata, kDeidentified };

struct Access {
  Decision decision;
  RecordView view = RecordView::kNone;
  /// The role the rule relied on; for a refusal, or a rule that relies on
  /// none, the caller's main role at the table (chair, privacy officer,
  /// rep, guest, in that order; administrator; none).
  ActingRole role = ActingRole::kNone;
  bool allowed() const { return decision.allowed(); }
};

Access authorize(const Actor& actor, Action action, const AccessFacts& facts = {});

/// Which audit events a caller may read, once authorize() allowed an audit
/// action at `table` (DESIGN.md's access table): a privacy officer the
/// table's events and the account events (those of no table), with
/// break-glass justifications; a chair the table's, without them; the
/// administrator the key and account events only. Every audit read (query,
/// log, proof, alerts, disclosure register) filters through this one reader.
struct AuditReader {
  bool table_less = false;  // the events of no table: keys, accounts, the deployment
  std::string table;        // this table's events; empty for none
  bool justifications = false;

  bool reads(std::string_view event_table) const {
    return event_table.empty() ? table_less : (!table.empty() && event_table == table);
  }
};
AuditReader audit_reader(const Actor& actor, const std::string& table);

}  // namespace hubtable::domain
