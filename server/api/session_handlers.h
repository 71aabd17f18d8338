#pragma once
// The caller's own session: logout, whoami, and watching for live events.

#include "api/event_hub.h"
#include "api/work.h"
#include "config/limits.h"

namespace hubtable::api {

class SessionHandlers {
 public:
  SessionHandlers(const config::Limits& limits, EventHub& events)
      : limits_(limits), events_(events) {}

  absl::StatusOr<domain::Decision> logout(Work& w);
  absl::StatusOr<domain::Decision> whoami(Work& w);
  /// Subscribes the caller's connection to the events meant for them.
  absl::StatusOr<domain::Decision> watch(Work& w);

 private:
  const config::Limits& limits_;
  EventHub& events_;
};

}  // namespace hubtable::api
