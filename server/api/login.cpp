#include "api/login.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "crypto/password.h"
#include "crypto/totp.h"
#include "domain/limits.h"
#include "store/accounts.h"
#include "store/transaction.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;

namespace {

using domain::kMaxTotpBytes;
using domain::kMaxUsernameBytes;
constexpr const char* kAction = "auth.login";

std::int64_t us(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

/// The request's sizes, before anything is looked up.
std::optional<Decision> check_sizes(const v1::LoginRequest& req) {
  auto invalid = [](std::string message) {
    return domain::invalid("auth.invalid_request", std::move(message));
  };
  if (req.username().empty() || req.username().size() > kMaxUsernameBytes) {
    return invalid("username must be 1 to " + std::to_string(kMaxUsernameBytes) + " bytes");
  }
  if (req.password().size() > domain::kMaxPasswordBytes ||
      req.new_password().size() > domain::kMaxPasswordBytes) {
    return invalid("password must be at most " + std::to_string(domain::kMaxPasswordBytes) +
                   " bytes");
  }
  if (req.totp_code().size() > kMaxTotpBytes) return invalid("totp_code is too long");
  return std::nullopt;
}

}  // namespace

Login::Login(store::Database& db, const domain::Clock& clock, crypto::RandomSource& random,
             crypto::Aes256Gcm totp_sealer, const config::Limits& limits, AuditedWork& audited)
    : db_(db),
      clock_(clock),
      random_(random),
      totp_sealer_(std::move(totp_sealer)),
      limits_(limits),
      audited_(audited) {
  // One per process: hashing costs what a login costs, and a process that
  // makes services again (tests, the fuzz target) need not pay it each time.
  static const std::string dummy = [&] {
    crypto::SecretBytes junk(32);
    random_.fill({junk.data(), junk.size()});
    auto hash = crypto::hash_password(crypto::to_hex(junk.view()));
    return hash.ok() ? *hash : std::string();
  }();
  dummy_password_hash_ = dummy;
}

v1::Response Login::handle(const RequestContext& ctx, const v1::LoginRequest& req) {
  if (auto bad = check_sizes(req)) return audited_.refuse(ctx, nullptr, kAction, *bad);
  const std::int64_t now = clock_.now_us();
  Attempt a;
  a.facts.now_us = now;
  if (auto read = read_facts(ctx, req, a); !read.ok()) {
    spdlog::error("login lookup failed: {}", read.ToString());
    return unavailable_response(read);
  }
  check_secrets(req, a);
  if (a.user) {
    a.who.user_id = a.user->id;
    a.who.username = a.user->username;
    a.who.agency_code = a.user->agency_code;
  }
  const Decision d = domain::decide_login(a.facts);
  if (!d.allowed()) return refuse(ctx, a, d);
  return open_session(ctx, req, a);
}

absl::Status Login::read_facts(const RequestContext& ctx, const v1::LoginRequest& req, Attempt& a) {
  domain::LoginFacts& f = a.facts;
  const std::int64_t since = f.now_us - us(limits_.login_failure_window);
  f.max_account_failures = limits_.max_login_failures_per_account;
  f.max_address_failures = limits_.max_login_failures_per_address;
  return db_.read([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kRead);
    if (!tx.status().ok()) return tx.status();
    auto failures = store::count_address_failures(c, ctx.remote_address, since);
    if (!failures.ok()) return failures.status();
    f.recent_address_failures = *failures;
    auto u = store::find_user_by_username(c, req.username());
    if (!u.ok()) return u.status();
    a.user = std::move(*u);
    if (!a.user) return absl::OkStatus();
    f.account_exists = true;
    auto account_failures = store::count_user_failures(c, a.user->id, since);
    if (!account_failures.ok()) return account_failures.status();
    f.recent_account_failures = *account_failures;
    auto roles = store::roles_for_user(c, a.user->id);
    if (!roles.ok()) return roles.status();
    f.totp_required = a.user->totp_required ||
                      std::any_of(roles->begin(), roles->end(),
                                  [](const auto& g) { return domain::role_requires_totp(g.role); });
    auto zone = store::shown_time_zone(c, *roles);
    if (!zone.ok()) return zone.status();
    a.time_zone = std::move(*zone);
    auto cert = store::find_certificate(c, ctx.thumbprint);
    if (!cert.ok()) return cert.status();
    if (*cert && (*cert)->user_id == a.user->id) {
      f.certificate_registered_to_account = true;
      f.certificate_revoked = (*cert)->revoked_us.has_value();
      f.certificate_expired = f.now_us >= (*cert)->expires_us;
    }
    return absl::OkStatus();
  });
}

