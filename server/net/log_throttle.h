#pragma once
// A budget for log lines that clients can cause (failed handshakes,
// deadlines, protobuf's own complaints about what it was sent): a flood of
// bad connections costs the log a few lines a window and one count, never a
// line per frame.

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <utility>

#include "absl/base/thread_annotations.h"

namespace hubtable::net {

/// Thread-safe.
class LogThrottle {
 public:
  LogThrottle(int lines, std::chrono::milliseconds window) : lines_(lines), window_(window) {}

  /// Whether one more line may be written now. When a new window opens after
  /// lines were held back, `held_back` is set to how many (else 0).
  bool admit(std::uint64_t& held_back);

 private:
  using Clock = std::chrono::steady_clock;
  const int lines_;
  const std::chrono::milliseconds window_;
  std::mutex mutex_;
  Clock::time_point window_start_ ABSL_GUARDED_BY(mutex_){};
  int written_ ABSL_GUARDED_BY(mutex_) = 0;
  std::uint64_t held_back_ ABSL_GUARDED_BY(mutex_) = 0;
};

/// The server-wide budget for lines about what clients sent or failed to do:
/// 20 lines every 10 seconds.
LogThrottle& client_log_throttle();

/// Writes a line within `throttle`'s budget, preceded by the count of lines
/// held back since the last one written.
template <class... Args>
void log_throttled(LogThrottle& throttle, spdlog::level::level_enum level,
                   fmt::format_string<Args...> format, Args&&... args) {
  if (!spdlog::should_log(level)) return;
  std::uint64_t held_back = 0;
  if (!throttle.admit(held_back)) return;
  if (held_back > 0) {
    spdlog::log(level, "{} similar lines were not logged (log rate limit)", held_back);
  }
  spdlog::log(level, format, std::forward<Args>(args)...);
}

/// Sends libprotobuf's log lines (e.g. invalid UTF-8 in a frame) to the
/// server log through client_log_throttle(). Call once at start.
void route_protobuf_logs();

}  // namespace hubtable::net
