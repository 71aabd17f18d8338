#pragma once
// What is due for the caller and their agency (`hubtable tasks`): at each
// table they sit at, or the one named, the work domain/tasks.h gives them,
// overdue first, with deadlines in the table's time zone.

#include "api/work.h"
#include "config/limits.h"

namespace hubtable::api {

class TaskHandlers {
 public:
  explicit TaskHandlers(const config::Limits& limits) : limits_(limits) {}

  absl::StatusOr<domain::Decision> tasks(Work& w);

 private:
  const config::Limits& limits_;  // an answer's byte budget
};

}  // namespace hubtable::api
