#pragma once
// Governance records: an agency's information-sharing agreement and a
// person's confidentiality agreement, as the policy reads them and as the
// administrator sets them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/connection.h"

namespace hubtable::store {

/// The caller's standing for identifying information.
struct Governance {
  std::string isa_signed_on;   // their agency's, ISO date or empty
  std::string isa_expires_on;  // ISO date or empty
  std::string confidentiality_signed_on;
};
absl::StatusOr<Governance> governance_of(Connection& c, std::int64_t user_id);

/// Sets an agency's ISA dates; false when there is no such agency.
absl::StatusOr<bool> set_agency_isa(Connection& c, const std::string& agency,
                                    const std::string& signed_on, const std::string& expires_on);
/// Sets a user's confidentiality agreement date; false when no such user.
absl::StatusOr<bool> set_user_confidentiality(Connection& c, const std::string& username,
                                              const std::string& signed_on);

}  // namespace hubtable::store
