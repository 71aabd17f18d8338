#include "api/subject.h"

#include <absl/time/time.h>

#include <algorithm>

#include "domain/lifecycle.h"
#include "store/accounts.h"
#include "store/governance.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::Refusal;

namespace {

/// The body of the request's oneof (LoginRequest, RevealSituationRequest...).
const google::protobuf::Message& body_of(const v1::Request& r) {
  const auto* field = v1::Request::descriptor()->FindFieldByNumber(r.kind_case());
  return r.GetReflection()->GetMessage(r, field);
}

/// The string field `name` of `m`; empty when it has none.
std::string text_field(const google::protobuf::Message& m, const char* name) {
  const auto* f = m.GetDescriptor()->FindFieldByName(name);
  if (f == nullptr || f->type() != google::protobuf::FieldDescriptor::TYPE_STRING) return {};
  return m.GetReflection()->GetString(m, f);
}

v1::MeetingRef meeting_ref(const google::protobuf::Message& m) {
  v1::MeetingRef ref;
  const auto* f = m.GetDescriptor()->FindFieldByName("ref");
  if (f != nullptr && f->message_type() == v1::MeetingRef::descriptor()) {
    ref.CopyFrom(m.GetReflection()->GetMessage(m, f));
  }
  return ref;
}

/// The caller with the roles of `table`, or of every table they sit at.
domain::Actor actor_anywhere(const Principal& p, const std::string& table) {
  if (!table.empty()) return actor_at(p, table);
  domain::Actor actor = actor_at(p, "");
  for (const auto& t : p.table_codes()) {
    const auto more = actor_at(p, t).roles;
    actor.roles.insert(actor.roles.end(), more.begin(), more.end());
  }
  return actor;
}

/// The table a meeting request is about, and the meeting it names (if any).
absl::StatusOr<Decision> resolve_meeting(store::Connection& c, const Principal& p,
                                         const v1::MeetingRef& ref, Loaded& out) {
  if (!ref.meeting().empty()) {
    auto m = store::find_meeting(c, ref.meeting());
    if (!m.ok()) return m.status();
    if (!*m) {
      return Decision::deny(Refusal::kNotFound, "meeting.not_found",
                            "no meeting has been held with that id");
    }
    if (!ref.table().empty() && ref.table() != (*m)->table_code) {
      return Decision::deny(Refusal::kInvalidArgument, "meeting.wrong_table",
                            "that meeting belongs to another table");
    }
    out.table = (*m)->table_code;
    out.named_meeting = std::move(*m);
    return Decision::allow("meeting.named");
  }
  return pick_table(p, ref.table(), out.table);
}

/// The meeting named, or else the table's open meeting; refuses one that is
/// not open.
absl::StatusOr<Decision> open_meeting_of(store::Connection& c, Loaded& out) {
  if (out.named_meeting) {
    if (out.named_meeting->closed_us)
      return domain::failed("meeting.not_open", "that meeting is closed");
    out.meeting = *out.named_meeting;
    return Decision::allow("meeting.open");
  }
  auto open = store::find_open_meeting(c, out.meeting_table->table.id);
  if (!open.ok()) return open.status();
  if (!*open) return domain::failed("meeting.none_open", "no meeting of this table is open");
  out.meeting = std::move(**open);
  return Decision::allow("meeting.open");
}

absl::StatusOr<Decision> load_meeting(store::Connection& c, const Principal& p,
                                      const google::protobuf::Message& body, Subject s,
                                      const Asked& asked, AuditScope& scope, Loaded& out) {
  auto resolved = resolve_meeting(c, p, meeting_ref(body), out);
  if (!resolved.ok() || !resolved->allowed()) return resolved;
  scope.table = out.table;
  out.actor = actor_at(p, out.table);
  out.access = authorize_in(scope, out.actor, asked.action);
  if (!out.access.allowed()) return out.access.decision;
  auto t = load_table(c, out.table);
  if (!t.ok()) return t.status();
  out.meeting_table = std::move(*t);
  if (s == Subject::kMeetingTable) return out.access.decision;
  if (s == Subject::kMeeting && out.named_meeting) {
    out.meeting = *out.named_meeting;
  } else {
    auto open = open_meeting_of(c, out);
    if (!open.ok() || !open->allowed()) return open;
  }
  scope.meeting = out.meeting.id;
  return out.access.decision;
}

absl::StatusOr<Decision> load_situation_subject(store::Connection& c, const Principal& p,
                                                const std::string& raw_id, Subject s,
                                                const Asked& asked, std::int64_t now_us,
                                                AuditScope& scope, Loaded& out) {
  auto found = load_situation(c, raw_id, out.situation);
  if (!found.ok() || !found->allowed()) return found;
  const store::SituationRecord& record = out.situation;
  out.table = record.table_code;
  scope.table = record.table_code;
  scope.situation = record.id;
  scope.filter_stage = asked.stage;
  domain::AccessFacts f;
  f.originating_agency = record.originating_agency;
  f.state = record.state;
  if (s == Subject::kCase) {
    // A case's audit event is at its own filter: 3, or 4 once the lead is named.
    scope.filter_stage = std::max<std::uint32_t>(
        domain::filter_stage(record.state, !record.lead_agency.empty()), asked.stage);
    auto facts = load_case_facts(c, record);
    if (!facts.ok()) return facts.status();
    out.facts = std::move(*facts);
    auto gov = store::governance_of(c, p.user_id);
    if (!gov.ok()) return gov.status();
    f.joined_agencies = out.facts.joined_agencies();
    f.lead_agency = record.lead_agency;
    f.assisting_agencies = out.facts.agencies_with_role("ASSISTING");
    f.agency_isa_current =
        domain::isa_current(gov->isa_signed_on, gov->isa_expires_on, utc_date(now_us));
    f.break_glass_justified = asked.break_glass;
  }
  out.actor = actor_at(p, record.table_code);
  out.access = authorize_in(scope, out.actor, asked.action, f);
  return out.access.decision;
}

/// The audit of `requested` (or the caller's only table); the
/// administrator, naming none, reads the deployment's own events. The
/// audit event names the table only once the policy allowed.
absl::StatusOr<Decision> load_audit(const Principal& p, const std::string& requested,
                                    const Asked& asked, AuditScope& scope, Loaded& out) {
  const bool admin =
      std::any_of(p.roles.begin(), p.roles.end(), [](const auto& g) { return g.role == "ADMIN"; });
  if (!admin || !requested.empty()) {
    if (auto picked = pick_table(p, requested, out.table); !picked.allowed()) return picked;
  }
  out.actor = actor_at(p, out.table);
  out.access = authorize_in(scope, out.actor, asked.action);
  if (out.access.allowed()) scope.table = out.table;
  return out.access.decision;
}

}  // namespace

