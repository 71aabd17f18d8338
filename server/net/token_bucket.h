#pragma once
// A connection's request rate: `burst` requests at once, refilled at
// `per_second`. Not thread-safe (a connection's strand owns it).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>

#include "hubtable/v1/status.pb.h"

namespace hubtable::net {

class TokenBucket {
 public:
  TokenBucket(double burst, double per_second)
      : burst_(burst), per_second_(per_second), tokens_(burst), last_(Clock::now()) {}

  /// Takes a token; false when none is left.
  bool take() {
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed * per_second_);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

  /// After take() said no: how long until it would say yes (at least 1 ms).
  std::chrono::milliseconds until_next() const {
    const double ms = std::ceil((1.0 - tokens_) / per_second_ * 1000.0);
    return std::chrono::milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(ms)));
  }

 private:
  using Clock = std::chrono::steady_clock;
  double burst_;
  double per_second_;
  double tokens_;
  Clock::time_point last_;
};

/// The refusal of a request over a connection's rate, framed or HTTP: it
/// did nothing, and says when `rate` holds a token again.
inline hubtable::v1::Status rate_refusal(const TokenBucket& rate) {
  hubtable::v1::Status s;
  s.set_code(hubtable::v1::RESOURCE_EXHAUSTED);
  s.set_rule("limits.request_rate");
  s.set_message("too many requests on this connection; slow down");
  s.set_retry_after_ms(static_cast<std::uint32_t>(rate.until_next().count()));
  return s;
}

}  // namespace hubtable::net
