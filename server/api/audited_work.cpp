#include "api/audited_work.h"

#include <spdlog/spdlog.h>

#include "api/alerts.h"
#include "audit/audit_writer.h"
#include "store/event_log.h"
#include "store/transaction.h"
#include "wire/alert_text.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;

v1::Code to_code(domain::Refusal r) {
  switch (r) {
    case domain::Refusal::kNone:
      return v1::OK;
    case domain::Refusal::kInvalidArgument:
      return v1::INVALID_ARGUMENT;
    case domain::Refusal::kNotFound:
      return v1::NOT_FOUND;
    case domain::Refusal::kUnauthenticated:
      return v1::UNAUTHENTICATED;
    case domain::Refusal::kPermissionDenied:
      return v1::PERMISSION_DENIED;
    case domain::Refusal::kFailedPrecondition:
      return v1::FAILED_PRECONDITION;
    case domain::Refusal::kResourceExhausted:
      return v1::RESOURCE_EXHAUSTED;
  }
  return v1::INTERNAL;
}

v1::Response unavailable_response(const absl::Status& cause) {
  v1::Response r;
  if (cause.code() == absl::StatusCode::kResourceExhausted) {
    // A full disk is not a reason to retry at once: nothing was stored.
    r.mutable_status()->set_code(v1::RESOURCE_EXHAUSTED);
    r.mutable_status()->set_message(
        "the server's storage is full: nothing was changed; tell the administrator");
    r.mutable_status()->set_rule("store.full");
    return r;
  }
  r.mutable_status()->set_code(v1::UNAVAILABLE);
  r.mutable_status()->set_message("the server could not use its database; retry");
  r.mutable_status()->set_rule("store.unavailable");
  return r;
}

v1::Role audit_role(domain::ActingRole r) {
  switch (r) {
    case domain::ActingRole::kRep:
      return v1::REP;
    case domain::ActingRole::kChair:
      return v1::CHAIR;
    case domain::ActingRole::kPrivacyOfficer:
      return v1::PRIVACY_OFFICER;
    case domain::ActingRole::kGuest:
      return v1::GUEST;
    case domain::ActingRole::kAdmin:
      return v1::ADMIN;
    case domain::ActingRole::kNone:
      break;
  }
  return v1::ROLE_UNSPECIFIED;
}

AuditedWork::AuditedWork(store::Database& db, const domain::Clock& clock, domain::AlertRules rules,
                         EventHub& events)
    : db_(db), clock_(clock), rules_(rules), events_(events) {}

v1::AuditEvent AuditedWork::event(const RequestContext& ctx, const Principal* p,
                                  std::string_view action, const AuditScope& scope) const {
  v1::AuditEvent e;
  e.set_time_us(clock_.now_us());
  e.set_action(std::string(action));
  e.set_request_id(ctx.request_id);
  e.set_table(scope.table);
  e.set_meeting(scope.meeting);
  e.set_situation(scope.situation);
  e.set_filter_stage(scope.filter_stage);
  for (const auto& d : scope.data_elements) e.add_data_elements(d);
  e.set_legal_authority(scope.legal_authority);
  e.set_purpose(scope.purpose);
  e.set_target(scope.target);
  e.set_break_glass_id(scope.break_glass_id);
  if (scope.report) *e.mutable_report() = *scope.report;
  auto* actor = e.mutable_actor();
  actor->set_certificate_thumbprint(ctx.thumbprint);
  actor->set_remote_address(ctx.remote_address);
  if (p != nullptr) {
    actor->set_user_id(p->user_id);
    actor->set_username(p->username);
    actor->set_agency(p->agency_code);
    actor->set_role(audit_role(scope.role));
  }
  return e;
}

v1::AuditEvent AuditedWork::ok_event(const RequestContext& ctx, const Principal& p,
                                     std::string_view action, const std::string& rule,
                                     const AuditScope& scope) const {
  v1::AuditEvent e = event(ctx, &p, action, scope);
  e.set_outcome(v1::AUDIT_OK);
  e.set_rule(rule);
  e.set_status_code(v1::Code_Name(v1::OK));
  return e;
}

