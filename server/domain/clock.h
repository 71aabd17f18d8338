#pragma once
// The time source, injectable so tests and fuzzers are deterministic.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace hubtable::domain {

/// Thread-safe source of the current UTC time in microseconds.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_us() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_us() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

/// A clock tests move by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_us) : now_(start_us) {}
  std::int64_t now_us() const override { return now_.load(); }
  void advance_us(std::int64_t delta) { now_ += delta; }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace hubtable::domain
