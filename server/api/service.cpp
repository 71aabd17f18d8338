#include "api/service.h"

#include <absl/time/time.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/alerts.h"
#include "audit/audit_writer.h"
#include "audit/log_store.h"
#include "crypto/password.h"
#include "domain/session_policy.h"
#include "store/case_work.h"
#include "store/transaction.h"
#include "wire/envelope_codec.h"

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

std::string utc_date(std::int64_t now_us) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixMicros(now_us), absl::UTCTimeZone());
}

Service::Service(store::Database& db, const domain::Clock& clock, crypto::RandomSource& random,
                 crypto::Aes256Gcm totp_sealer, crypto::Vault vault,
                 audit::Checkpointer checkpointer, const config::Limits& limits)
    : db_(db),
      clock_(clock),
      random_(random),
      totp_sealer_(std::move(totp_sealer)),
      vault_(std::move(vault)),
      checkpointer_(std::move(checkpointer)),
      limits_(limits),
      pool_(limits.worker_threads, static_cast<std::size_t>(limits.worker_queue_depth),
            static_cast<std::size_t>(limits.max_queued_per_principal)) {
  crypto::SecretBytes junk(32);
  random_.fill({junk.data(), junk.size()});
  auto hash = crypto::hash_password(crypto::to_hex(junk.view()));
  dummy_password_hash_ = hash.ok() ? *hash : std::string();
}

Service::~Service() { stop(); }

void Service::stop() {
  pool_.stop();
  write_rejected_frames();
}

bool Service::submit(RequestContext ctx, v1::Request request, Done done) {
  auto shared_done = std::make_shared<Done>(std::move(done));
  const std::uint64_t id = ctx.request_id;
  const std::string lane = ctx.thumbprint;
  bool queued = pool_.try_submit(
      [this, ctx = std::move(ctx), request = std::move(request), shared_done]() mutable {
        v1::Envelope env;
        env.set_version(wire::kProtocolVersion);
        env.set_request_id(ctx.request_id);
        *env.mutable_response() = handle(ctx, request);
        (*shared_done)(std::move(env));
      },
      lane);
  if (!queued) {
    (*shared_done)(
        wire::error_envelope(id, v1::RESOURCE_EXHAUSTED,
                             "the server is busy, or you have too many requests waiting; "
                             "retry shortly",
                             "limits.worker_queue"));
    return false;
  }
  return true;
}

void Service::record_rejected_frames(const RequestContext& ctx,
                                     const std::map<std::string, std::uint64_t>& counts) {
  v1::AuditEvent e = event(ctx, nullptr, "request.rejected");
  e.set_outcome(v1::AUDIT_DENIED);
  e.set_rule(counts.begin()->first);
  e.set_status_code(v1::Code_Name(v1::INVALID_ARGUMENT));
  std::uint64_t most = 0;
  for (const auto& [rule, count] : counts) {
    auto* r = e.add_rejected();
    r->set_rule(rule);
    r->set_count(count);
    if (count > most) {  // the event's rule is the one that refused most
      most = count;
      e.set_rule(rule);
    }
  }
  {
    std::lock_guard<std::mutex> lock(rejected_mutex_);
    rejected_waiting_.push_back(std::move(e));
  }
  schedule_rejected_frames();
}

void Service::schedule_rejected_frames() {
  {
    std::lock_guard<std::mutex> lock(rejected_mutex_);
    if (rejected_waiting_.empty() || rejected_write_queued_) return;
    rejected_write_queued_ = true;
  }
  // A full queue does not hold it back: it is one job, queued once.
  if (!pool_.submit_reserved([this] { write_rejected_frames(); })) {
    // Stopping: stop() writes them.
    std::lock_guard<std::mutex> lock(rejected_mutex_);
    rejected_write_queued_ = false;
  }
}

