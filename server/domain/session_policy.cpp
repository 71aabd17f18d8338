#include "domain/session_policy.h"

namespace hubtable::domain {

Decision decide_session(const SessionFacts& f) {
  if (!f.token_given) {
    return Decision::deny(Refusal::kUnauthenticated, "session.missing",
                          "not logged in: log in first");
  }
  if (!f.session_found) {
    return Decision::deny(Refusal::kUnauthenticated, "session.unknown",
                          "session not recognised: log in again");
  }
  if (!f.thumbprint_matches) {
    return Decision::deny(Refusal::kUnauthenticated, "session.certificate_mismatch",
                          "session belongs to another device: log in again");
  }
  if (f.session_revoked) {
    return Decision::deny(Refusal::kUnauthenticated, "session.revoked",
                          "session has ended: log in again");
  }
  if (f.certificate_revoked) {
    return Decision::deny(Refusal::kUnauthenticated, "session.certificate_revoked",
                          "this device's certificate has been revoked");
  }
  if (f.account_disabled) {
    return Decision::deny(Refusal::kUnauthenticated, "session.account_disabled",
                          "this account is disabled");
  }
  if (f.now_us - f.created_us >= f.absolute_timeout_us) {
    return Decision::deny(Refusal::kUnauthenticated, "session.expired",
                          "session reached its maximum lifetime: log in again");
  }
  if (f.now_us - f.last_seen_us >= f.idle_timeout_us) {
    return Decision::deny(Refusal::kUnauthenticated, "session.expired",
                          "session expired after inactivity: log in again");
  }
  return Decision::allow("session.valid");
}

}  // namespace hubtable::domain
