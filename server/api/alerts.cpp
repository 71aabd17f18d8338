// Alerts for the privacy officers (issue 5). Every audit event a request
// appends is examined in the same transaction; an alert is an audit event of
// its own ("alert.<kind>", no actor, the person concerned in its AuditAlert),
// so it is in the tamper-evident log, and it is pushed to the watching
// privacy officers once the transaction commits. The rules and thresholds
// are domain::AlertRules ([alerts] in hubtabled.toml):
//   break_glass          every break-glass reveal (also to the chairs);
//   mass_disclosure      one person revealing identifiers of many situations
//                        within a window;
//   after_hours          case data used outside the table's working hours,
//                        while no meeting of the table is open;
//   repeated_denials     one person refused many times within a window;
//   verification_failed  the server's own check of its log, or a privacy
//                        officer's `audit verify`, found it wrong.
// Repeats of one kind about one person are held back for the rule's window.

#include <absl/time/time.h>

#include <algorithm>
#include <set>

#include "api/alerts.h"
#include "audit/audit_writer.h"
#include "domain/alerts.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;

namespace {

// A person's events examined per rule, newest first: far more than any
// threshold, and a bound on the work one request can cause.
constexpr std::int64_t kRecentRows = 10000;

// What each rate rule counts: the person's events it concerns, newest first,
// each as (time_us, what is counted once). Each names the condition of its
// partial index (schema 0015), so that it reads only those events, never the
// person's others.
static_assert(v1::AUDIT_OK == 1, "schema 0015's audit_events_user_reveals");
constexpr const char* kRevealsSql =
    "SELECT time_us, COALESCE(situation, '') FROM audit_events "
    "WHERE user_id = ?1 AND action = 'situation.reveal' AND outcome = 1 "
    "ORDER BY seq DESC LIMIT ?2";
constexpr const char* kRefusalsSql =
    "SELECT time_us, seq FROM audit_events WHERE user_id = ?1 AND access_refusal = 1 "
    "ORDER BY seq DESC LIMIT ?2";

/// How many distinct keys the rows of `sql` (above) hold at or after
/// `since_us`, counting no further than `enough`.
absl::StatusOr<std::size_t> count_recent(store::Connection& c, const char* sql,
                                         std::int64_t user_id, std::int64_t since_us,
                                         std::size_t enough) {
  auto q = c.prepare(sql);
  if (!q.ok()) return q.status();
  q->bind(1, user_id).bind(2, kRecentRows);
  std::set<std::string> seen;
  while (seen.size() < enough) {
    auto row = q->step();
    if (!row.ok()) return row.status();
    if (!*row || q->integer(0) < since_us) break;
    seen.insert(q->text(1));
  }
  return seen.size();
}

/// Whether an alert of `kind` about `user_id` was raised at or after `since_us`.
absl::StatusOr<bool> alerted_since(store::Connection& c, std::string_view kind,
                                   std::int64_t user_id, std::int64_t since_us) {
  auto q = c.prepare("SELECT time_us, event FROM audit_events WHERE action = ?1 ORDER BY seq DESC");
  if (!q.ok()) return q.status();
  q->bind(1, "alert." + std::string(kind));
  for (;;) {
    auto row = q->step();
    if (!row.ok()) return row.status();
    if (!*row || q->integer(0) < since_us) return false;
    const crypto::Bytes bytes = q->blob(1);
    v1::AuditEvent e;
    if (e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) &&
        e.alert().subject_user_id() == user_id) {
      return true;
    }
  }
}

/// Whether `table` is out of hours at `us`: outside the working hours in its
/// own time zone, and not sitting (an emergency meeting on a Sunday is table
/// work, for as long as the meeting was planned to last). An unknown table or
/// zone is never out of hours.
absl::StatusOr<bool> out_of_hours(store::Connection& c, const std::string& table,
                                  const domain::WorkingHours& hours, std::int64_t us) {
  auto q = c.prepare(
      "SELECT t.time_zone, EXISTS (SELECT 1 FROM meetings m WHERE m.table_id = t.id AND "
      "m.closed_us IS NULL AND ?2 < MAX(m.scheduled_start_us, m.opened_us) + "
      "m.duration_minutes * 60000000) FROM situation_tables t WHERE t.code = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, table).bind(2, us);
  auto row = q->step();
  if (!row.ok()) return row.status();
  if (!*row || q->integer(1) != 0) return false;
  absl::TimeZone tz;
  const std::string name = q->text(0);
  if (!absl::LoadTimeZone(absl::string_view(name.data(), name.size()), &tz)) return false;
  return !domain::within_working_hours(hours, tz, us);
}

/// An alert event of `kind`: action "alert.<kind>", rule "alerts.<kind>".
v1::AuditEvent new_alert(std::int64_t now_us, std::string_view kind) {
  v1::AuditEvent a;
  a.set_time_us(now_us);
  a.set_action("alert." + std::string(kind));
  a.set_outcome(v1::AUDIT_OK);
  a.set_rule("alerts." + std::string(kind));
  a.set_status_code(v1::Code_Name(v1::OK));
  a.mutable_alert()->set_kind(std::string(kind));
  return a;
}

/// An alert about the person behind `trigger`.
v1::AuditEvent alert_about(const v1::AuditEvent& trigger, std::string_view kind) {
  v1::AuditEvent a = new_alert(trigger.time_us(), kind);
  a.set_table(trigger.table());
  a.set_situation(trigger.situation());
  a.set_request_id(trigger.request_id());
  auto* al = a.mutable_alert();
  al->set_subject_user_id(trigger.actor().user_id());
  al->set_subject(trigger.actor().username());
  al->set_trigger_sequence(trigger.sequence());
  al->set_count(1);
  return a;
}

bool about_case_data(std::string_view action) {
  return action.starts_with("situation.") || action.starts_with("meeting.");
}

}  // namespace