void Service::write_rejected_frames() {
  std::vector<v1::AuditEvent> events;
  {
    std::lock_guard<std::mutex> lock(rejected_mutex_);
    events.swap(rejected_waiting_);
    rejected_write_queued_ = false;
  }
  if (events.empty()) return;
  Raised raised;
  auto s = db_.write([&](store::Connection& c) -> absl::Status {
    raised.clear();
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    for (const auto& e : events) {
      if (auto st = record(c, e, raised); !st.ok()) return st;
    }
    return tx.commit();
  });
  if (!s.ok()) {
    spdlog::error("audit of {} connection(s) with rejected frames failed: {}", events.size(),
                  s.ToString());
    return;
  }
  push_alerts(raised);
}

absl::Status Service::refresh_revocations() {
  return db_.read([&](store::Connection& c) { return revocations_.refresh(c); });
}

void Service::schedule_revocation_refresh() {
  pool_.try_submit([this] {
    if (auto s = refresh_revocations(); !s.ok()) {
      spdlog::error("revoked certificates could not be re-read: {}", s.ToString());
    }
  });
}

namespace {
// The envelope around a response: version, request id, the oneof's tag.
constexpr std::size_t kEnvelopeSlackBytes = 64;

v1::Response log_damaged_response() {
  v1::Response r;
  r.mutable_status()->set_code(v1::UNAVAILABLE);
  r.mutable_status()->set_message(
      "the audit log is damaged (events are missing from its end): nothing can be done until it "
      "is restored from a backup; the privacy officers have been alerted");
  r.mutable_status()->set_rule("audit.log_damaged");
  return r;
}
}  // namespace

absl::Status Service::check_log_end() {
  if (log_damaged_.load()) return absl::OkStatus();
  // One snapshot: an event committed between reading the log's end and the
  // tree's size is not damage.
  auto damage = db_.read([](store::Connection& c) -> absl::StatusOr<std::optional<std::string>> {
    store::Transaction tx(c, store::Transaction::Kind::kRead);
    if (!tx.status().ok()) return tx.status();
    return audit::removed_tail(c);
  });
  if (!damage.ok()) return damage.status();
  if (!*damage) return absl::OkStatus();
  // Confirmed, and the alert written, under the write lock, once.
  std::optional<std::string> confirmed = *damage;
  Raised raised;
  auto s = db_.write([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    auto again = audit::removed_tail(c);
    if (!again.ok()) return again.status();
    confirmed = *again;
    if (!confirmed || log_damaged_.exchange(true)) return absl::OkStatus();
    // The removed positions, for the alert: the log's last event and the tree's size.
    auto size = audit::tree_size(c);
    if (!size.ok()) return size.status();
    auto q = c.prepare("SELECT COALESCE(MAX(seq), 0) FROM audit_events");
    if (!q.ok()) return q.status();
    if (auto row = q->step(); !row.ok()) return row.status();
    const auto last = static_cast<std::uint64_t>(q->integer(0));
    v1::AuditEvent alert =
        verification_alert(clock_.now_us(), last + 1, *size, "missing", *size, 0, "");
    auto seq = audit::append_after_damage(c, alert);
    if (!seq.ok()) return seq.status();
    alert.set_sequence(*seq);
    raised.push_back(std::move(alert));
    return tx.commit();
  });
  if (!confirmed) return absl::OkStatus();
  if (!s.ok()) {
    // The snapshot showed the damage; the server closes whether or not the
    // alert could be written.
    log_damaged_.store(true);
    spdlog::error("the alert about the damaged audit log could not be written: {}", s.ToString());
  }
  if (raised.empty() && s.ok()) return absl::OkStatus();  // another thread reported it
  spdlog::error(
      "audit log damaged: {}; refusing every request until the log is restored from a backup "
      "(hubtabled verify-audit shows the damage)",
      *confirmed);
  push_alerts(raised);
  return absl::OkStatus();
}

