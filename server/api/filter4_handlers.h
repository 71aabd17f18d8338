#pragma once
// Filter 4 and follow-up: the chair names the lead and assisting agencies,
// the lead acknowledges, the agencies plan (sealed planning notes), record
// (and amend) the intervention and status updates, and the chair closes the situation.

#include "api/work.h"
#include "config/limits.h"
#include "crypto/random.h"
#include "crypto/vault.h"

namespace hubtable::api {

class FilterFour {
 public:
  FilterFour(const crypto::Vault& vault, crypto::RandomSource& random, const config::Limits& limits)
      : vault_(vault), random_(random), limits_(limits) {}

  absl::StatusOr<domain::Decision> assign(Work& w);
  absl::StatusOr<domain::Decision> ack(Work& w);
  /// Adds a planning note, or (with none) reads the notes a page at a time.
  absl::StatusOr<domain::Decision> plan(Work& w);
  /// Records the intervention, or (amend) corrects the one recorded.
  absl::StatusOr<domain::Decision> intervene(Work& w);
  absl::StatusOr<domain::Decision> update(Work& w);
  absl::StatusOr<domain::Decision> close(Work& w);

 private:
  /// The intervention's time, outcome and agencies present (ids in `present`).
  absl::StatusOr<domain::Decision> check_intervention(Work& w, const Loaded& k,
                                                      std::vector<std::int64_t>& present);
  absl::StatusOr<domain::Decision> amend_intervention(Work& w, const Loaded& k,
                                                      const std::vector<std::int64_t>& present);

  const crypto::Vault& vault_;    // planning notes' data keys
  crypto::RandomSource& random_;  // nonces and new data keys
  const config::Limits& limits_;  // an answer's byte budget
};

}  // namespace hubtable::api
