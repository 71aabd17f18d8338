#pragma once
// A privacy officer's statement for a person's request for access to their
// personal information (`hubtable audit access-request`): the table's
// situations that hold the person, found through the blind index of their
// name and date of birth, and for each its disclosure register. Nothing else
// about a situation, and nothing of the names searched for, leaves or stays:
// the names and dates of birth compute the index and are dropped. The
// request's reason is sealed as a break-glass justification is, and the
// event raises an alert (api/alerts.cpp) to the table's other privacy
// officers and its chairs.

#include "api/work.h"
#include "config/limits.h"
#include "crypto/random.h"
#include "crypto/vault.h"

namespace hubtable::api {

class AccessStatement {
 public:
  AccessStatement(const crypto::Vault& vault, crypto::RandomSource& random,
                  const config::Limits& limits)
      : vault_(vault), random_(random), limits_(limits) {}

  absl::StatusOr<domain::Decision> statement(Work& w);

 private:
  const crypto::Vault& vault_;    // blind indexes, sealed reasons
  crypto::RandomSource& random_;  // the sealed reason's nonce
  const config::Limits& limits_;  // an answer's byte budget
};

/// The actions that hand identifying elements to someone: a situation's
/// disclosure register is made of their events.
inline constexpr const char* kDisclosureActions[] = {"situation.identify", "situation.reveal"};

/// One disclosure register entry from its audit event.
hubtable::v1::Disclosure disclosure_of(const hubtable::v1::AuditEvent& e);

}  // namespace hubtable::api
