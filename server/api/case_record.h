#pragma once
// A situation as Filters 3 and 4 work on it: its data key, its
// participants, and the answer with the situation as it now stands.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "api/work.h"
#include "crypto/random.h"
#include "crypto/vault.h"
#include "domain/lifecycle.h"
#include "hubtable/v1/situation.pb.h"

namespace hubtable::api {

/// The situation's data key: the stored one, unwrapped, or a new one whose
/// wrapped form is stored now, in the caller's transaction.
absl::StatusOr<crypto::SecretBytes> data_key(store::Connection& c, const crypto::Vault& vault,
                                             crypto::RandomSource& random,
                                             const std::string& situation_id, std::int64_t now_us);

/// The agency id of a participant, by code; nullopt when it did not join.
std::optional<std::int64_t> participant_id(const CaseFacts& f, const std::string& agency);

/// Plain bytes as text (an opened field).
std::string as_string(const crypto::SecretBytes& b);

/// Reloads the situation after a change and fills `out` with it.
absl::Status refill(Work& w, v1::Situation& out);

/// The shape of most case changes: the case must be open for `move` (rules
/// `<verb>.closed`, `<verb>.not_accepted`); `change` makes the change; the
/// answer is the situation as it then stands.
using CaseChange = std::function<absl::StatusOr<domain::Decision>(const Loaded&)>;
absl::StatusOr<domain::Decision> change_case(Work& w, std::string_view verb, domain::Move move,
                                             v1::Situation& out, const CaseChange& change);

}  // namespace hubtable::api
