#pragma once
// The one access policy. Every request handler asks `authorize` before it
// reads or changes anything; the rule id of the answer goes into the audit
// event and into a PERMISSION_DENIED response. Default deny: an action or a
// role not named below is refused.

#include <string>
#include <string_view>
#include <vector>

#include "domain/decision.h"

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
  // Filter 3: need-to-know identification.
  kSituationJoin,
  kSituationIdentify,
  kSituationReveal,
  kSituationAssign,
  kSituationAck,
  // Filter 4 and follow-up.
  kSituationPlan,
  kSituationPlanRead,
  kSituationIntervene,
  kSituationUpdate,
  kSituationClose,
  kWatch,
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
};

/// Every action, for tests that enumerate the policy.
const std::vector<Action>& all_actions();
/// The audit action name, e.g. "meeting.open".
std::string_view action_name(Action a);

enum class TableRole { kRep, kChair, kPrivacyOfficer, kGuest };

/// The caller as the policy sees it, for the table the request concerns.
struct Actor {
  bool admin = false;            // deployment administrator
  std::string agency;            // the person's agency code; empty for none
  std::vector<TableRole> roles;  // roles held at the table concerned (none: not a member)
};

/// What the handler loaded about the object of the request and, for
/// identifying data, about the caller's governance standing.
struct AccessFacts {
  std::string originating_agency;               // situation actions: the agency that brought it
  std::string state;                            // the situation's state (SituationState name)
  std::vector<std::string> joined_agencies;     // Filter 3: agencies that joined (incl. lead)
  std::string lead_agency;                      // empty until the chair assigns one
  std::vector<std::string> assisting_agencies;  // named by the chair with the lead
  bool agency_isa_current = false;              // the caller's agency has a current ISA
  bool confidentiality_signed = false;          // the caller signed the confidentiality agreement
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
  bool allowed() const { return decision.allowed(); }
};

Access authorize(const Actor& actor, Action action, const AccessFacts& facts = {});

}  // namespace hubtable::domain