const char* subject_field(Subject s) {
  switch (s) {
    case Subject::kCaller:
      return "";
    case Subject::kCallerTables:
    case Subject::kTable:
    case Subject::kAuditTable:
      return "table";
    case Subject::kOpenMeeting:
    case Subject::kMeeting:
    case Subject::kMeetingTable:
      return "ref";
    case Subject::kSituation:
    case Subject::kCase:
      return "id";
    case Subject::kAuditSituation:
      return "situation";
    case Subject::kReportTables:
      return "scope";
  }
  return "";
}

absl::StatusOr<Decision> load_subject(store::Connection& c, const Principal& p,
                                      const v1::Request& request, Subject s, const Asked& asked,
                                      std::int64_t now_us, AuditScope& scope, Loaded& out) {
  const google::protobuf::Message& body = body_of(request);
  const std::string field = text_field(body, subject_field(s));
  switch (s) {
    case Subject::kCaller:
      out.actor = actor_at(p, "");
      break;
    case Subject::kCallerTables:
      scope.table = field;
      out.actor = actor_anywhere(p, field);
      break;
    case Subject::kTable: {
      Decision picked = pick_table(p, field, out.table);
      if (!picked.allowed()) return picked;
      scope.table = out.table;
      scope.filter_stage = asked.stage;
      out.actor = actor_at(p, out.table);
      break;
    }
    case Subject::kOpenMeeting:
    case Subject::kMeeting:
    case Subject::kMeetingTable:
      return load_meeting(c, p, body, s, asked, scope, out);
    case Subject::kSituation:
    case Subject::kCase:
      return load_situation_subject(c, p, field, s, asked, now_us, scope, out);
    case Subject::kAuditTable:
      return load_audit(p, field, asked, scope, out);
    case Subject::kAuditSituation: {
      auto found = load_situation(c, field, out.situation);
      if (!found.ok() || !found->allowed()) return found;
      auto allowed = load_audit(p, out.situation.table_code, asked, scope, out);
      if (allowed.ok() && allowed->allowed()) scope.situation = out.situation.id;
      return allowed;
    }
    case Subject::kReportTables:
      // A report spans tables: its handler asks the policy for each one.
      out.access.decision = Decision::allow("report.tables");
      return out.access.decision;
  }
  out.access = authorize_in(scope, out.actor, asked.action);
  return out.access.decision;
}

