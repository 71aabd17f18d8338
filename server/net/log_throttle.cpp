#include "net/log_throttle.h"

#include <google/protobuf/stubs/logging.h>

namespace hubtable::net {

bool LogThrottle::admit(std::uint64_t& held_back) {
  std::lock_guard<std::mutex> lock(mutex_);
  held_back = 0;
  const auto now = Clock::now();
  if (now - window_start_ >= window_) {
    window_start_ = now;
    written_ = 0;
    held_back = std::exchange(held_back_, 0);
  }
  if (written_ >= lines_) {
    ++held_back_;
    return false;
  }
  ++written_;
  return true;
}

LogThrottle& client_log_throttle() {
  static LogThrottle throttle(20, std::chrono::seconds(10));
  return throttle;
}

namespace {
void protobuf_log(google::protobuf::LogLevel level, const char* /*file*/, int /*line*/,
                  const std::string& message) {
  const auto ours = level >= google::protobuf::LOGLEVEL_ERROR     ? spdlog::level::err
                    : level == google::protobuf::LOGLEVEL_WARNING ? spdlog::level::warn
                                                                  : spdlog::level::info;
  log_throttled(client_log_throttle(), ours, "libprotobuf: {}", message);
}
}  // namespace

void route_protobuf_logs() { google::protobuf::SetLogHandler(&protobuf_log); }

}  // namespace hubtable::net
