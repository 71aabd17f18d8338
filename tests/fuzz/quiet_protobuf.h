#pragma once
// libprotobuf logs every string field it refuses as invalid UTF-8; a fuzzer
// produces millions, and writing them took most of its time. The server
// routes these lines to its throttled log (net/log_throttle.cpp); a fuzz
// target drops them.

#include <google/protobuf/stubs/logging.h>

namespace hubtable::fuzz {

inline void quiet_protobuf() {
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
}

}  // namespace hubtable::fuzz
