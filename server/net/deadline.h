#pragma once
// A connection's one deadline: re-arming it forgets the previous one, and a
// deadline that passes calls its owner back with what it was for. Touched
// only on the owner's strand.

#include <chrono>
#include <cstdint>
#include <memory>

#include "wire/asio.h"

namespace hubtable::net {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Deadline(const asio::any_io_executor& executor) : timer_(executor) {}

  /// At `when`, unless re-armed or cancelled first, calls
  /// `(owner->*passed)(what)`. The handler holds `owner`, which owns this.
  template <typename Owner>
  void arm(const std::shared_ptr<Owner>& owner, Clock::time_point when, const char* what,
           void (Owner::*passed)(const char*)) {
    ++generation_;
    timer_.expires_at(when);
    timer_.async_wait(
        [owner, self = this, generation = generation_, what, passed](const error_code& ec) {
          if (ec || generation != self->generation_) return;
          ((*owner).*passed)(what);
        });
  }

  void cancel() {
    ++generation_;
    timer_.cancel();
  }

 private:
  asio::steady_timer timer_;
  std::uint64_t generation_ = 0;
};

}  // namespace hubtable::net
