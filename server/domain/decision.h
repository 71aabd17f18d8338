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

/// A request that is malformed or names something that does not exist in
/// the form asked (INVALID_ARGUMENT).
inline Decision invalid(std::string rule, std::string message) {
  return Decision::deny(Refusal::kInvalidArgument, std::move(rule), std::move(message));
}

/// A request that is well formed but cannot be done in the present state
/// (FAILED_PRECONDITION).
inline Decision failed(std::string rule, std::string message) {
  return Decision::deny(Refusal::kFailedPrecondition, std::move(rule), std::move(message));
}

}  // namespace hubtable::domain
