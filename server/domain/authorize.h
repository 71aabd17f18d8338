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

/// What the handler loaded about the object of the request.
struct AccessFacts {
  std::string originating_agency;  // situation actions: the agency that brought it
};

/// How much of a situation record the caller may see (DESIGN.md's access table).
enum class RecordView { kNone, kAgendaLine, kMetadata, kDeidentified };

struct Access {
  Decision decision;
  RecordView view = RecordView::kNone;
  bool allowed() const { return decision.allowed(); }
};

Access authorize(const Actor& actor, Action action, const AccessFacts& facts = {});

}  // namespace hubtable::domain
