#pragma once
// The login rules: given what the server found out about a login attempt,
// decide whether it succeeds and, if not, which rule refused it. Pure: the
// facts are gathered (and passwords and codes checked) by the caller.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/decision.h"
#include "domain/limits.h"

namespace hubtable::domain {

struct LoginFacts {
  std::int64_t now_us = 0;
  int recent_address_failures = 0;
  int recent_account_failures = 0;
  int max_address_failures = 20;
  int max_account_failures = 5;

  bool account_exists = false;
  bool password_matches = false;
  bool account_disabled = false;

  // The certificate presented on the connection.
  bool certificate_registered_to_account = false;
  bool certificate_revoked = false;
  bool certificate_expired = false;

  bool totp_required = false;  // by role or by the account's setting
  bool totp_enrolled = false;  // a secret is stored
  bool totp_code_given = false;
  std::optional<std::int64_t> totp_matched_step;  // set when the code matched
  std::int64_t totp_last_step = -1;               // last accepted step

  bool password_one_time = false;
  std::optional<std::int64_t> password_expires_us;
  bool new_password_given = false;
  bool new_password_acceptable = false;  // length and difference checked by caller
};

/// True when holding `role` (CHAIR, PRIVACY_OFFICER, ADMIN) makes TOTP mandatory.
bool role_requires_totp(const std::string& role);

/// Decides a login. The order of checks is part of the contract: throttling
/// first (so guessing stays throttled), then credentials with one shared
/// message (so an attacker cannot tell which part was wrong), then the
/// account's state, the device, and the password's state.
Decision decide_login(const LoginFacts& f);

/// True when a failed decision should count towards throttling.
bool counts_as_failure(const Decision& d);

/// True for the refusals that ask for the next step of a login (an
/// authenticator code, a new password): the audit records them as
/// incomplete, not as denials.
bool is_login_step(const Decision& d);

/// The rule a refused login answers with on the wire: an unknown account
/// and a wrong password both say auth.bad_credentials (the audit keeps
/// which), so the answer never tells whether an account exists.
std::string_view public_login_rule(const Decision& d);

}  // namespace hubtable::domain
