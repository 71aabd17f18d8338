#include "domain/authorize.h"

#include <algorithm>
#include <optional>

namespace hubtable::domain {

namespace {

bool holds(const Actor& a, TableRole r) {
  return std::find(a.roles.begin(), a.roles.end(), r) != a.roles.end();
}

Access allow(std::string rule, RecordView view = RecordView::kNone) {
  return {Decision::allow(std::move(rule)), view};
}

Access deny(std::string rule, std::string message) {
  return {Decision::deny(Refusal::kPermissionDenied, std::move(rule), std::move(message)),
          RecordView::kNone};
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
  if (holds(a, TableRole::kRep) || holds(a, TableRole::kChair)) {
    return allow("record.deidentified", RecordView::kDeidentified);
  }
  if (holds(a, TableRole::kPrivacyOfficer)) return allow("record.metadata", RecordView::kMetadata);
  if (holds(a, TableRole::kGuest)) return allow("record.agenda_line", RecordView::kAgendaLine);
  return deny("record.no_role", "your role does not see situation records");
}

Access chair_only(std::string_view what) {
  return deny(std::string(what) + ".chair_only", "only the table's chair may do this");
}

}  // namespace

const std::vector<Action>& all_actions() {
  static const std::vector<Action> kAll = {
      Action::kWhoAmI,         Action::kLogout,          Action::kVocabularyList,
      Action::kDeidCheck,      Action::kMeetingList,     Action::kMeetingOpen,
      Action::kMeetingCheckIn, Action::kMeetingAgenda,   Action::kMeetingClose,
      Action::kMeetingMinutes, Action::kSituationSubmit, Action::kSituationList,
      Action::kSituationShow,  Action::kSituationDecide, Action::kSituationWithdraw,
  };
  return kAll;
}

std::string_view action_name(Action a) {
  switch (a) {
    case Action::kWhoAmI:
      return "session.whoami";
    case Action::kLogout:
      return "session.logout";
    case Action::kVocabularyList:
      return "vocabulary.list";
    case Action::kDeidCheck:
      return "deid.check";
    case Action::kMeetingList:
      return "meeting.list";
    case Action::kMeetingOpen:
      return "meeting.open";
    case Action::kMeetingCheckIn:
      return "meeting.checkin";
    case Action::kMeetingAgenda:
      return "meeting.agenda";
    case Action::kMeetingClose:
      return "meeting.close";
    case Action::kMeetingMinutes:
      return "meeting.minutes";
    case Action::kSituationSubmit:
      return "situation.submit";
    case Action::kSituationList:
      return "situation.list";
    case Action::kSituationShow:
      return "situation.show";
    case Action::kSituationDecide:
      return "situation.decide";
    case Action::kSituationWithdraw:
      return "situation.withdraw";
  }
  return "unknown";
}

Access authorize(const Actor& a, Action action, const AccessFacts& facts) {
  switch (action) {
    case Action::kWhoAmI:
    case Action::kLogout:
      return allow("session.own");
    case Action::kVocabularyList:
      // Vocabularies are not case data: members read their tables' entries,
      // the administrator every table's (they are set through apply).
      if (a.admin || !a.roles.empty()) return allow("vocabulary.read");
      return deny("vocabulary.not_at_table", "you hold no role at that table");
    case Action::kDeidCheck:
      if (auto r = refuse_outsiders(a)) return *r;
      if (holds(a, TableRole::kRep) || holds(a, TableRole::kChair)) return allow("deid.writer");
      return deny("deid.writers_only", "only reps and the chair write case text");
    default:
      break;
  }
  if (auto r = refuse_outsiders(a)) return *r;
  switch (action) {
    case Action::kMeetingList:
    case Action::kMeetingCheckIn:
      return allow("meeting.member");
    case Action::kMeetingAgenda:
      return allow("meeting.agenda_line", RecordView::kAgendaLine);
    case Action::kMeetingOpen:
    case Action::kMeetingClose:
    case Action::kSituationDecide:
      if (holds(a, TableRole::kChair)) return allow("table.chair");
      return chair_only(action == Action::kSituationDecide ? "situation" : "meeting");
    case Action::kMeetingMinutes:
      if (holds(a, TableRole::kGuest) && a.roles.size() == 1) {
        return deny("minutes.members_only", "minutes go to members of the table, not guests");
      }
      return allow("minutes.member");
    case Action::kSituationSubmit:
      if (holds(a, TableRole::kRep) && !a.agency.empty()) return allow("situation.rep_submits");
      return deny("situation.reps_only", "only an agency's rep at the table submits situations");
    case Action::kSituationList:
    case Action::kSituationShow:
      return record_access(a);
    case Action::kSituationWithdraw:
      if (holds(a, TableRole::kRep) && !a.agency.empty() && a.agency == facts.originating_agency) {
        return allow("situation.originator_withdraws");
      }
      return deny("situation.originator_only",
                  "only a rep of the originating agency may withdraw a situation");
    default:
      return deny("policy.default_deny", "no rule allows this request");
  }
}

}  // namespace hubtable::domain
