#pragma once
// Writes situations straight into a real (encrypted) database, as the
// server would have left them after the four filters: the report fixture
// states its figures row by row, and the benchmark seeds a province's ten
// years without going through a million requests.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/connection.h"

namespace hubtable::testing {

struct SeedSituation {
  std::string id;
  std::int64_t table_id = 0;
  std::int64_t originating_agency_id = 0;
  std::int64_t submitted_by = 0;  // a user id
  std::int64_t submitted_us = 0;
  std::string state = "AWAITING_DECISION";
  std::string situation_type = "PERSON";
  std::string age_band = "18-24";  // dropped when rejected or withdrawn
  std::string gender = "U";
  std::string narrative = "A de-identified narrative.";
  std::optional<std::int64_t> decided_us;
  std::string rejection_reason;
  std::int64_t lead_agency_id = 0;
  std::vector<std::int64_t> assisting;
  std::optional<std::int64_t> ack_due_us;
  std::optional<std::int64_t> acked_us;
  std::optional<std::int64_t> intervention_due_us;
  std::optional<std::int64_t> intervened_us;
  std::string outcome;
  std::optional<std::int64_t> closed_us;
  std::string closure_reason;
  std::vector<std::string> risk_factors;
  std::vector<std::string> protective_factors;
  std::vector<std::string> study_flags;
  std::vector<std::string> services;
  std::vector<std::string> closure_protective_factors;
};

/// Inserts situations with their codes, agencies and interventions, in the
/// caller's transaction, through statements prepared once.
class Seeder {
 public:
  static absl::StatusOr<Seeder> create(store::Connection& c);
  absl::Status insert(const SeedSituation& s);

 private:
  Seeder() = default;
  absl::Status code(const char* kind, bool at_closure, const std::string& situation,
                    const std::string& value);
  std::vector<store::Statement>
      statements_;  // situation, codes, closure codes, agency, intervention
};

/// One situation (a Seeder of its own).
absl::Status insert_seed_situation(store::Connection& c, const SeedSituation& s);

/// A meeting of the table starting at `start_us`, with these (user, agency)
/// reps checked in.
absl::Status insert_seed_meeting(store::Connection& c, const std::string& id, std::int64_t table_id,
                                 std::int64_t start_us, std::int64_t opened_by,
                                 const std::vector<std::pair<std::int64_t, std::int64_t>>& reps);

/// The id of a table, agency or user by its code or username (0: none).
std::int64_t id_of(store::Connection& c, const std::string& table, const std::string& key);

}  // namespace hubtable::testing
