#pragma once
// The subject of a request: what the dispatcher loads before the policy is
// asked, so that every handler receives an authorized view (DESIGN.md, "One
// request, end to end"). A request table row names its Subject; the field
// it reads from the request is fixed by the Subject (a test checks that
// each row's request has it).

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "api/audited_work.h"
#include "api/principal.h"
#include "api/situation_view.h"
#include "domain/authorize.h"
#include "domain/schedule.h"
#include "hubtable/v1/envelope.pb.h"
#include "store/meetings.h"
#include "store/situations.h"

namespace hubtable::api {

enum class Subject {
  kCaller,        // no object: the caller alone, at no table
  kCallerTables,  // `table` (optional): the caller with the roles of that table, or of every table
  kTable,         // `table`: that table, or the caller's only table
  kOpenMeeting,   // `ref`: the meeting named, which must be open, or the table's open meeting
  kMeeting,       // `ref`: the meeting named in any state, or the table's open meeting
  kMeetingTable,  // `ref`: the table of the meeting named; the handler picks the meeting
  kSituation,     // `id`: a situation, its record only (Filters 1 and 2)
  kCase,          // `id`: a situation with its participants and the caller's ISA (Filters 3, 4)
  kAuditTable,    // `table`: that table, the caller's only table, or the administrator's deployment
  kAuditSituation,  // `situation`: the audit of the situation's table
  kReportTables,    // `scope`: the handler asks the policy for each table a report names
};

/// The request's field a subject is read from ("" for none).
const char* subject_field(Subject s);

/// A table as handlers use it: its record and schedule.
struct TableContext {
  store::TableRecord table;
  std::optional<domain::Schedule> schedule;
};

struct Loaded {
  domain::Actor actor;    // the caller at the subject's table
  domain::Access access;  // the policy's answer for the row's action
  std::string table;      // the table concerned (empty: none, or the deployment)
  // kSituation and kCase: the record; kCase also its participants and follow-up.
  store::SituationRecord situation;
  CaseFacts facts;
  // Meeting subjects: the table, the meeting named (if any) and, but for
  // kMeetingTable, the meeting the request is about.
  std::optional<TableContext> meeting_table;
  std::optional<store::MeetingRecord> named_meeting;
  store::MeetingRecord meeting;
};

/// How the row applies to this request (a break-glass reveal writes).
struct Asked {
  domain::Action action;
  std::uint32_t stage = 0;   // the filter the request works at (kCase: the case's own)
  bool break_glass = false;  // reveal with a privacy officer's justification
};

/// Loads the subject `s` of `request`, scopes the audit event, and asks the
/// policy once. Returns the policy's decision, or the refusal of a subject
/// that cannot be loaded (bad id, not found, table not named).
absl::StatusOr<domain::Decision> load_subject(store::Connection& c, const Principal& p,
                                              const hubtable::v1::Request& request, Subject s,
                                              const Asked& asked, std::int64_t now_us,
                                              AuditScope& scope, Loaded& out);

/// Asks the one access policy (domain::authorize) and records in `scope`
/// the role the caller acted in, allowed or refused.
domain::Access authorize_in(AuditScope& scope, const domain::Actor& actor, domain::Action action,
                            const domain::AccessFacts& facts = {});

/// The table a request concerns: `requested`, or the caller's only table
/// (empty when they sit at none). Denies when they sit at several and did
/// not say which.
domain::Decision pick_table(const Principal& p, const std::string& requested, std::string& table);

/// The caller as the policy sees them at `table`.
domain::Actor actor_at(const Principal& p, const std::string& table);

/// The table's schedule (Tuesday and Thursday 10:00 for 90 minutes when it
/// has none).
absl::StatusOr<domain::Schedule> schedule_of(const store::TableRecord& t);

/// The table's record and schedule.
absl::StatusOr<TableContext> load_table(store::Connection& c, const std::string& code);

/// "YYYY-MM-DD", the UTC date at `now_us` (agreements are dated).
std::string utc_date(std::int64_t now_us);

}  // namespace hubtable::api
