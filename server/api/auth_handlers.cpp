// Login, logout and whoami.

#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/handler_support.h"
#include "api/service.h"
#include "crypto/password.h"
#include "crypto/totp.h"
#include "domain/limits.h"
#include "domain/login_policy.h"
#include "store/accounts.h"
#include "store/transaction.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;

namespace {
using domain::kMaxTotpBytes;
using domain::kMaxUsernameBytes;

v1::Role role_from_text(const std::string& role) {
  v1::Role r = v1::ROLE_UNSPECIFIED;
  return v1::Role_Parse(role, &r) ? r : v1::ROLE_UNSPECIFIED;
}

std::int64_t us(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

}  // namespace

v1::Response Service::login(const RequestContext& ctx, const v1::LoginRequest& req) {
  auto invalid = [&](const std::string& message) {
    return refuse(
        ctx, nullptr, "auth.login",
        domain::Decision::deny(domain::Refusal::kInvalidArgument, "auth.invalid_request", message));
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

  const std::int64_t now = clock_.now_us();
  const std::int64_t since = now - us(limits_.login_failure_window);

  domain::LoginFacts f;
  f.now_us = now;
  f.max_account_failures = limits_.max_login_failures_per_account;
  f.max_address_failures = limits_.max_login_failures_per_address;
  std::optional<store::UserRecord> user;
  auto read = db_.read([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kRead);
    if (!tx.status().ok()) return tx.status();
    auto failures = store::count_address_failures(c, ctx.remote_address, since);
    if (!failures.ok()) return failures.status();
    f.recent_address_failures = *failures;
    auto u = store::find_user_by_username(c, req.username());
    if (!u.ok()) return u.status();
    user = std::move(*u);
    if (!user) return absl::OkStatus();
    f.account_exists = true;
    auto account_failures = store::count_user_failures(c, user->id, since);
    if (!account_failures.ok()) return account_failures.status();
    f.recent_account_failures = *account_failures;
    auto roles = store::roles_for_user(c, user->id);
    if (!roles.ok()) return roles.status();
    f.totp_required = user->totp_required ||
                      std::any_of(roles->begin(), roles->end(),
                                  [](const auto& g) { return domain::role_requires_totp(g.role); });
    auto cert = store::find_certificate(c, ctx.thumbprint);
    if (!cert.ok()) return cert.status();
    if (*cert && (*cert)->user_id == user->id) {
      f.certificate_registered_to_account = true;
      f.certificate_revoked = (*cert)->revoked_us.has_value();
      f.certificate_expired = now >= (*cert)->expires_us;
    }
    return absl::OkStatus();
  });
  if (!read.ok()) {
    spdlog::error("login lookup failed: {}", read.ToString());
    return unavailable_response(read);
  }

  // Secrets are checked outside any database lock (argon2id takes a while).
  const bool throttled = f.recent_address_failures >= f.max_address_failures ||
                         (f.account_exists && f.recent_account_failures >= f.max_account_failures);
  if (!throttled) {
    if (user) {
      f.password_matches = crypto::verify_password(req.password(), user->password_hash);
      f.account_disabled = user->disabled_us.has_value();
      f.totp_last_step = user->totp_last_step;
      f.password_one_time = user->password_one_time;
      f.password_expires_us = user->password_expires_us;
      if (!user->totp_secret_sealed.empty()) {
        f.totp_enrolled = true;
        f.totp_code_given = !req.totp_code().empty();
        auto secret = totp_sealer_.open(user->totp_secret_sealed,
                                        crypto::as_bytes(crypto::totp_associated_data(user->id)));
        if (secret.ok() && f.totp_code_given) {
          f.totp_matched_step = crypto::totp_verify(secret->view(), req.totp_code(), now / 1000000);
        } else if (!secret.ok()) {
          spdlog::error("TOTP secret of account {} could not be unsealed", user->id);
        }
      }
    } else if (!dummy_password_hash_.empty()) {
      (void)crypto::verify_password(req.password(), dummy_password_hash_);
    }
    f.new_password_given = !req.new_password().empty();
    f.new_password_acceptable = req.new_password().size() >= domain::kMinPasswordBytes &&
                                req.new_password() != req.password();
  }

  Principal who;
  if (user) {
    who.user_id = user->id;
    who.username = user->username;
    who.agency_code = user->agency_code;
  }
  domain::Decision d = domain::decide_login(f);
  if (!d.allowed()) {
    if (domain::is_login_step(d)) {
      return refuse(ctx, user ? &who : nullptr, "auth.login", d, nullptr, {}, v1::AUDIT_INCOMPLETE);
    }
    if (!domain::counts_as_failure(d)) return refuse(ctx, user ? &who : nullptr, "auth.login", d);
    // The throttling record and the audit event commit together.
    std::optional<std::int64_t> id;
    if (user) id = user->id;
    v1::Response refused =
        refuse(ctx, user ? &who : nullptr, "auth.login", d, [&](store::Connection& c) {
          return store::record_login_failure(c, id, ctx.remote_address, now);
        });
    refused.mutable_status()->set_rule(std::string(domain::public_login_rule(d)));
    return refused;
  }

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
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    // Re-check the TOTP step under the write lock: two logins racing with one
    // code must not both succeed.
    if (f.totp_matched_step) {
      auto fresh = store::find_user_by_id(c, user->id);
      if (!fresh.ok()) return fresh.status();
      if (!*fresh || *f.totp_matched_step <= (*fresh)->totp_last_step) {
        reused = true;
        return absl::OkStatus();
      }
      if (auto s = store::set_totp_last_step(c, user->id, *f.totp_matched_step); !s.ok()) return s;
    }
    if (!new_hash.empty()) {
      if (auto s = store::set_password(c, user->id, new_hash, false, std::nullopt, now); !s.ok()) {
        return s;
      }
      auto revoked = store::revoke_user_sessions(c, user->id, now, "password changed");
      if (!revoked.ok()) return revoked.status();
    }
    if (auto s = store::clear_user_failures(c, user->id); !s.ok()) return s;
    if (auto s = store::create_session(c, token_hash, user->id, ctx.thumbprint, now); !s.ok()) {
      return s;
    }
    const char* rule = new_hash.empty() ? "auth.login" : "auth.login_password_changed";
    if (auto s = append_ok(c, ctx, who, "auth.login", rule, {}, raised); !s.ok()) return s;
    return tx.commit();
  });
  if (!committed.ok()) {
    spdlog::error("login commit failed: {}", committed.ToString());
    return unavailable_response(committed);
  }
  push_alerts(raised);
  if (reused) {
    return refuse(ctx, &who, "auth.login",
                  domain::Decision::deny(domain::Refusal::kUnauthenticated, "auth.totp_reused",
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
  return r;
}

v1::Response Service::logout(const RequestContext& ctx, const Principal& p) {
  return run_write(
      ctx, p, domain::Action::kLogout,
      [&](store::Connection& c, AuditScope& scope,
          v1::Response& r) -> absl::StatusOr<domain::Decision> {
        const domain::Access access = authorize_in(scope, actor_at(p, ""), domain::Action::kLogout);
        if (!access.allowed()) return access.decision;
        if (auto st = store::revoke_session(c, p.token_hash, clock_.now_us(), "logout"); !st.ok()) {
          return st;
        }
        r.mutable_logout();
        return access.decision;
      });
}

v1::Response Service::whoami(const RequestContext& ctx, const Principal& p) {
  return run_read(ctx, p, domain::Action::kWhoAmI,
                  [&](store::Connection& /*c*/, AuditScope& scope,
                      v1::Response& r) -> absl::StatusOr<domain::Decision> {
                    const domain::Access access =
                        authorize_in(scope, actor_at(p, ""), domain::Action::kWhoAmI);
                    if (!access.allowed()) return access.decision;
                    auto* w = r.mutable_whoami();
                    w->set_username(p.username);
                    w->set_display_name(p.display_name);
                    w->set_agency(p.agency_code);
                    w->set_agency_name(p.agency_name);
                    for (const auto& g : p.roles) {
                      auto* grant = w->add_roles();
                      grant->set_role(role_from_text(g.role));
                      grant->set_table(g.table_code);
                      grant->set_table_name(g.table_name);
                    }
                    w->set_certificate_thumbprint(ctx.thumbprint);
                    w->set_session_idle_expires_at_us(p.session_last_seen_us +
                                                      us(limits_.session_idle_timeout));
                    w->set_session_absolute_expires_at_us(p.session_created_us +
                                                          us(limits_.session_absolute_timeout));
                    return access.decision;
                  });
}

}  // namespace hubtable::api
