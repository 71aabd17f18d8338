#include "api/service.h"

#include <chrono>

#include "absl/strings/ascii.h"

#include <spdlog/spdlog.h>

#include "crypto/password.h"
#include "domain/lifecycle.h"
#include "domain/session_policy.h"
#include "store/accounts.h"
#include "store/transaction.h"
#include "wire/envelope_codec.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;

namespace {
// How long a request turned away by a full queue is asked to wait before it
// is sent again: a moment, long enough for a busy pool to work some off.
constexpr std::uint32_t kBusyRetryAfterMs = 200;
}  // namespace

Service::Service(store::Database& db, const domain::Clock& clock, crypto::RandomSource& random,
                 crypto::Aes256Gcm totp_sealer, crypto::Vault vault,
                 audit::Checkpointer checkpointer, const config::Limits& limits)
    : db_(db),
      clock_(clock),
      limits_(limits),
      vault_(std::move(vault)),
      audited_(db, clock, limits.alerts, events_),
      upkeep_(db, clock, std::move(checkpointer), audited_, limits.disable_unused_after_us),
      login_(db, clock, random, std::move(totp_sealer), limits_, audited_),
      session_(limits_, events_),
      meetings_(limits_),
      situations_(random, limits_),
      filter3_(vault_, random),
      filter4_(vault_, random, limits_),
      audit_(upkeep_.checkpointer(), limits_),
      access_statement_(vault_, random, limits_),
      alerts_(vault_, limits_, audited_),
      reports_(vault_, limits_),
      tasks_(limits_),
      table_(HandlerGroups{login_, session_, reference_, meetings_, situations_, decisions_,
                           filter3_, filter4_, audit_, access_statement_, alerts_, reports_, admin_,
                           tasks_}),
      pool_(limits.worker_threads, static_cast<std::size_t>(limits.worker_queue_depth),
            static_cast<std::size_t>(limits.max_queued_per_principal)) {}

Service::~Service() { stop(); }

void Service::stop() {
  pool_.stop();
  write_rejected_frames();
  if (auto s = upkeep_.keep_watch_cursors(events_.take_delivered()); !s.ok()) {
    spdlog::warn("watch cursors not kept: {}", s.ToString());
  }
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
        {
          // Its group's leader waits for it a moment (store::Database::Arriving).
          const store::Database::Arriving arriving(db_);
          *env.mutable_response() = handle(ctx, request);
        }
        (*shared_done)(std::move(env));
      },
      lane);
  if (!queued) {
    metrics_.record_rejected("limits.worker_queue", 1);
    v1::Envelope refusal =
        wire::error_envelope(id, v1::RESOURCE_EXHAUSTED,
                             "the server is busy, or you have too many requests waiting; "
                             "retry shortly",
                             "limits.worker_queue");
    refusal.mutable_response()->mutable_status()->set_retry_after_ms(kBusyRetryAfterMs);
    (*shared_done)(std::move(refusal));
    return false;
  }
  return true;
}