absl::Status AuditedWork::record(store::Connection& c, v1::AuditEvent e, Raised& raised) const {
  auto seq = audit::append(c, e);
  if (!seq.ok()) return seq.status();
  e.set_sequence(*seq);
  raise_to(last_appended_, *seq);
  auto alerts = alerts_for(c, e, rules_);
  if (!alerts.ok()) return alerts.status();
  for (auto& a : *alerts) {
    auto at = audit::append(c, a);
    if (!at.ok()) return at.status();
    a.set_sequence(*at);
    raised.push_back(std::move(a));
  }
  return absl::OkStatus();
}

absl::Status AuditedWork::append_ok(store::Connection& c, const RequestContext& ctx,
                                    const Principal& p, std::string_view action,
                                    const std::string& rule, const AuditScope& scope,
                                    Raised& raised) const {
  return record(c, ok_event(ctx, p, action, rule, scope), raised);
}

absl::Status AuditedWork::audit_now(v1::AuditEvent e, const Change& change) {
  Raised raised;
  auto s = db_.write_together([&](store::Connection& c) -> absl::Status {
    raised.clear();
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    if (change) {
      if (auto st = change(c); !st.ok()) return st;
    }
    if (auto st = record(c, e, raised); !st.ok()) return st;
    return tx.commit();
  });
  if (!s.ok()) {
    spdlog::error("audit append failed: {}", s.ToString());
    return s;
  }
  push_alerts(raised);
  return s;
}

v1::Response AuditedWork::refuse(const RequestContext& ctx, const Principal* p,
                                 std::string_view action, const domain::Decision& d,
                                 const Change& change, const AuditScope& scope,
                                 v1::AuditOutcome outcome) {
  v1::AuditEvent e = event(ctx, p, action, scope);
  e.set_outcome(outcome);
  e.set_rule(d.rule);
  e.set_status_code(v1::Code_Name(to_code(d.refusal)));
  (void)audit_now(std::move(e), change);  // logged; the refusal stands either way
  v1::Response r;
  r.mutable_status()->set_code(to_code(d.refusal));
  r.mutable_status()->set_message(d.message);
  r.mutable_status()->set_rule(d.rule);
  return r;
}

v1::Response AuditedWork::run_write(const RequestContext& ctx, const Principal& p,
                                    std::string_view action, const Body& body, Premise* premise) {
  return run_on_writer(ctx, p, action, body, false, premise);
}

v1::Response AuditedWork::run_short_read(const RequestContext& ctx, const Principal& p,
                                         std::string_view action, const Body& body,
                                         Premise* premise) {
  return run_on_writer(ctx, p, action, body, true, premise);
}

absl::StatusOr<bool> AuditedWork::still_holds(Premise* premise, store::Connection& c) {
  if (premise == nullptr) return true;
  auto holds = premise->holds(c);
  if (!holds.ok()) return holds.status();
  premise->failed = !*holds;
  return *holds;
}

v1::Response AuditedWork::run_on_writer(const RequestContext& ctx, const Principal& p,
                                        std::string_view action, const Body& body, bool read_only,
                                        Premise* premise) {
  v1::Response out;
  AuditScope scope;
  std::optional<domain::Decision> denial;
  Raised raised;
  auto s = db_.write_together([&](store::Connection& c) -> absl::Status {
    // A group may run this again (store::Database::write_together): from scratch.
    out.Clear();
    scope = {};
    denial.reset();
    raised.clear();
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    auto holds = still_holds(premise, c);
    if (!holds.ok()) return holds.status();
    if (!*holds) return absl::OkStatus();  // nothing written: nothing to undo
    const int changes_before = sqlite3_total_changes(c.handle());
    auto d = body(c, scope, out);
    if (!d.ok()) return d.status();
    if (read_only && sqlite3_total_changes(c.handle()) != changes_before) {
      // A reader connection would have refused the write (query_only).
      return absl::InternalError("a read changed the database; its changes were undone");
    }
    if (!d->allowed()) {
      denial = std::move(*d);
      return absl::OkStatus();  // rolls back whatever the body did
    }
    if (auto st = append_ok(c, ctx, p, action, d->rule, scope, raised); !st.ok()) return st;
    return tx.commit();
  });
  if (!s.ok()) {
    spdlog::error("{} failed: {}", action, s.ToString());
    return unavailable_response(s);
  }
  if (premise != nullptr && premise->failed) return {};
  if (denial) return refuse(ctx, &p, action, *denial, nullptr, scope);
  push_alerts(raised);
  out.mutable_status()->set_code(v1::OK);
  return out;
}