v1::Response Service::handle(const RequestContext& ctx, const v1::Request& request) {
  if (log_damaged_.load()) return log_damaged_response();
  v1::Response response = dispatch(ctx, request);
  // Every answer that grows with data is paged to fit a frame; one that
  // still does not is a defect, and is never sent.
  if (response.ByteSizeLong() + kEnvelopeSlackBytes > limits_.max_frame_bytes) {
    spdlog::error("an answer of {} bytes to request kind {} exceeds the frame limit",
                  response.ByteSizeLong(), static_cast<int>(request.kind_case()));
    v1::Response refused;
    refused.mutable_status()->set_code(v1::RESOURCE_EXHAUSTED);
    refused.mutable_status()->set_message("the answer is too large to send; ask for less");
    refused.mutable_status()->set_rule("response.too_large");
    return refused;
  }
  if (response.status().code() == v1::UNAVAILABLE &&
      response.status().rule() != "audit.log_damaged") {
    // A request that could not use the database: the log's end may be why.
    if (auto s = check_log_end(); !s.ok())
      spdlog::error("audit log check failed: {}", s.ToString());
    if (log_damaged_.load()) return log_damaged_response();
  }
  if (auto s = checkpoint(audit::Checkpointer::kEveryEvents - 1); !s.ok()) {
    spdlog::error("audit checkpoint failed: {}", s.ToString());
  }
  return response;
}

absl::Status Service::checkpoint(std::uint64_t min_unsigned) {
  if (!checkpointer_.enabled()) return absl::OkStatus();
  auto cp = checkpointer_.checkpoint(db_, clock_.now_us(), min_unsigned);
  return cp.ok() ? absl::OkStatus() : cp.status();
}

void Service::schedule_checkpoint() {
  pool_.try_submit([this] {
    if (auto s = checkpoint(); !s.ok()) spdlog::error("audit checkpoint failed: {}", s.ToString());
  });
}

v1::Response Service::dispatch(const RequestContext& ctx, const v1::Request& request) {
  if (request.kind_case() == v1::Request::kLogin) return login(ctx, request.login());
  v1::Response refusal;
  auto principal = authenticate(ctx, request, refusal);
  if (!principal) return refusal;
  switch (request.kind_case()) {
    case v1::Request::kLogout:
      return logout(ctx, *principal);
    case v1::Request::kWhoami:
      return whoami(ctx, *principal);
    case v1::Request::kListVocabulary:
      return list_vocabulary(ctx, *principal, request.list_vocabulary());
    case v1::Request::kDeidCheck:
      return deid_check(ctx, *principal, request.deid_check());
    case v1::Request::kListMeetings:
      return list_meetings(ctx, *principal, request.list_meetings());
    case v1::Request::kOpenMeeting:
      return open_meeting(ctx, *principal, request.open_meeting());
    case v1::Request::kCheckIn:
      return check_in(ctx, *principal, request.check_in());
    case v1::Request::kAgenda:
      return agenda(ctx, *principal, request.agenda());
    case v1::Request::kCloseMeeting:
      return close_meeting(ctx, *principal, request.close_meeting());
    case v1::Request::kMinutes:
      return minutes(ctx, *principal, request.minutes());
    case v1::Request::kSubmitSituation:
      return submit_situation(ctx, *principal, request.submit_situation());
    case v1::Request::kListSituations:
      return list_situations(ctx, *principal, request.list_situations());
    case v1::Request::kShowSituation:
      return show_situation(ctx, *principal, request.show_situation());
    case v1::Request::kDecideSituation:
      return decide_situation(ctx, *principal, request.decide_situation());
    case v1::Request::kWithdrawSituation:
      return withdraw_situation(ctx, *principal, request.withdraw_situation());
    case v1::Request::kJoinSituation:
      return join_situation(ctx, *principal, request.join_situation());
    case v1::Request::kIdentifySituation:
      return identify_situation(ctx, *principal, request.identify_situation());
    case v1::Request::kRevealSituation:
      return reveal_situation(ctx, *principal, request.reveal_situation());
    case v1::Request::kAssignSituation:
      return assign_situation(ctx, *principal, request.assign_situation());
    case v1::Request::kAckSituation:
      return ack_situation(ctx, *principal, request.ack_situation());
    case v1::Request::kPlanSituation:
      return plan_situation(ctx, *principal, request.plan_situation());
    case v1::Request::kInterveneSituation:
      return intervene_situation(ctx, *principal, request.intervene_situation());
    case v1::Request::kUpdateSituation:
      return update_situation(ctx, *principal, request.update_situation());
    case v1::Request::kCloseSituation:
      return close_situation(ctx, *principal, request.close_situation());
    case v1::Request::kWatch:
      return watch(ctx, *principal);
    case v1::Request::kAuditCheckpoint:
      return audit_checkpoint(ctx, *principal, request.audit_checkpoint());
    case v1::Request::kAuditLog:
      return audit_log(ctx, *principal, request.audit_log());
    case v1::Request::kAuditQuery:
      return audit_query(ctx, *principal, request.audit_query());
    case v1::Request::kReportSummary:
      return report_summary(ctx, *principal, request.report_summary());
    case v1::Request::kReportExport:
      return report_export(ctx, *principal, request.report_export());
    case v1::Request::kAuditProof:
      return audit_proof(ctx, *principal, request.audit_proof());
    case v1::Request::kAuditDisclosures:
      return audit_disclosures(ctx, *principal, request.audit_disclosures());
    case v1::Request::kAuditAlerts:
      return audit_alerts(ctx, *principal, request.audit_alerts());
    case v1::Request::kAuditReportFailure:
      return audit_report_failure(ctx, *principal, request.audit_report_failure());
    case v1::Request::kSetGovernance:
      return set_governance(ctx, *principal, request.set_governance());
    default:
      return refuse(
          ctx, &*principal, "request.rejected",
          domain::Decision::deny(domain::Refusal::kInvalidArgument, "protocol.unknown_request",
                                 "unknown or missing request kind"));
  }
}