void Login::check_secrets(const v1::LoginRequest& req, Attempt& a) const {
  domain::LoginFacts& f = a.facts;
  // Secrets are checked outside any database lock (argon2id takes a while),
  // and not at all once throttled.
  const bool throttled = f.recent_address_failures >= f.max_address_failures ||
                         (f.account_exists && f.recent_account_failures >= f.max_account_failures);
  if (throttled) return;
  if (a.user) {
    f.password_matches = crypto::verify_password(req.password(), a.user->password_hash);
    f.account_disabled = a.user->disabled_us.has_value();
    f.totp_last_step = a.user->totp_last_step;
    f.password_one_time = a.user->password_one_time;
    f.password_expires_us = a.user->password_expires_us;
    if (!a.user->totp_secret_sealed.empty()) {
      f.totp_enrolled = true;
      f.totp_code_given = !req.totp_code().empty();
      auto secret = totp_sealer_.open(a.user->totp_secret_sealed,
                                      crypto::as_bytes(crypto::totp_associated_data(a.user->id)));
      if (secret.ok() && f.totp_code_given) {
        f.totp_matched_step =
            crypto::totp_verify(secret->view(), req.totp_code(), f.now_us / 1000000);
      } else if (!secret.ok()) {
        spdlog::error("TOTP secret of account {} could not be unsealed", a.user->id);
      }
    }
  } else if (!dummy_password_hash_.empty()) {
    // An unknown account costs as much time as a known one.
    (void)crypto::verify_password(req.password(), dummy_password_hash_);
  }
  f.new_password_given = !req.new_password().empty();
  f.new_password_acceptable = req.new_password().size() >= domain::kMinPasswordBytes &&
                              req.new_password() != req.password();
}

v1::Response Login::refuse(const RequestContext& ctx, const Attempt& a, const Decision& d) {
  const Principal* who = a.user ? &a.who : nullptr;
  if (domain::is_login_step(d)) {
    return audited_.refuse(ctx, who, kAction, d, nullptr, {}, v1::AUDIT_INCOMPLETE);
  }
  if (!domain::counts_as_failure(d)) return audited_.refuse(ctx, who, kAction, d);
  // The throttling record and the audit event commit together.
  std::optional<std::int64_t> id;
  if (a.user) id = a.user->id;
  v1::Response refused = audited_.refuse(ctx, who, kAction, d, [&](store::Connection& c) {
    return store::record_login_failure(c, id, ctx.remote_address, a.facts.now_us);
  });
  // The wire does not tell a wrong password from an unknown account.
  refused.mutable_status()->set_rule(std::string(domain::public_login_rule(d)));
  return refused;
}

v1::Response Login::open_session(const RequestContext& ctx, const v1::LoginRequest& req,
                                 const Attempt& a) {
  const domain::LoginFacts& f = a.facts;
  const std::int64_t now = f.now_us;
  std::string new_hash;
  if (f.new_password_given) {
    auto h = crypto::hash_password(req.new_password());
    if (!h.ok()) return unavailable_response(h.status());
    new_hash = std::move(*h);
  }
  crypto::SecretBytes token(32);
  random_.fill({token.data(), token.size()});
  const crypto::Digest token_hash = crypto::sha256(token.view());

  bool reused = false;
  Raised raised;
  auto committed = db_.write([&](store::Connection& c) -> absl::Status {
    raised.clear();
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    // Re-check the TOTP step under the write lock: two logins racing with one
    // code must not both succeed.
    if (f.totp_matched_step) {
      auto fresh = store::find_user_by_id(c, a.user->id);
      if (!fresh.ok()) return fresh.status();
      if (!*fresh || *f.totp_matched_step <= (*fresh)->totp_last_step) {
        reused = true;
        return absl::OkStatus();
      }
      if (auto s = store::set_totp_last_step(c, a.user->id, *f.totp_matched_step); !s.ok()) {
        return s;
      }
    }
    if (!new_hash.empty()) {
      if (auto s = store::set_password(c, a.user->id, new_hash, false, std::nullopt, now);
          !s.ok()) {
        return s;
      }
      auto revoked = store::revoke_user_sessions(c, a.user->id, now, "password changed");
      if (!revoked.ok()) return revoked.status();
    }
    if (auto s = store::clear_user_failures(c, a.user->id); !s.ok()) return s;
    if (auto s = store::create_session(c, token_hash, a.user->id, ctx.thumbprint, now); !s.ok()) {
      return s;
    }
    const char* rule = new_hash.empty() ? "auth.login" : "auth.login_password_changed";
    if (auto s = audited_.append_ok(c, ctx, a.who, kAction, rule, {}, raised); !s.ok()) return s;
    return tx.commit();
  });
  if (!committed.ok()) {
    spdlog::error("login commit failed: {}", committed.ToString());
    return unavailable_response(committed);
  }
  audited_.push_alerts(raised);
  if (reused) {
    return audited_.refuse(ctx, &a.who, kAction,
                           Decision::deny(domain::Refusal::kUnauthenticated, "auth.totp_reused",
                                          "this authentication code was already used; wait for "
                                          "the next one"));
  }
  v1::Response r;
  r.mutable_status()->set_code(v1::OK);
  auto* out = r.mutable_login();
  out->set_session_token(token.data(), token.size());
  out->set_idle_expires_at_us(now + us(limits_.session_idle_timeout));
  out->set_absolute_expires_at_us(now + us(limits_.session_absolute_timeout));
  out->set_password_changed(!new_hash.empty());
  out->set_time_zone(a.time_zone);
  return r;
}

}  // namespace hubtable::api
