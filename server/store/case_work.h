#pragma once
// Repository for Filters 3 and 4: participants (joined, lead and assisting
// agencies), the sealed identity vault and its key store, planning notes,
// interventions, status updates, closure and crypto-shredding. Runs inside
// the caller's transaction. Nothing here sees a plaintext identifier: the
// handlers seal before they store and open after they load.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "store/connection.h"

namespace hubtable::store {

/// The caller's standing for identifying information.
struct Governance {
  std::string isa_signed_on;   // their agency's, ISO date or empty
  std::string isa_expires_on;  // ISO date or empty
  std::string confidentiality_signed_on;
};
absl::StatusOr<Governance> governance_of(Connection& c, std::int64_t user_id);

struct Participant {
  std::int64_t agency_id = 0;
  std::string agency;  // code
  std::string sector;
  std::string role;  // JOINED, LEAD or ASSISTING
  std::int64_t joined_us = 0;
};
/// The situation's participating agencies, in joining order.
absl::StatusOr<std::vector<Participant>> list_participants(Connection& c,
                                                           const std::string& situation_id);
absl::Status add_participant(Connection& c, const std::string& situation_id, std::int64_t agency_id,
                             std::int64_t user_id, std::int64_t now_us);

/// Names the lead and assisting agencies (every other participant goes back
/// to JOINED) and starts the acknowledgement clock.
absl::Status assign_lead(Connection& c, const std::string& situation_id, std::int64_t lead_id,
                         const std::vector<std::int64_t>& assisting_ids, std::int64_t user_id,
                         std::int64_t now_us, std::int64_t ack_due_us);
absl::Status acknowledge_lead(Connection& c, const std::string& situation_id, std::int64_t user_id,
                              std::int64_t now_us);

/// Open (ACCEPTED) situations each agency leads at the table: agency id -> count.
absl::StatusOr<std::vector<std::pair<std::int64_t, int>>> open_lead_counts(Connection& c,
                                                                           std::int64_t table_id);

/// A sector's typical risk categories (sectors.csv's third column).
absl::StatusOr<std::vector<std::string>> sector_categories(Connection& c,
                                                           const std::string& sector);
/// The risk categories of a list of risk factor codes (deduplicated).
absl::StatusOr<std::vector<std::string>> risk_categories(Connection& c,
                                                         const std::vector<std::string>& factors,
                                                         const std::string& table_code);

// ---- The identity vault ----------------------------------------------------

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

struct PlanningNote {
  std::int64_t id = 0;
  std::string agency;
  std::int64_t author_id = 0;
  std::string author;  // username
  std::int64_t created_us = 0;
  crypto::Bytes sealed;
};
absl::StatusOr<std::int64_t> insert_planning_note(Connection& c, const std::string& situation_id,
                                                  std::int64_t agency_id, std::int64_t author_id,
                                                  std::int64_t now_us, const crypto::Bytes& sealed);
/// The situation's notes after note `after_id`, oldest first, at most `limit`.
absl::StatusOr<std::vector<PlanningNote>> list_planning_notes(Connection& c,
                                                              const std::string& situation_id,
                                                              std::int64_t after_id,
                                                              std::size_t limit);

// ---- Intervention, follow-up, closure ----------------------------------------

struct Intervention {
  std::int64_t occurred_us = 0;
  std::string outcome;
  std::vector<std::string> agencies;  // codes
  std::int64_t recorded_us = 0;
};
absl::StatusOr<std::optional<Intervention>> find_intervention(Connection& c,
                                                              const std::string& situation_id);
absl::Status record_intervention(Connection& c, const std::string& situation_id,
                                 std::int64_t occurred_us, const std::string& outcome,
                                 const std::vector<std::int64_t>& agency_ids, std::int64_t user_id,
                                 std::int64_t now_us);

struct StatusUpdate {
  std::string agency;
  std::string meeting;
  std::int64_t created_us = 0;
  std::string text;
};
absl::Status add_status_update(Connection& c, const std::string& situation_id,
                               std::int64_t agency_id, std::int64_t author_id,
                               const std::string& meeting_id, std::int64_t now_us,
                               const std::string& text);
absl::StatusOr<std::vector<StatusUpdate>> list_status_updates(Connection& c,
                                                              const std::string& situation_id);

struct Closure {
  std::string reason;
  std::vector<std::string> services;
  std::vector<std::string> protective_factors;
};
absl::Status close_situation(Connection& c, const std::string& situation_id, const Closure& closure,
                             std::int64_t user_id, std::int64_t now_us, std::int64_t purge_due_us);
absl::StatusOr<Closure> find_closure(Connection& c, const std::string& situation_id);

/// Open (ACCEPTED) situations of every table, for deadline checks.
absl::StatusOr<std::vector<std::string>> open_situation_ids(Connection& c);

// ---- Governance (set by the administrator) ---------------------------------

/// Sets an agency's ISA dates; false when there is no such agency.
absl::StatusOr<bool> set_agency_isa(Connection& c, const std::string& agency,
                                    const std::string& signed_on, const std::string& expires_on);
/// Sets a user's confidentiality agreement date; false when no such user.
absl::StatusOr<bool> set_user_confidentiality(Connection& c, const std::string& username,
                                              const std::string& signed_on);

// ---- Crypto-shredding ----------------------------------------------------------

/// Closed situations whose retention ended by `now_us` and that still hold
/// sealed data or keys, oldest first.
absl::StatusOr<std::vector<std::string>> purge_candidates(Connection& c, std::int64_t now_us);

/// Deletes key-store rows (wrapped keys, blind indexes) of situations
/// already purged or no longer present.
absl::Status drop_orphan_keys(Connection& c);

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