std::optional<Principal> Service::authenticate(const RequestContext& ctx,
                                               const v1::Request& request, v1::Response& refusal) {
  const std::int64_t now = clock_.now_us();
  domain::SessionFacts facts;
  facts.now_us = now;
  facts.idle_timeout_us =
      std::chrono::duration_cast<std::chrono::microseconds>(limits_.session_idle_timeout).count();
  facts.absolute_timeout_us =
      std::chrono::duration_cast<std::chrono::microseconds>(limits_.session_absolute_timeout)
          .count();
  facts.token_given = request.session_token().size() == 32;
  Principal p;
  p.thumbprint = ctx.thumbprint;
  absl::Status read_status = absl::OkStatus();
  if (facts.token_given) {
    p.token_hash = crypto::sha256(crypto::as_bytes(request.session_token()));
    read_status = db_.read([&](store::Connection& c) -> absl::Status {
      store::Transaction tx(c, store::Transaction::Kind::kRead);
      if (!tx.status().ok()) return tx.status();
      auto session = store::find_session(c, p.token_hash);
      if (!session.ok()) return session.status();
      if (!*session) return absl::OkStatus();
      facts.session_found = true;
      facts.session_revoked = (*session)->revoked_us.has_value();
      facts.created_us = (*session)->created_us;
      facts.last_seen_us = (*session)->last_seen_us;
      facts.thumbprint_matches = crypto::constant_time_equal(
          crypto::as_bytes((*session)->thumbprint), crypto::as_bytes(ctx.thumbprint));
      auto user = store::find_user_by_id(c, (*session)->user_id);
      if (!user.ok()) return user.status();
      if (!*user) return absl::InternalError("session without account");
      facts.account_disabled = (*user)->disabled_us.has_value();
      auto cert = store::find_certificate(c, ctx.thumbprint);
      if (!cert.ok()) return cert.status();
      facts.certificate_revoked = !*cert || (*cert)->revoked_us.has_value();
      auto roles = store::roles_for_user(c, (*user)->id);
      if (!roles.ok()) return roles.status();
      auto governance = store::governance_of(c, (*user)->id);
      if (!governance.ok()) return governance.status();
      p.confidentiality_signed =
          domain::agreement_signed(governance->confidentiality_signed_on, utc_date(now));
      p.user_id = (*user)->id;
      p.username = (*user)->username;
      p.display_name = (*user)->display_name;
      p.agency_code = (*user)->agency_code;
      p.agency_name = (*user)->agency_name;
      p.roles = std::move(*roles);
      p.session_created_us = (*session)->created_us;
      p.session_last_seen_us = (*session)->last_seen_us;
      return absl::OkStatus();
    });
  }
  if (!read_status.ok()) {
    spdlog::error("session lookup failed: {}", read_status.ToString());
    refusal = unavailable_response(read_status);
    return std::nullopt;
  }
  domain::Decision d = domain::decide_session(facts);
  if (!d.allowed()) {
    refusal = refuse(ctx, p.user_id != 0 ? &p : nullptr, "request.denied", d);
    return std::nullopt;
  }
  // Refresh last-seen at most every quarter of the idle timeout, so reads do
  // not all queue on the writer.
  if (now - p.session_last_seen_us >= facts.idle_timeout_us / 4) {
    auto s =
        db_.write([&](store::Connection& c) { return store::touch_session(c, p.token_hash, now); });
    if (!s.ok()) spdlog::warn("session refresh failed: {}", s.ToString());
    p.session_last_seen_us = now;
  }
  return p;
}

