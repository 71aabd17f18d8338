#include "domain/authorize.h"

#include <algorithm>
#include <optional>

namespace hubtable::domain {

namespace {

bool holds(const Actor& a, TableRole r) {
  return std::find(a.roles.begin(), a.roles.end(), r) != a.roles.end();
}

Access allow(std::string rule, RecordView view = RecordView::kNone,
             ActingRole role = ActingRole::kNone) {
  return {Decision::allow(std::move(rule)), view, role};
}

Access allow_as(ActingRole role, std::string rule, RecordView view = RecordView::kNone) {
  return allow(std::move(rule), view, role);
}

Access deny(std::string rule, std::string message) {
  return {Decision::deny(Refusal::kPermissionDenied, std::move(rule), std::move(message)),
          RecordView::kNone};
}

ActingRole main_role(const Actor& a) {
  if (holds(a, TableRole::kChair)) return ActingRole::kChair;
  if (holds(a, TableRole::kPrivacyOfficer)) return ActingRole::kPrivacyOfficer;
  if (holds(a, TableRole::kRep)) return ActingRole::kRep;
  if (holds(a, TableRole::kGuest)) return ActingRole::kGuest;
  return a.admin ? ActingRole::kAdmin : ActingRole::kNone;
}

// Case data and meetings: the administrator has no business here, and
// nobody sees another table's work.
std::optional<Access> refuse_outsiders(const Actor& a) {
  if (a.roles.empty()) {
    if (a.admin) {
      return deny("admin.no_case_data", "the deployment administrator sees no case data");
    }
    return deny("table.not_member", "you hold no role at that table");
  }
  return std::nullopt;
}

Access record_access(const Actor& a) {
  if (holds(a, TableRole::kChair)) {
    return allow_as(ActingRole::kChair, "record.deidentified", RecordView::kDeidentified);
  }
  if (holds(a, TableRole::kRep)) {
    return allow_as(ActingRole::kRep, "record.deidentified", RecordView::kDeidentified);
  }
  if (holds(a, TableRole::kPrivacyOfficer)) {
    return allow_as(ActingRole::kPrivacyOfficer, "record.metadata", RecordView::kMetadata);
  }
  if (holds(a, TableRole::kGuest)) {
    return allow_as(ActingRole::kGuest, "record.agenda_line", RecordView::kAgendaLine);
  }
  return deny("record.no_role", "your role does not see situation records");
}

Access chair_only(std::string_view what) {
  return deny(std::string(what) + ".chair_only", "only the table's chair may do this");
}

bool rep_of(const Actor& a, const std::string& agency) {
  return holds(a, TableRole::kRep) && !a.agency.empty() && a.agency == agency;
}

bool rep_of_any(const Actor& a, const std::vector<std::string>& agencies) {
  return holds(a, TableRole::kRep) && !a.agency.empty() && contains(agencies, a.agency);
}

Access confidentiality_unsigned() {
  return deny("governance.confidentiality_unsigned",
              "you have not signed the table's confidentiality agreement: case data goes only to "
              "those who have (the administrator records it)");
}

// Every member signs a confidentiality agreement (DOMAIN.md, "Legal footing
// and governance"); until they have, no case data reaches them, de-identified
// or not.
bool shows_or_changes_case_data(Action action) {
  switch (action) {
    case Action::kMeetingOpen:  // answers with the agenda
    case Action::kMeetingAgenda:
    case Action::kMeetingClose:
    case Action::kMeetingMinutes:
    case Action::kSituationSubmit:
    case Action::kSituationList:
    case Action::kSituationShow:
    case Action::kSituationDecide:
    case Action::kSituationWithdraw:
    case Action::kSituationAmend:
    case Action::kSituationJoin:
    case Action::kSituationIdentify:
    case Action::kSituationReveal:
    case Action::kSituationAssign:
    case Action::kSituationAddAgency:
    case Action::kSituationAck:
    case Action::kSituationPlan:
    case Action::kSituationPlanRead:
    case Action::kSituationIntervene:
    case Action::kSituationUpdate:
    case Action::kSituationClose:
    case Action::kReportSummary:
    case Action::kReportPublic:
    case Action::kReportExport:
    case Action::kTasksList:
    case Action::kAuditAccessStatement:  // searches the table by identifier
      return true;
    default:
      return false;
  }
}

// An agency without a current information-sharing agreement neither joins
// nor receives identifying information.
std::optional<Access> governance_gate(const AccessFacts& f) {
  if (!f.agency_isa_current) {
    return deny("governance.isa_not_current",
                "your agency has no current information-sharing agreement");
  }
  return std::nullopt;
}

// Identifying data exists only between acceptance and closure.
std::optional<Access> identifiers_live(const AccessFacts& f) {
  if (f.state == SituationState::kClosed) {
    return deny("identifiers.closed", "the situation is closed: its identifiers are not shared");
  }
  if (!is_open_case(f.state)) {
    return deny("identifiers.not_accepted",
                "identifiers are shared only after the table accepts a situation (Filter 3)");
  }
  return std::nullopt;
}

// Who may receive a situation's identifiers (DESIGN.md's access table).
Access identifier_access(const Actor& a, const AccessFacts& f) {
  if (f.break_glass_justified) {
    if (!holds(a, TableRole::kPrivacyOfficer)) {
      return deny("break_glass.privacy_officers_only",
                  "break-glass access is for the table's privacy officers");
    }
    // Whatever the situation's state: the identifiers exist until purged,
    // and an investigation may come after closure.
    return allow_as(ActingRole::kPrivacyOfficer, "identifiers.break_glass");
  }
  if (!holds(a, TableRole::kRep) && !holds(a, TableRole::kChair)) {
    if (holds(a, TableRole::kPrivacyOfficer)) {
      return deny("identifiers.break_glass_only",
                  "a privacy officer sees identifiers only through break-glass access, with a "
                  "written justification");
    }
    return deny("identifiers.no_guests", "guests never see identifying information");
  }
  if (auto r = identifiers_live(f)) return *r;
  std::string rule;
  ActingRole role = ActingRole::kRep;
  if (rep_of(a, f.originating_agency)) {
    rule = "identifiers.originating_agency";
  } else if (rep_of_any(a, f.joined_agencies)) {
    rule = "identifiers.joined_agency";
  } else if (holds(a, TableRole::kChair) && !a.agency.empty() &&
             contains(f.joined_agencies, a.agency)) {
    rule = "identifiers.chair_via_joined_agency";
    role = ActingRole::kChair;
  } else if (holds(a, TableRole::kChair)) {
    return deny("identifiers.chair_not_joined",
                "the chair sees identifiers only through an agency that joined the situation");
  } else {
    return deny("identifiers.agency_not_joined", "your agency has not joined this situation");
  }
  if (auto r = governance_gate(f)) return *r;
  return allow_as(role, std::move(rule));
}

// Filter 4: the lead and assisting agencies only; the chair is not one.
Access planning_access(const Actor& a, const AccessFacts& f) {
  std::vector<std::string> planners = f.assisting_agencies;
  if (!f.lead_agency.empty()) planners.push_back(f.lead_agency);
  if (!rep_of_any(a, planners)) {
    return deny("plan.lead_or_assisting_only",
                "planning notes are for the lead and assisting agencies only");
  }
  if (auto r = identifiers_live(f)) return *r;
  if (auto r = governance_gate(f)) return *r;
  return allow_as(ActingRole::kRep, "plan.lead_or_assisting");
}

Access lead_only(const Actor& a, const AccessFacts& f, std::string_view what) {
  if (!f.lead_agency.empty() && rep_of(a, f.lead_agency)) {
    return allow_as(ActingRole::kRep, "situation.lead_agency");
  }
  return deny(std::string(what) + ".lead_only", "only a rep of the lead agency may do this");
}

}  // namespace

bool contains(const std::vector<std::string>& agencies, const std::string& agency) {
  return std::find(agencies.begin(), agencies.end(), agency) != agencies.end();
}

const std::vector<Action>& all_actions() {
  static const std::vector<Action> kAll = [] {
    std::vector<Action> out;
    out.reserve(kActionNames.size());
    for (const auto& [action, name] : kActionNames) out.push_back(action);
    return out;
  }();
  return kAll;
}

std::string_view action_name(Action a) {
  const auto i = static_cast<std::size_t>(a);
  return i < kActionNames.size() ? kActionNames[i].name : "unknown";
}

namespace {

// One switch over every action, long on purpose: the policy reads as
// DESIGN.md's access table, one case per row, and an action it does not name
// falls to the default deny at its end.
Access decide(const Actor& a, Action action, const AccessFacts& facts) {
  switch (action) {
    case Action::kWhoAmI:
    case Action::kLogout:
    case Action::kWatch:
      // Watch streams only the caller's own events (chosen by the server).
      return allow("session.own");
    case Action::kAdminGovernance:
      if (a.admin) return allow_as(ActingRole::kAdmin, "admin.deployment");
      return deny("admin.only", "only the deployment administrator may do this");
    case Action::kAuditIntegrity:
    case Action::kAuditRead:
      // DESIGN.md: the administrator sees key and account events only.
      if (a.admin) return allow_as(ActingRole::kAdmin, "audit.admin_account_events");
      if (auto r = refuse_outsiders(a)) return *r;
      if (holds(a, TableRole::kPrivacyOfficer)) {
        return allow_as(ActingRole::kPrivacyOfficer, "audit.privacy_officer");
      }
      if (holds(a, TableRole::kChair)) return allow_as(ActingRole::kChair, "audit.chair_own_table");
      return deny("audit.auditors_only", "only privacy officers and chairs read the audit log");
    case Action::kVocabularyList:
      // Vocabularies are not case data: members read their tables' entries,
      // the administrator every table's (they are set through apply).
      if (a.admin || !a.roles.empty()) return allow("vocabulary.read");
      return deny("vocabulary.not_at_table", "you hold no role at that table");
    case Action::kDeidCheck:
      if (auto r = refuse_outsiders(a)) return *r;
      if (holds(a, TableRole::kChair)) return allow_as(ActingRole::kChair, "deid.writer");
      if (holds(a, TableRole::kRep)) return allow_as(ActingRole::kRep, "deid.writer");
      return deny("deid.writers_only", "only reps and the chair write case text");
    default:
      break;
  }
  if (auto r = refuse_outsiders(a)) return *r;
  if (shows_or_changes_case_data(action) && !a.confidentiality_signed) {
    return confidentiality_unsigned();
  }
  switch (action) {
    case Action::kMeetingList:
    case Action::kMeetingCheckIn:
      return allow("meeting.member");
    case Action::kMeetingAgenda:
      return allow("meeting.agenda_line", RecordView::kAgendaLine);
    case Action::kReportSummary:
    case Action::kReportPublic:
    case Action::kReportExport:
      // The chair reports to partners and funders; privacy officers check
      // what is published. Reps and guests see their cases, not the table's.
      if (holds(a, TableRole::kPrivacyOfficer)) {
        return allow_as(ActingRole::kPrivacyOfficer, "report.privacy_officer");
      }
      if (holds(a, TableRole::kChair)) return allow_as(ActingRole::kChair, "report.chair");
      return deny("report.chairs_and_privacy_officers",
                  "only the chair and privacy officers run reports");
    case Action::kAuditAccessStatement:
      // Searching by identifier is the privacy office's, for the person's
      // own request: not the chair's, not an agency's.
      if (holds(a, TableRole::kPrivacyOfficer)) {
        return allow_as(ActingRole::kPrivacyOfficer, "access_statement.privacy_officer");
      }
      return deny("access_statement.privacy_officers_only",
                  "only a privacy officer answers a person's request for access");
    case Action::kMeetingOpen:
    case Action::kMeetingClose:
    case Action::kSituationDecide:
    case Action::kSituationAssign:
    case Action::kSituationAddAgency:
    case Action::kSituationClose:
      if (holds(a, TableRole::kChair)) return allow_as(ActingRole::kChair, "table.chair");
      return chair_only(action == Action::kMeetingOpen || action == Action::kMeetingClose
                            ? "meeting"
                            : "situation");
    case Action::kMeetingMinutes:
      if (holds(a, TableRole::kGuest) && a.roles.size() == 1) {
        return deny("minutes.members_only", "minutes go to members of the table, not guests");
      }
      return allow("minutes.member");
    case Action::kSituationSubmit:
      if (holds(a, TableRole::kRep) && !a.agency.empty()) {
        return allow_as(ActingRole::kRep, "situation.rep_submits");
      }
      return deny("situation.reps_only", "only an agency's rep at the table submits situations");
    case Action::kSituationList:
    case Action::kSituationShow:
      return record_access(a);
    case Action::kSituationWithdraw:
      if (holds(a, TableRole::kRep) && !a.agency.empty() && a.agency == facts.originating_agency) {
        return allow_as(ActingRole::kRep, "situation.originator_withdraws");
      }
      return deny("situation.originator_only",
                  "only a rep of the originating agency may withdraw a situation");
    case Action::kSituationAmend:
      if (rep_of(a, facts.originating_agency)) {
        return allow_as(ActingRole::kRep, "situation.originator_amends");
      }
      return deny("amend.originator_only",
                  "only a rep of the originating agency may amend a situation");
    case Action::kTasksList:
      // Each caller's own work: their agency's and, for a chair, the table's.
      if (holds(a, TableRole::kRep) || holds(a, TableRole::kChair)) {
        return allow("tasks.own");
      }
      return deny("tasks.reps_and_chairs", "tasks are for reps and chairs");
    case Action::kSituationJoin:
      if (!holds(a, TableRole::kRep) || a.agency.empty()) {
        return deny("join.reps_only", "only an agency's rep joins a situation for the agency");
      }
      if (auto r = governance_gate(facts)) return *r;
      return allow_as(ActingRole::kRep, "join.rep_with_agreements");
    case Action::kSituationIdentify:
      if (!rep_of(a, facts.originating_agency)) {
        return deny("identify.originator_only",
                    "only a rep of the originating agency enters its identifiers");
      }
      if (auto r = identifiers_live(facts)) return *r;
      if (auto r = governance_gate(facts)) return *r;
      return allow_as(ActingRole::kRep, "identifiers.originating_agency");
    case Action::kSituationReveal:
      return identifier_access(a, facts);
    case Action::kSituationPlan:
    case Action::kSituationPlanRead:
      return planning_access(a, facts);
    case Action::kSituationAck:
      return lead_only(a, facts, "ack");
    case Action::kSituationIntervene:
      return lead_only(a, facts, "intervene");
    case Action::kSituationUpdate:
      return lead_only(a, facts, "update");
    default:
      return deny("policy.default_deny", "no rule allows this request");
  }
}

}  // namespace

AuditReader audit_reader(const Actor& a, const std::string& table) {
  AuditReader r;
  if (holds(a, TableRole::kPrivacyOfficer)) {
    r.table_less = true;
    r.table = table;
    r.justifications = true;
  } else if (holds(a, TableRole::kChair)) {
    r.table = table;
  } else if (a.admin) {
    r.table_less = true;
  }
  return r;
}

Access authorize(const Actor& a, Action action, const AccessFacts& facts) {
  Access out = decide(a, action, facts);
  if (out.role == ActingRole::kNone) out.role = main_role(a);
  return out;
}

}  // namespace hubtable::domain
