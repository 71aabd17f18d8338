#pragma once
// A decision from a domain rule: allowed, or refused with a status code, the
// id of the rule that refused, and a message safe to show the caller.

#include <string>

namespace hubtable::domain {

enum class Refusal {
  kNone,
  kInvalidArgument,
  kNotFound,
  kUnauthenticated,
  kPermissionDenied,
  kFailedPrecondition,
  kResourceExhausted,
};

struct Decision {
  Refusal refusal = Refusal::kNone;
  std::string rule;     // stable id, e.g. "auth.totp_reused"; set for allows too
  std::string message;  // names the problem, never echoes a secret or identifier

  bool allowed() const { return refusal == Refusal::kNone; }
  static Decision allow(std::string rule) { return {Refusal::kNone, std::move(rule), {}}; }
  static Decision deny(Refusal r, std::string rule, std::string message) {
    return {r, std::move(rule), std::move(message)};
  }
};

}  // namespace hubtable::domain
