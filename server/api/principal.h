#pragma once
// The authenticated caller of a request, resolved from its session token.

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "store/accounts.h"

namespace hubtable::api {

struct Principal {
  std::int64_t user_id = 0;
  std::string username;
  std::string display_name;
  std::string agency_code;
  std::string agency_name;
  std::vector<store::RoleGrantRecord> roles;
  std::string thumbprint;
  crypto::Digest token_hash{};
  std::int64_t session_created_us = 0;
  std::int64_t session_last_seen_us = 0;
  /// Signed the confidentiality agreement, on or before today (UTC).
  bool confidentiality_signed = false;

  /// Codes of the tables this person holds a role at (ADMIN has none).
  std::vector<std::string> table_codes() const {
    std::vector<std::string> out;
    for (const auto& g : roles) {
      if (!g.table_code.empty()) out.push_back(g.table_code);
    }
    return out;
  }
};

}  // namespace hubtable::api
