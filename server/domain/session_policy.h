#pragma once
// The session rules: is this token still good for this device and account?

#include <cstdint>
#include <optional>
#include <string>

#include "domain/decision.h"

namespace hubtable::domain {

struct SessionFacts {
  std::int64_t now_us = 0;
  bool token_given = false;
  bool session_found = false;
  bool session_revoked = false;
  std::int64_t created_us = 0;
  std::int64_t last_seen_us = 0;
  std::int64_t idle_timeout_us = 0;
  std::int64_t absolute_timeout_us = 0;
  bool thumbprint_matches = false;  // the connection's certificate is the session's
  bool account_disabled = false;
  bool certificate_revoked = false;
};

/// Decides whether a request may proceed under its session token.
Decision decide_session(const SessionFacts& f);

}  // namespace hubtable::domain