v1::AuditEvent Service::event(const RequestContext& ctx, const Principal* p,
                              const std::string& action, const AuditScope& scope) const {
  v1::AuditEvent e;
  e.set_time_us(clock_.now_us());
  e.set_action(action);
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

v1::AuditEvent Service::ok_event(const RequestContext& ctx, const Principal& p,
                                 const std::string& action, const std::string& rule,
                                 const AuditScope& scope) const {
  v1::AuditEvent e = event(ctx, &p, action, scope);
  e.set_outcome(v1::AUDIT_OK);
  e.set_rule(rule);
  e.set_status_code(v1::Code_Name(v1::OK));
  return e;
}

absl::Status Service::append_ok(store::Connection& c, const RequestContext& ctx, const Principal& p,
                                const std::string& action, const std::string& rule,
                                const AuditScope& scope, Raised& raised) const {
  return record(c, ok_event(ctx, p, action, rule, scope), raised);
}

absl::Status Service::audit_now(v1::AuditEvent e, const Change& change) {
  Raised raised;
  auto s = db_.write([&](store::Connection& c) -> absl::Status {
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

v1::Response Service::refuse(const RequestContext& ctx, const Principal* p,
                             const std::string& action, const domain::Decision& d,
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

v1::Response Service::run_write(const RequestContext& ctx, const Principal& p,
                                domain::Action action, const Body& body) {
  const std::string name(domain::action_name(action));
  v1::Response out;
  AuditScope scope;
  std::optional<domain::Decision> denial;
  Raised raised;
  auto s = db_.write([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    auto d = body(c, scope, out);
    if (!d.ok()) return d.status();
    if (!d->allowed()) {
      denial = std::move(*d);
      return absl::OkStatus();  // rolls back whatever the body did
    }
    if (auto st = append_ok(c, ctx, p, name, d->rule, scope, raised); !st.ok()) return st;
    return tx.commit();
  });
  if (!s.ok()) {
    spdlog::error("{} failed: {}", name, s.ToString());
    return unavailable_response(s);
  }
  if (denial) return refuse(ctx, &p, name, *denial, nullptr, scope);
  push_alerts(raised);
  out.mutable_status()->set_code(v1::OK);
  return out;
}

v1::Response Service::run_read(const RequestContext& ctx, const Principal& p, domain::Action action,
                               const Body& body) {
  const std::string name(domain::action_name(action));
  v1::Response out;
  AuditScope scope;
  auto d = db_.read([&](store::Connection& c) -> absl::StatusOr<domain::Decision> {
    store::Transaction tx(c, store::Transaction::Kind::kRead);
    if (!tx.status().ok()) return tx.status();
    return body(c, scope, out);
  });
  if (!d.ok()) {
    spdlog::error("{} failed: {}", name, d.status().ToString());
    return unavailable_response(d.status());
  }
  if (!d->allowed()) return refuse(ctx, &p, name, *d, nullptr, scope);
  // What was read leaves only once the reading is on the record.
  if (auto s = audit_now(ok_event(ctx, p, name, d->rule, scope)); !s.ok()) {
    return unavailable_response(s);
  }
  out.mutable_status()->set_code(v1::OK);
  return out;
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

}  // namespace hubtable::api
