#pragma once
// Filters 1 and 2: de-identified situations, from submission to the table's
// decision (api/decision_handlers.h decides). What each caller sees of a record is the policy's
// RecordView.

#include "api/work.h"
#include "config/limits.h"
#include "crypto/random.h"

namespace hubtable::api {

class SituationHandlers {
 public:
  SituationHandlers(crypto::RandomSource& random, const config::Limits& limits)
      : random_(random), limits_(limits) {}

  absl::StatusOr<domain::Decision> submit(Work& w);
  absl::StatusOr<domain::Decision> list(Work& w);
  absl::StatusOr<domain::Decision> show(Work& w);
  absl::StatusOr<domain::Decision> withdraw(Work& w);
  /// Its agency corrects the record before the decision (scanned again).
  absl::StatusOr<domain::Decision> amend(Work& w);

 private:
  crypto::RandomSource& random_;  // situation ids
  const config::Limits& limits_;  // an answer's byte budget
};

}  // namespace hubtable::api
