#pragma once
// Meetings: the schedule, opening with a frozen agenda, check-in, the
// agenda, closing, and the de-identified minutes.

#include "api/work.h"
#include "config/limits.h"

namespace hubtable::api {

class MeetingHandlers {
 public:
  explicit MeetingHandlers(const config::Limits& limits) : limits_(limits) {}

  absl::StatusOr<domain::Decision> list(Work& w);
  absl::StatusOr<domain::Decision> open(Work& w);
  absl::StatusOr<domain::Decision> check_in(Work& w);
  absl::StatusOr<domain::Decision> agenda(Work& w);
  absl::StatusOr<domain::Decision> close(Work& w);
  absl::StatusOr<domain::Decision> minutes(Work& w);

 private:
  const config::Limits& limits_;  // an answer's byte budget
};

}  // namespace hubtable::api
