#pragma once
// Filter 3: need-to-know identification. An agency joins an accepted
// situation (or the chair adds it, also once the lead is named), the originating agency enters the
// person's identifiers, and a joined agency (or a privacy officer breaking the glass) reveals them.
// Identifiers are sealed with the situation's data key before they reach
// the store and opened only for a caller the policy allows; every
// disclosure is audited with its legal authority, and no audit event, log
// line or error carries a value.

#include "api/work.h"
#include "crypto/random.h"
#include "crypto/vault.h"

namespace hubtable::api {

class FilterThree {
 public:
  FilterThree(const crypto::Vault& vault, crypto::RandomSource& random)
      : vault_(vault), random_(random) {}

  absl::StatusOr<domain::Decision> join(Work& w);
  absl::StatusOr<domain::Decision> identify(Work& w);
  absl::StatusOr<domain::Decision> reveal(Work& w);
  /// The chair adds a partner agency, at any time before closure.
  absl::StatusOr<domain::Decision> add_agency(Work& w);

 private:
  const crypto::Vault& vault_;    // data keys, blind indexes, break-glass justifications
  crypto::RandomSource& random_;  // nonces and new data keys
};

}  // namespace hubtable::api
