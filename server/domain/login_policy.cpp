#include "domain/login_policy.h"

namespace hubtable::domain {

namespace {
constexpr const char* kBadCredentials =
    "login failed: wrong username, password or authentication code";
}

Decision decide_login(const LoginFacts& f) {
  if (f.recent_address_failures >= f.max_address_failures) {
    return Decision::deny(Refusal::kResourceExhausted, "auth.rate_limited_address",
                          "too many failed logins from this address; try again later");
  }
  if (f.account_exists && f.recent_account_failures >= f.max_account_failures) {
    return Decision::deny(Refusal::kResourceExhausted, "auth.rate_limited_account",
                          "too many failed logins for this account; try again later");
  }
  if (!f.account_exists) {
    return Decision::deny(Refusal::kUnauthenticated, "auth.unknown_account", kBadCredentials);
  }
  if (!f.password_matches) {
    return Decision::deny(Refusal::kUnauthenticated, "auth.bad_password", kBadCredentials);
  }
  const bool needs_totp = f.totp_required || f.totp_enrolled;
  if (needs_totp) {
    if (!f.totp_enrolled) {
      return Decision::deny(Refusal::kFailedPrecondition, "auth.totp_not_enrolled",
                            "this account requires an authenticator but none is enrolled; "
                            "ask your administrator");
    }
    if (!f.totp_code_given) {
      return Decision::deny(Refusal::kFailedPrecondition, "auth.totp_required",
                            "enter the code from your authenticator app");
    }
    if (!f.totp_matched_step) {
      return Decision::deny(Refusal::kUnauthenticated, "auth.bad_totp", kBadCredentials);
    }
    if (*f.totp_matched_step <= f.totp_last_step) {
      return Decision::deny(Refusal::kUnauthenticated, "auth.totp_reused",
                            "this authentication code was already used; wait for the next one");
    }
  }
  if (f.account_disabled) {
    return Decision::deny(Refusal::kUnauthenticated, "auth.account_disabled",
                          "this account is disabled");
  }
  if (!f.certificate_registered_to_account) {
    return Decision::deny(Refusal::kUnauthenticated, "auth.certificate_not_registered",
                          "this device's certificate is not registered to this account");
  }
  if (f.certificate_revoked) {
    return Decision::deny(Refusal::kUnauthenticated, "auth.certificate_revoked",
                          "this device's certificate has been revoked");
  }
  if (f.certificate_expired) {
    return Decision::deny(Refusal::kUnauthenticated, "auth.certificate_expired",
                          "this device's certificate has expired");
  }
  if (f.password_one_time) {
    if (f.password_expires_us && f.now_us >= *f.password_expires_us) {
      return Decision::deny(Refusal::kUnauthenticated, "auth.one_time_password_expired",
                            "the one-time password has expired; ask your administrator for a "
                            "new one");
    }
    if (!f.new_password_given) {
      return Decision::deny(Refusal::kFailedPrecondition, "auth.password_change_required",
                            "the one-time password must be replaced: choose a new password");
    }
  }
  if (f.new_password_given && !f.new_password_acceptable) {
    return Decision::deny(Refusal::kInvalidArgument, "auth.weak_password",
                          "new_password must be " + std::to_string(kMinPasswordBytes) + " to " +
                              std::to_string(kMaxPasswordBytes) +
                              " bytes and differ from the old one");
  }
  return Decision::allow("auth.login");
}

bool role_requires_totp(const std::string& role) {
  return role == "CHAIR" || role == "PRIVACY_OFFICER" || role == "ADMIN";
}

bool is_login_step(const Decision& d) {
  return d.rule == "auth.totp_required" || d.rule == "auth.password_change_required";
}

std::string_view public_login_rule(const Decision& d) {
  if (d.rule == "auth.unknown_account" || d.rule == "auth.bad_password") {
    return "auth.bad_credentials";
  }
  return d.rule;
}

bool counts_as_failure(const Decision& d) {
  return !d.allowed() && d.refusal == Refusal::kUnauthenticated && d.rule != "auth.totp_reused";
}

}  // namespace hubtable::domain
