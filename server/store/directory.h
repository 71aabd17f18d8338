#pragma once
// Repository for the deployment's directory: metadata, agencies, tables and
// their schedules, and user accounts with their role grants. Used by
// `hubtabled init` and `apply`. Runs inside the caller's transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/connection.h"

namespace hubtable::store {

absl::StatusOr<std::optional<std::string>> get_meta(Connection& c, const std::string& key);
absl::Status set_meta(Connection& c, const std::string& key, const std::string& value);

struct AgencyRow {
  std::string code;
  std::string name;
  std::string sector;
  std::string isa_signed_on;   // ISO date or empty
  std::string isa_expires_on;  // ISO date or empty
  // Whether the dates above are stated. When they are not, an existing
  // agency keeps the dates it has (recorded by an earlier apply or by
  // `admin governance`), and a new one starts without.
  bool isa_stated = false;
};

struct ScheduleRow {
  int weekday = 2;  // ISO 1 = Monday
  int start_minute = 600;
  int duration_minutes = 90;
};

struct TableRow {
  std::string code;
  std::string name;
  std::string time_zone;
  std::vector<ScheduleRow> schedule;
  std::vector<std::string> agencies;  // agency codes
  int ack_hours = 4;                  // lead acknowledges within
  int intervention_hours = 48;        // intervention within, after acceptance
  int retention_days = 30;            // identifiers shredded after closure (0: at closure)
};

struct GrantRow {
  std::string role;
  std::string table_code;  // empty for ADMIN
};

struct UserRow {
  std::string username;
  std::string display_name;
  std::string agency_code;  // empty for none
  bool totp_required = false;
  std::string confidentiality_signed_on;
  bool confidentiality_stated = false;  // unstated: an existing account keeps its date
  bool disabled = false;
  std::vector<GrantRow> roles;
};

enum class Upsert { kCreated, kUpdated, kUnchanged };

absl::StatusOr<Upsert> upsert_agency(Connection& c, const AgencyRow& a, std::int64_t now_us);
absl::StatusOr<Upsert> upsert_table(Connection& c, const TableRow& t, std::int64_t now_us);

absl::StatusOr<std::optional<std::int64_t>> find_user_id(Connection& c,
                                                         const std::string& username);
/// Creates the account with a one-time password (and a sealed TOTP secret when
/// enrolled). Returns the new id.
absl::StatusOr<std::int64_t> create_user(Connection& c, const UserRow& u,
                                         const std::string& password_hash,
                                         std::int64_t password_expires_us,
                                         const crypto::Bytes& totp_secret_sealed,
                                         std::int64_t now_us);
/// Applies profile fields and role grants to an existing account. Reports
/// whether anything changed and whether the account went from enabled to disabled.
struct UserUpdate {
  Upsert result = Upsert::kUnchanged;
  bool newly_disabled = false;
};
absl::StatusOr<UserUpdate> update_user(Connection& c, std::int64_t id, const UserRow& u,
                                       std::int64_t now_us);
absl::Status set_totp_secret(Connection& c, std::int64_t user_id, const crypto::Bytes& sealed);

}  // namespace hubtable::store
