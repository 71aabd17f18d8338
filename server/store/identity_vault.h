#pragma once
// The sealed identity vault and its key store: identification records,
// sealed fields, wrapped data keys, blind indexes, break-glass
// justifications, and crypto-shredding. Nothing here sees a plaintext
// identifier: the handlers seal before they store and open after they
// load. Runs inside the caller's transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "store/connection.h"

namespace hubtable::store {

struct IdentityRecord {
  int people = 0;
  std::string legal_authority;
  std::int64_t identified_us = 0;
  std::int64_t identified_by = 0;
  std::optional<std::int64_t> purged_us;
};
absl::StatusOr<std::optional<IdentityRecord>> find_identity(Connection& c,
                                                            const std::string& situation_id);

struct SealedField {
  int person = 0;
  std::string field;
  crypto::Bytes sealed;
};

/// The name a person's field is sealed under (its associated data with the
/// situation id): "person/<index>/<field>".
std::string person_field(std::size_t person, std::string_view field);

/// Everything one identification stores, in one go: the record, the blind
/// indexes (key store) and the sealed fields. The wrapped data key is stored
/// on its own (insert_wrapped_key), as planning notes need it too.
struct NewIdentity {
  std::string situation_id;
  std::int64_t table_id = 0;
  IdentityRecord record;
  std::vector<SealedField> fields;
  std::vector<crypto::Digest> blind_indexes;  // one per person
};
absl::Status insert_identity(Connection& c, const NewIdentity& id);

/// The wrapped data key; nullopt once purged (or never created).
absl::StatusOr<std::optional<crypto::Bytes>> find_wrapped_key(Connection& c,
                                                              const std::string& situation_id);
/// Stores the wrapped data key of a situation that has none yet.
absl::Status insert_wrapped_key(Connection& c, const std::string& situation_id,
                                const crypto::Bytes& wrapped, std::int64_t now_us);
absl::StatusOr<std::vector<SealedField>> list_sealed_fields(Connection& c,
                                                            const std::string& situation_id);

/// Other situations at the table whose blind index matches one of
/// `digests`, indexed at or after `since_us`; ids in order, no repeats.
absl::StatusOr<std::vector<std::string>> repeat_matches(Connection& c, std::int64_t table_id,
                                                        const std::vector<crypto::Digest>& digests,
                                                        std::int64_t since_us,
                                                        const std::string& exclude_id);
/// The blind indexes stored for a situation.
absl::StatusOr<std::vector<crypto::Digest>> blind_indexes_of(Connection& c,
                                                             const std::string& situation_id);

// ---- Crypto-shredding ----------------------------------------------------------

/// Closed situations whose retention ended by `now_us` and that still hold
/// sealed data or keys, oldest first.
absl::StatusOr<std::vector<std::string>> purge_candidates(Connection& c, std::int64_t now_us);

/// Deletes key-store rows of situations already purged or no longer present
/// (wrapped keys), or without a live identity (blind indexes); returns how
/// many rows went.
absl::StatusOr<int> drop_orphan_keys(Connection& c);

// ---- The two files' agreement -------------------------------------------------
//
// A transaction that writes both files is atomic in each but not across the
// two: SQLite commits the database's WAL first and the key store after it, so
// a crash, a power loss or an I/O error between the two commits leaves the
// database holding what the key store lacks (identifiers or planning notes
// sealed under a data key that was never stored, an identity without its
// blind indexes), and an interrupted purge leaves key-store rows of a
// situation already purged. What the database holds there was never
// acknowledged (a response leaves only after both commits), so the repair
// withdraws it rather than guessing.

/// Where the two files disagree.
struct VaultDamage {
  std::vector<std::string> without_key;      // sealed data but no data key
  std::vector<std::string> without_indexes;  // an identity short of its blind indexes
  int orphan_rows = 0;                       // key-store rows with nothing in the database
  bool empty() const { return without_key.empty() && without_indexes.empty() && orphan_rows == 0; }
};
absl::StatusOr<VaultDamage> find_vault_damage(Connection& c);

/// What a repair withdrew from one situation (counts only).
struct VaultRepair {
  std::string situation_id;
  bool key_missing = false;  // else: the identity's blind indexes were
  int identities = 0;
  int fields = 0;
  int notes = 0;
  int indexes = 0;
};
struct VaultRepairs {
  std::vector<VaultRepair> situations;
  int orphan_rows = 0;
};
/// Puts the files back in agreement, in the caller's write transaction.
absl::StatusOr<VaultRepairs> repair_vault(Connection& c);

/// What one purge destroyed (counts only).
struct PurgeReport {
  int keys = 0;
  int fields = 0;
  int notes = 0;
  int indexes = 0;
};
/// Deletes the wrapped data key and blind indexes (key store), the sealed
/// fields and planning notes, and marks the situation purged.
absl::StatusOr<PurgeReport> purge_situation(Connection& c, const std::string& situation_id,
                                            std::int64_t now_us);

// ---- Break-glass ---------------------------------------------------------------

/// A privacy officer's break-glass reveal: the sealed justification, kept
/// after the situation's own identifiers are shredded.
struct BreakGlass {
  std::int64_t id = 0;
  std::string situation_id;
  std::int64_t user_id = 0;
  std::int64_t created_us = 0;
  crypto::Bytes sealed;
};
absl::StatusOr<std::int64_t> insert_break_glass(Connection& c, const BreakGlass& b);
absl::StatusOr<std::optional<BreakGlass>> find_break_glass(Connection& c, std::int64_t id);
/// The associated data a justification is sealed under.
std::string break_glass_context(const std::string& situation_id, std::int64_t user_id,
                                std::int64_t created_us);

}  // namespace hubtable::store
