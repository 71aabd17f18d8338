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
  /// Subscribes the caller's connection to the events meant for them; with
  /// replay, first answers with those pushed since they last received one.
  absl::StatusOr<domain::Decision> watch(Work& w);

 private:
  /// The caller's missed events, from their cursor, which moves past them.
  absl::Status replay(Work& w, hubtable::v1::WatchResponse& out);

  const config::Limits& limits_;
  EventHub& events_;
};

}  // namespace hubtable::api