domain::Access authorize_in(AuditScope& scope, const domain::Actor& actor, domain::Action action,
                            const domain::AccessFacts& facts) {
  domain::Access access = domain::authorize(actor, action, facts);
  scope.role = access.role;
  return access;
}

domain::Decision pick_table(const Principal& p, const std::string& requested, std::string& table) {
  if (!requested.empty()) {
    table = requested;
    return domain::Decision::allow("table.named");
  }
  std::vector<std::string> tables = p.table_codes();
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  if (tables.size() > 1) {
    return domain::Decision::deny(domain::Refusal::kInvalidArgument, "table.ambiguous",
                                  "you sit at more than one table: name the table");
  }
  table = tables.empty() ? "" : tables.front();
  return domain::Decision::allow("table.only");
}

domain::Actor actor_at(const Principal& p, const std::string& table) {
  domain::Actor a;
  a.agency = p.agency_code;
  a.confidentiality_signed = p.confidentiality_signed;
  for (const auto& g : p.roles) {
    if (g.role == "ADMIN") a.admin = true;
    if (table.empty() || g.table_code != table) continue;
    if (g.role == "REP") a.roles.push_back(domain::TableRole::kRep);
    if (g.role == "CHAIR") a.roles.push_back(domain::TableRole::kChair);
    if (g.role == "PRIVACY_OFFICER") a.roles.push_back(domain::TableRole::kPrivacyOfficer);
    if (g.role == "GUEST") a.roles.push_back(domain::TableRole::kGuest);
  }
  return a;
}

absl::StatusOr<domain::Schedule> schedule_of(const store::TableRecord& t) {
  std::vector<domain::WeeklySlot> slots;
  for (const auto& s : t.schedule) slots.push_back({s.weekday, s.start_minute, s.duration_minutes});
  if (slots.empty()) slots = {{2, 600, 90}, {4, 600, 90}};
  return domain::Schedule::make(t.time_zone, std::move(slots));
}

absl::StatusOr<TableContext> load_table(store::Connection& c, const std::string& code) {
  auto t = store::find_table(c, code);
  if (!t.ok()) return t.status();
  if (!*t) return absl::InternalError("a role refers to a missing table");
  auto sched = schedule_of(**t);
  if (!sched.ok()) return sched.status();
  return TableContext{std::move(**t), std::move(*sched)};
}

std::string utc_date(std::int64_t now_us) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixMicros(now_us), absl::UTCTimeZone());
}

}  // namespace hubtable::api