v1::Response AuditedWork::run_read(const RequestContext& ctx, const Principal& p,
                                   std::string_view action, const Body& body, Premise* premise) {
  v1::Response out;
  AuditScope scope;
  auto d = db_.read([&](store::Connection& c) -> absl::StatusOr<domain::Decision> {
    store::Transaction tx(c, store::Transaction::Kind::kRead);
    if (!tx.status().ok()) return tx.status();
    auto holds = still_holds(premise, c);
    if (!holds.ok()) return holds.status();
    if (!*holds) return domain::Decision::allow("premise.failed");  // thrown away below
    return body(c, scope, out);
  });
  if (!d.ok()) {
    spdlog::error("{} failed: {}", action, d.status().ToString());
    return unavailable_response(d.status());
  }
  if (premise != nullptr && premise->failed) return {};
  if (!d->allowed()) return refuse(ctx, &p, action, *d, nullptr, scope);
  // What was read leaves only once the reading is on the record.
  if (auto s = audit_now(ok_event(ctx, p, action, d->rule, scope)); !s.ok()) {
    return unavailable_response(s);
  }
  out.mutable_status()->set_code(v1::OK);
  return out;
}

absl::StatusOr<std::uint64_t> AuditedWork::raise_alert(v1::AuditEvent alert) {
  Raised raised;
  auto s = db_.write_together([&](store::Connection& c) -> absl::Status {
    raised.clear();
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    auto seq = audit::append(c, alert);
    if (!seq.ok()) return seq.status();
    alert.set_sequence(*seq);
    raised.push_back(alert);
    return tx.commit();
  });
  if (!s.ok()) return s;
  push_alerts(raised);
  return alert.sequence();
}

void AuditedWork::push_alerts(const Raised& raised) {
  for (const auto& a : raised) {
    publish(a.action(), a.table(), a.situation(), "", wire::alert_text(a), alert_audience(a));
  }
}

AuditedWork::LiveEvent AuditedWork::live_event(const std::string& kind, const std::string& table,
                                               const std::string& situation,
                                               const std::string& agency,
                                               const std::string& message,
                                               const Audience& audience) const {
  LiveEvent live{{}, audience};
  v1::Event& e = live.event;
  e.set_kind(kind);
  e.set_time_us(clock_.now_us());
  e.set_table(table);
  e.set_situation(situation);
  e.set_agency(agency);
  e.set_message(message);
  return live;
}

absl::Status AuditedWork::keep(store::Connection& c, LiveEvent& live) const {
  const v1::Event& e = live.event;
  const Audience& a = live.audience;
  const store::KeptEvent kept{0,
                              e.time_us(),
                              e.kind(),
                              e.table(),
                              e.situation(),
                              e.agency(),
                              e.message(),
                              a.agencies,
                              a.chairs,
                              a.all_reps,
                              a.privacy_officers,
                              a.every_table,
                              a.except_user};
  auto seq = store::keep_event(c, kept);
  if (!seq.ok()) return seq.status();
  live.event.set_seq(static_cast<std::uint64_t>(*seq));
  return absl::OkStatus();
}

void AuditedWork::push(const LiveEvent& e) { events_.publish(e.event, e.audience); }

void AuditedWork::publish(const std::string& kind, const std::string& table,
                          const std::string& situation, const std::string& agency,
                          const std::string& message, const Audience& audience) {
  // Kept first, so that whoever is not watching hears it when they come
  // back (`watch` with replay). Kept or not, it goes to those watching.
  LiveEvent live = live_event(kind, table, situation, agency, message, audience);
  auto s = db_.write_together([&](store::Connection& c) -> absl::Status {
    live.event.clear_seq();  // a group may run this again: from scratch
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    if (auto st = keep(c, live); !st.ok()) return st;
    return tx.commit();
  });
  if (!s.ok()) {
    spdlog::warn("an event was not kept for replay: {}", s.ToString());
    live.event.clear_seq();
  }
  push(live);
}

}  // namespace hubtable::api