v1::AuditEvent verification_alert(std::int64_t now_us, std::uint64_t first_bad,
                                  std::uint64_t last_bad, std::string_view problem_class,
                                  std::uint64_t tree_size, std::int64_t subject_user_id,
                                  const std::string& subject) {
  v1::AuditEvent a = new_alert(now_us, domain::kAlertVerificationFailed);
  auto* al = a.mutable_alert();
  al->set_subject_user_id(subject_user_id);
  al->set_subject(subject);
  al->set_first_bad(first_bad);
  al->set_last_bad(last_bad);
  al->set_problem(std::string(problem_class));
  al->set_tree_size(tree_size);
  return a;
}

absl::StatusOr<std::vector<v1::AuditEvent>> alerts_for(store::Connection& c,
                                                       const v1::AuditEvent& e,
                                                       const domain::AlertRules& rules) {
  std::vector<v1::AuditEvent> out;
  const std::int64_t user = e.actor().user_id();
  if (user == 0 || e.action().starts_with("alert.")) return out;
  const bool ok = e.outcome() == v1::AUDIT_OK;

  if (ok && e.rule() == "identifiers.break_glass") {
    v1::AuditEvent a = alert_about(e, domain::kAlertBreakGlass);
    a.set_break_glass_id(e.break_glass_id());
    out.push_back(std::move(a));
  }
  if (ok && e.rule() == "access_statement.privacy_officer") {
    v1::AuditEvent a = alert_about(e, domain::kAlertAccessStatement);
    a.set_break_glass_id(e.break_glass_id());
    out.push_back(std::move(a));
  }

  // A rate rule: the distinct events of `sql` about the person in the window
  // reaching `threshold` raise one alert of `kind` per window. The check
  // counts up to the threshold; only an alert to raise counts them all.
  const auto rate_rule = [&](std::string_view kind, std::int64_t window_us, int threshold,
                             const char* sql) -> absl::Status {
    const std::int64_t since = e.time_us() - window_us;
    const auto wanted = static_cast<std::size_t>(std::max(threshold, 1));
    auto n = count_recent(c, sql, user, since, wanted);
    if (!n.ok()) return n.status();
    if (*n < wanted) return absl::OkStatus();
    auto seen = alerted_since(c, kind, user, since);
    if (!seen.ok()) return seen.status();
    if (*seen) return absl::OkStatus();
    auto all = count_recent(c, sql, user, since, static_cast<std::size_t>(kRecentRows));
    if (!all.ok()) return all.status();
    v1::AuditEvent a = alert_about(e, kind);
    a.set_situation("");
    a.mutable_alert()->set_count(static_cast<std::uint32_t>(*all));
    a.mutable_alert()->set_window_us(window_us);
    out.push_back(std::move(a));
    return absl::OkStatus();
  };

  if (ok && e.action() == "situation.reveal") {
    auto st = rate_rule(domain::kAlertMassDisclosure, rules.reveal_window_us,
                        rules.reveal_situations, kRevealsSql);
    if (!st.ok()) return st;
  }

  // Someone probing what they may not see, not someone mistyping a code.
  if (audit::refuses_access(e)) {
    auto st = rate_rule(domain::kAlertRepeatedDenials, rules.denial_window_us, rules.denials,
                        kRefusalsSql);
    if (!st.ok()) return st;
  }

  if (ok && !e.table().empty() && about_case_data(e.action())) {
    auto late = out_of_hours(c, e.table(), rules.hours, e.time_us());
    if (!late.ok()) return late.status();
    if (*late) {
      auto seen = alerted_since(c, domain::kAlertAfterHours, user,
                                e.time_us() - rules.after_hours_quiet_us);
      if (!seen.ok()) return seen.status();
      if (!*seen) out.push_back(alert_about(e, domain::kAlertAfterHours));
    }
  }
  return out;
}

Audience alert_audience(const v1::AuditEvent& a) {
  Audience to;
  to.table = a.table();
  to.privacy_officers = true;
  to.every_table = a.table().empty();
  if (a.alert().kind() == domain::kAlertBreakGlass ||
      a.alert().kind() == domain::kAlertAccessStatement) {
    to.chairs = true;
    to.except_user = a.alert().subject_user_id();  // the other privacy officers
  }
  return to;
}

}  // namespace hubtable::api