void Service::record_rejected_frames(const RequestContext& ctx,
                                     const std::map<std::string, std::uint64_t>& counts) {
  for (const auto& [rule, count] : counts) metrics_.record_rejected(rule, count);
  v1::AuditEvent e = audited_.event(ctx, nullptr, "request.rejected");
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
  auto s = db_.write_together([&](store::Connection& c) -> absl::Status {
    raised.clear();
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    for (const auto& e : events) {
      if (auto st = audited_.record(c, e, raised); !st.ok()) return st;
    }
    return tx.commit();
  });
  if (!s.ok()) {
    spdlog::error("audit of {} connection(s) with rejected frames failed: {}", events.size(),
                  s.ToString());
    return;
  }
  audited_.push_alerts(raised);
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

v1::Response Service::handle(const RequestContext& ctx, const v1::Request& request) {
  const auto started = std::chrono::steady_clock::now();
  v1::Response response = answer(ctx, request);
  const auto* field = v1::Request::descriptor()->FindFieldByNumber(request.kind_case());
  const v1::Status& status = response.status();
  metrics_.record(
      field != nullptr ? field->name() : "none",
      absl::AsciiStrToLower(v1::Code_Name(status.code())),
      status.code() == v1::OK ? std::string_view() : std::string_view(status.rule()),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return response;
}

v1::Response Service::answer(const RequestContext& ctx, const v1::Request& request) {
  if (upkeep_.log_damaged()) return log_damaged_response();
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
    if (auto s = upkeep_.check_log_end(); !s.ok())
      spdlog::error("audit log check failed: {}", s.ToString());
    if (upkeep_.log_damaged()) return log_damaged_response();
  }
  if (auto s = upkeep_.checkpoint_after_request(audit::Checkpointer::kEveryEvents - 1); !s.ok()) {
    spdlog::error("audit checkpoint failed: {}", s.ToString());
  }
  return response;
}

void Service::schedule_checkpoint() {
  pool_.try_submit([this] {
    if (auto s = upkeep_.checkpoint(); !s.ok()) {
      spdlog::error("audit checkpoint failed: {}", s.ToString());
    }
  });
}

void Service::schedule_sweep() {
  if (!pool_.try_submit([this] {
        auto s = upkeep_.sweep();
        if (!s.ok()) spdlog::error("upkeep sweep failed: {}", s.status().ToString());
        if (auto k = upkeep_.keep_watch_cursors(events_.take_delivered()); !k.ok()) {
          spdlog::error("watch cursors not kept: {}", k.ToString());
        }
      })) {
    spdlog::warn("upkeep sweep skipped: worker queue full");
  }
}

void Service::schedule_verify() {
  pool_.try_submit([this] {
    auto v = upkeep_.verify_log();
    if (!v.ok()) spdlog::error("audit log verification could not run: {}", v.status().ToString());
  });
}

void Service::schedule_probe(std::function<void()> alive) {
  pool_.try_submit([this, alive = std::move(alive)] {
    if (db_.read([](store::Connection& c) { return c.exec("SELECT count(*) FROM sqlite_master;"); })
            .ok()) {
      alive();
    }
  });
}

v1::Response Service::dispatch(const RequestContext& ctx, const v1::Request& request) {
  const Route* route = table_.find(request.kind_case());
  if (route != nullptr && route->run == Run::kBeforeSession) {
    return route->before_session(ctx, request);
  }
  if (route != nullptr) {
    // The copy kept of the session, checked in the request's own
    // transaction: no transaction of its own for the session check.
    if (auto kept = kept_session(ctx, request)) {
      AuditedWork::Premise premise{
          [version = kept->version](store::Connection& c) -> absl::StatusOr<bool> {
            auto now = store::principal_version(c);
            if (!now.ok()) return now.status();
            return *now == version;
          }};
      v1::Response response = run(*route, ctx, kept->principal, request, &premise);
      if (!premise.failed) return response;
      // Something the copy was read from has changed: check it afresh.
    }
  }
  v1::Response refusal;
  auto principal = authenticate(ctx, request, refusal);
  if (!principal) return refusal;
  if (route == nullptr) {
    return audited_.refuse(
        ctx, &*principal, "request.rejected",
        domain::Decision::deny(domain::Refusal::kInvalidArgument, "protocol.unknown_request",
                               "unknown or missing request kind"));
  }
  return run(*route, ctx, *principal, request);
}

v1::Response Service::run(const Route& route, const RequestContext& ctx, const Principal& p,
                          const v1::Request& request, AuditedWork::Premise* premise) {
  const Variant v = route.variant(request);
  if (v.run == Run::kReadSigned) {
    // The freshest checkpoint is the one worth reading: sign the events
    // that wait for the timer first (a checkpoint reveals nothing, so there
    // is no need to know who asks before doing so).
    if (auto s = upkeep_.checkpoint(); !s.ok()) return unavailable_response(s);
  }
  AfterCommit after;
  const AuditedWork::Body body = [&](store::Connection& c, AuditScope& scope,
                                     v1::Response& r) -> absl::StatusOr<domain::Decision> {
    after = {};  // a retried transaction starts again
    Work w{ctx, p, request, v.action, c, scope, r, clock_.now_us(), after, {}};
    const Asked asked{v.action, route.stage, v.break_glass};
    auto allowed = load_subject(c, p, request, route.subject, asked, w.now_us, scope, w.subject);
    if (!allowed.ok() || !allowed->allowed()) return allowed;
    auto decided = route.handler(w);
    if (v.run != Run::kWrite || !decided.ok() || !decided->allowed()) return decided;
    // A write keeps its live events in its own transaction: no commit of
    // their own after it.
    for (const auto& t : after.told) {
      after.kept.push_back(
          audited_.live_event(t.kind, t.table, t.situation, t.agency, t.message, t.audience));
      if (auto s = audited_.keep(c, after.kept.back()); !s.ok()) return s;
    }
    after.told.clear();
    return decided;
  };
  const std::string_view action = domain::action_name(v.action);
  v1::Response response = v.run == Run::kWrite ? audited_.run_write(ctx, p, action, body, premise)
                          : v.run == Run::kRead
                              ? audited_.run_short_read(ctx, p, action, body, premise)
                              : audited_.run_read(ctx, p, action, body, premise);
  if (premise != nullptr && premise->failed) return {};
  if (response.status().code() != v1::OK) return response;
  for (const auto& e : after.kept) audited_.push(e);
  for (const auto& t : after.told) {
    audited_.publish(t.kind, t.table, t.situation, t.agency, t.message, t.audience);
  }
  // After the events are kept: their writes leave no older copy behind either.
  if (after.erased) upkeep_.erase_old_copies();
  if (after.then) {
    if (auto s = after.then(response); !s.ok()) return unavailable_response(s);
  }
  return response;
}

domain::SessionFacts Service::session_facts(const v1::Request& request) const {
  domain::SessionFacts facts;
  facts.now_us = clock_.now_us();
  facts.idle_timeout_us =
      std::chrono::duration_cast<std::chrono::microseconds>(limits_.session_idle_timeout).count();
  facts.absolute_timeout_us =
      std::chrono::duration_cast<std::chrono::microseconds>(limits_.session_absolute_timeout)
          .count();
  facts.token_given = request.session_token().size() == 32;
  return facts;
}

void Service::found(SessionRead read, const RequestContext& ctx, domain::SessionFacts& facts,
                    Principal& p) {
  facts.session_found = true;
  facts.session_revoked = read.session.revoked_us.has_value();
  facts.created_us = read.session.created_us;
  facts.last_seen_us = read.session.last_seen_us;
  facts.thumbprint_matches = crypto::constant_time_equal(crypto::as_bytes(read.session.thumbprint),
                                                         crypto::as_bytes(ctx.thumbprint));
  facts.account_disabled = read.account_disabled;
  facts.certificate_revoked = read.certificate_revoked;
  const crypto::Digest token_hash = p.token_hash;
  p = std::move(read.principal);
  p.thumbprint = ctx.thumbprint;
  p.token_hash = token_hash;
  p.confidentiality_signed =
      domain::agreement_signed(read.confidentiality_signed_on, utc_date(facts.now_us));
  p.session_created_us = read.session.created_us;
  p.session_last_seen_us = read.session.last_seen_us;
}

bool Service::refresh_due(const domain::SessionFacts& facts, const Principal& p) {
  // Refresh last-seen at most every quarter of the idle timeout, so reads
  // do not all queue on the writer.
  return facts.now_us - p.session_last_seen_us >= facts.idle_timeout_us / 4;
}

std::optional<Service::KeptSession> Service::kept_session(const RequestContext& ctx,
                                                          const v1::Request& request) {
  domain::SessionFacts facts = session_facts(request);
  if (!facts.token_given) return std::nullopt;
  KeptSession kept;
  kept.principal.thumbprint = ctx.thumbprint;
  kept.principal.token_hash = crypto::sha256(crypto::as_bytes(request.session_token()));
  auto read = sessions_.find_kept(kept.principal.token_hash, ctx.thumbprint);
  if (!read) return std::nullopt;
  kept.version = read->version;
  found(std::move(*read), ctx, facts, kept.principal);
  // A refusal, or a refresh, is authenticate()'s to make, from a fresh read.
  if (!domain::decide_session(facts).allowed() || refresh_due(facts, kept.principal)) {
    return std::nullopt;
  }
  return kept;
}

std::optional<Principal> Service::authenticate(const RequestContext& ctx,
                                               const v1::Request& request, v1::Response& refusal) {
  domain::SessionFacts facts = session_facts(request);
  Principal p;
  p.thumbprint = ctx.thumbprint;
  absl::Status read_status = absl::OkStatus();
  std::optional<SessionRead> read;
  if (facts.token_given) {
    p.token_hash = crypto::sha256(crypto::as_bytes(request.session_token()));
    // On a reader, not in a commit group: the request's own work waits for
    // one group's COMMIT, its session need not wait for another. The copy
    // kept of the session, when nothing it read has changed since: in this
    // snapshot, as the lookups would have been.
    read_status = db_.read([&](store::Connection& c) -> absl::Status {
      store::Transaction tx(c, store::Transaction::Kind::kRead);
      if (!tx.status().ok()) return tx.status();
      auto version = store::principal_version(c);
      if (!version.ok()) return version.status();
      read = sessions_.find(p.token_hash, ctx.thumbprint, *version);
      if (read) return absl::OkStatus();
      auto fresh = read_session(c, p.token_hash, ctx.thumbprint, *version);
      if (!fresh.ok()) return fresh.status();
      read = std::move(*fresh);
      if (read) sessions_.keep(p.token_hash, *read);
      return absl::OkStatus();
    });
  }
  if (read_status.ok() && read) found(std::move(*read), ctx, facts, p);
  if (!read_status.ok()) {
    spdlog::error("session lookup failed: {}", read_status.ToString());
    refusal = unavailable_response(read_status);
    return std::nullopt;
  }
  domain::Decision d = domain::decide_session(facts);
  if (!d.allowed()) {
    refusal = audited_.refuse(ctx, p.user_id != 0 ? &p : nullptr, "request.denied", d);
    return std::nullopt;
  }
  if (refresh_due(facts, p)) {
    const std::int64_t now = facts.now_us;
    auto s = db_.write_together(
        [&](store::Connection& c) { return store::touch_session(c, p.token_hash, now); });
    if (s.ok()) {
      sessions_.seen(p.token_hash, now);
    } else {
      spdlog::warn("session refresh failed: {}", s.ToString());
    }
    p.session_last_seen_us = now;
  }
  return p;
}

}  // namespace hubtable::api
