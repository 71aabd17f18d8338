#pragma once
// Repository for accounts, device certificates, sessions and login throttling.
// Every function runs inside the caller's transaction on the given connection.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/bytes.h"
#include "store/connection.h"

namespace hubtable::store {

struct UserRecord {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::optional<std::int64_t> agency_id;
  std::string agency_code;
  std::string agency_name;
  std::string password_hash;
  bool password_one_time = false;
  std::optional<std::int64_t> password_expires_us;
  bool totp_required = false;
  crypto::Bytes totp_secret_sealed;  // empty when no TOTP secret is enrolled
  std::int64_t totp_last_step = -1;
  std::optional<std::int64_t> disabled_us;
};

/// How an account is used, for the clock that disables unused ones and the
/// administrator's list (`hubtabled accounts`).
struct AccountUse {
  std::int64_t id = 0;
  std::string username;
  std::string agency_code;  // empty for accounts of no agency
  /// The last request of any of its sessions, else when its password was
  /// last (re)issued or changed.
  std::int64_t last_used_us = 0;
  bool one_time_password = false;  // never logged in since issued
  std::optional<std::int64_t> password_expires_us;
  bool password_expiry_audited = false;
  std::optional<std::int64_t> disabled_us;
  bool disabled_unused = false;  // disabled by the clock, not the deployment file
};

/// Every account, by username.
absl::StatusOr<std::vector<AccountUse>> list_account_use(Connection& c);
/// Disables an enabled account for non-use and ends its sessions.
absl::Status disable_unused_account(Connection& c, std::int64_t user_id, std::int64_t now_us);
/// Re-enables an account the clock disabled; false when it was not.
absl::StatusOr<bool> enable_unused_account(Connection& c, std::int64_t user_id);
/// Records that the expiry of the account's one-time password was audited.
absl::Status mark_password_expiry_audited(Connection& c, std::int64_t user_id);

struct RoleGrantRecord {
  std::string role;        // REP, CHAIR, PRIVACY_OFFICER, GUEST, ADMIN
  std::string table_code;  // empty for ADMIN
  std::string table_name;
  std::string time_zone;  // the table's IANA zone; empty for ADMIN
};

struct CertificateRecord {
  std::string thumbprint;
  std::int64_t user_id = 0;
  std::int64_t expires_us = 0;
  std::optional<std::int64_t> revoked_us;
};

struct SessionRecord {
  std::int64_t user_id = 0;
  std::string thumbprint;
  std::int64_t created_us = 0;
  std::int64_t last_seen_us = 0;
  std::optional<std::int64_t> revoked_us;
};

absl::StatusOr<std::optional<UserRecord>> find_user_by_username(Connection& c,
                                                                const std::string& username);
absl::StatusOr<std::optional<UserRecord>> find_user_by_id(Connection& c, std::int64_t id);
absl::StatusOr<std::vector<RoleGrantRecord>> roles_for_user(Connection& c, std::int64_t user_id);
/// The zone a person's times are shown and entered in: the one zone of the
/// tables in `roles` (of every table, when `roles` names none); empty when
/// those tables are in different zones.
absl::StatusOr<std::string> shown_time_zone(Connection& c,
                                            const std::vector<RoleGrantRecord>& roles);

absl::StatusOr<std::optional<CertificateRecord>> find_certificate(Connection& c,
                                                                  const std::string& thumbprint);
absl::Status add_certificate(Connection& c, const std::string& thumbprint, std::int64_t user_id,
                             std::int64_t issued_us, std::int64_t expires_us);
/// Whether the user holds a certificate neither revoked nor expired at `now_us`.
absl::StatusOr<bool> has_live_certificate(Connection& c, std::int64_t user_id, std::int64_t now_us);
/// Revokes every live certificate of the user; returns how many.
absl::StatusOr<int> revoke_certificates(Connection& c, std::int64_t user_id, std::int64_t now_us);

absl::Status record_login_failure(Connection& c, std::optional<std::int64_t> user_id,
                                  const std::string& address, std::int64_t now_us);
absl::StatusOr<int> count_user_failures(Connection& c, std::int64_t user_id, std::int64_t since_us);
absl::StatusOr<int> count_address_failures(Connection& c, const std::string& address,
                                           std::int64_t since_us);
absl::Status clear_user_failures(Connection& c, std::int64_t user_id);

absl::Status set_totp_last_step(Connection& c, std::int64_t user_id, std::int64_t step);
/// Replaces the password; `expires_us` is set only for one-time passwords.
absl::Status set_password(Connection& c, std::int64_t user_id, const std::string& hash,
                          bool one_time, std::optional<std::int64_t> expires_us,
                          std::int64_t now_us);

absl::Status create_session(Connection& c, crypto::ByteView token_hash, std::int64_t user_id,
                            const std::string& thumbprint, std::int64_t now_us);
absl::StatusOr<std::optional<SessionRecord>> find_session(Connection& c,
                                                          crypto::ByteView token_hash);
/// Refreshes the session's last use; the only change to a session that
/// leaves principal_version() where it is.
absl::Status touch_session(Connection& c, crypto::ByteView token_hash, std::int64_t now_us);
/// A random token that changes with every change to what a session's check
/// reads (schema 0016): sessions, accounts, roles, certificates, and the
/// agencies' and tables' names. Equal tokens read at two times mean none of
/// it changed between them.
absl::StatusOr<std::int64_t> principal_version(Connection& c);
absl::Status revoke_session(Connection& c, crypto::ByteView token_hash, std::int64_t now_us,
                            const std::string& reason);
/// Revokes every live session of the user; returns how many.
absl::StatusOr<int> revoke_user_sessions(Connection& c, std::int64_t user_id, std::int64_t now_us,
                                         const std::string& reason);

}  // namespace hubtable::store
