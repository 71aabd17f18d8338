#include "store/accounts.h"

#include <set>

namespace hubtable::store {

namespace {
constexpr const char* kUserColumns =
    "SELECT u.id, u.username, u.display_name, u.agency_id, COALESCE(a.code, ''), "
    "COALESCE(a.name, ''), u.password_hash, u.password_is_one_time, u.password_expires_us, "
    "u.totp_required, u.totp_secret_sealed, u.totp_last_step, u.disabled_us "
    "FROM users u LEFT JOIN agencies a ON a.id = u.agency_id ";

UserRecord read_user(const Statement& s) {
  UserRecord u;
  u.id = s.integer(0);
  u.username = s.text(1);
  u.display_name = s.text(2);
  u.agency_id = s.optional_integer(3);
  u.agency_code = s.text(4);
  u.agency_name = s.text(5);
  u.password_hash = s.text(6);
  u.password_one_time = s.integer(7) != 0;
  u.password_expires_us = s.optional_integer(8);
  u.totp_required = s.integer(9) != 0;
  u.totp_secret_sealed = s.blob(10);
  u.totp_last_step = s.integer(11);
  u.disabled_us = s.optional_integer(12);
  return u;
}

absl::StatusOr<std::optional<UserRecord>> one_user(Statement& s) {
  auto row = s.step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<UserRecord>();
  return std::optional<UserRecord>(read_user(s));
}

absl::StatusOr<int> count(Statement& s) {
  auto row = s.step();
  if (!row.ok()) return row.status();
  return static_cast<int>(s.integer(0));
}

absl::StatusOr<int> run_counting_changes(Connection& c, Statement& s) {
  if (auto st = s.run(); !st.ok()) return st;
  return c.changes();
}
}  // namespace

absl::StatusOr<std::optional<UserRecord>> find_user_by_username(Connection& c,
                                                                const std::string& username) {
  auto s = c.prepare(std::string(kUserColumns) + "WHERE u.username = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, username);
  return one_user(*s);
}

absl::StatusOr<std::optional<UserRecord>> find_user_by_id(Connection& c, std::int64_t id) {
  auto s = c.prepare(std::string(kUserColumns) + "WHERE u.id = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, id);
  return one_user(*s);
}

absl::StatusOr<std::vector<RoleGrantRecord>> roles_for_user(Connection& c, std::int64_t user_id) {
  auto s = c.prepare(
      "SELECT g.role, COALESCE(t.code, ''), COALESCE(t.name, ''), COALESCE(t.time_zone, '') "
      "FROM role_grants g "
      "LEFT JOIN situation_tables t ON t.id = g.table_id WHERE g.user_id = ?1 "
      "ORDER BY t.code, g.role");
  if (!s.ok()) return s.status();
  s->bind(1, user_id);
  std::vector<RoleGrantRecord> out;
  auto st = s->for_each_row([&](const Statement& r) {
    out.push_back({r.text(0), r.text(1), r.text(2), r.text(3)});
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::string> shown_time_zone(Connection& c,
                                            const std::vector<RoleGrantRecord>& roles) {
  std::set<std::string> zones;
  for (const auto& g : roles) {
    if (!g.time_zone.empty()) zones.insert(g.time_zone);
  }
  if (zones.empty()) {
    auto s = c.prepare("SELECT DISTINCT time_zone FROM situation_tables LIMIT 2");
    if (!s.ok()) return s.status();
    auto st = s->for_each_row([&](const Statement& r) { zones.insert(r.text(0)); });
    if (!st.ok()) return st;
  }
  return zones.size() == 1 ? *zones.begin() : std::string();
}

absl::StatusOr<std::optional<CertificateRecord>> find_certificate(Connection& c,
                                                                  const std::string& thumbprint) {
  auto s = c.prepare(
      "SELECT thumbprint, user_id, expires_us, revoked_us FROM certificates WHERE thumbprint = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, thumbprint);
  auto row = s->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<CertificateRecord>();
  return std::optional<CertificateRecord>(
      CertificateRecord{s->text(0), s->integer(1), s->integer(2), s->optional_integer(3)});
}

absl::Status add_certificate(Connection& c, const std::string& thumbprint, std::int64_t user_id,
                             std::int64_t issued_us, std::int64_t expires_us) {
  auto s = c.prepare(
      "INSERT INTO certificates (thumbprint, user_id, issued_us, expires_us) VALUES (?1,?2,?3,?4)");
  if (!s.ok()) return s.status();
  s->bind(1, thumbprint).bind(2, user_id).bind(3, issued_us).bind(4, expires_us);
  return s->run();
}

absl::StatusOr<bool> has_live_certificate(Connection& c, std::int64_t user_id,
                                          std::int64_t now_us) {
  auto s = c.prepare(
      "SELECT 1 FROM certificates WHERE user_id = ?1 AND revoked_us IS NULL AND expires_us > ?2 "
      "LIMIT 1");
  if (!s.ok()) return s.status();
  s->bind(1, user_id).bind(2, now_us);
  return s->step();
}

absl::StatusOr<int> revoke_certificates(Connection& c, std::int64_t user_id, std::int64_t now_us) {
  auto s = c.prepare(
      "UPDATE certificates SET revoked_us = ?2 WHERE user_id = ?1 AND revoked_us IS NULL");
  if (!s.ok()) return s.status();
  s->bind(1, user_id).bind(2, now_us);
  return run_counting_changes(c, *s);
}

absl::Status record_login_failure(Connection& c, std::optional<std::int64_t> user_id,
                                  const std::string& address, std::int64_t now_us) {
  auto s = c.prepare("INSERT INTO login_failures (time_us, user_id, address) VALUES (?1,?2,?3)");
  if (!s.ok()) return s.status();
  s->bind(1, now_us).bind(2, user_id).bind(3, address);
  return s->run();
}

absl::StatusOr<int> count_user_failures(Connection& c, std::int64_t user_id,
                                        std::int64_t since_us) {
  auto s = c.prepare("SELECT count(*) FROM login_failures WHERE user_id = ?1 AND time_us >= ?2");
  if (!s.ok()) return s.status();
  s->bind(1, user_id).bind(2, since_us);
  return count(*s);
}

absl::StatusOr<int> count_address_failures(Connection& c, const std::string& address,
                                           std::int64_t since_us) {
  auto s = c.prepare("SELECT count(*) FROM login_failures WHERE address = ?1 AND time_us >= ?2");
  if (!s.ok()) return s.status();
  s->bind(1, address).bind(2, since_us);
  return count(*s);
}

absl::Status clear_user_failures(Connection& c, std::int64_t user_id) {
  auto s = c.prepare("DELETE FROM login_failures WHERE user_id = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, user_id);
  return s->run();
}

absl::Status set_totp_last_step(Connection& c, std::int64_t user_id, std::int64_t step) {
  auto s = c.prepare("UPDATE users SET totp_last_step = ?2 WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, user_id).bind(2, step);
  return s->run();
}

absl::Status set_password(Connection& c, std::int64_t user_id, const std::string& hash,
                          bool one_time, std::optional<std::int64_t> expires_us,
                          std::int64_t now_us) {
  auto s = c.prepare(
      "UPDATE users SET password_hash = ?2, password_is_one_time = ?3, password_expires_us = ?4, "
      "password_changed_us = ?5 WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, user_id).bind(2, hash).bind(3, std::int64_t{one_time ? 1 : 0}).bind(4, expires_us);
  s->bind(5, now_us);
  return s->run();
}

absl::Status create_session(Connection& c, crypto::ByteView token_hash, std::int64_t user_id,
                            const std::string& thumbprint, std::int64_t now_us) {
  auto s = c.prepare(
      "INSERT INTO sessions (token_hash, user_id, thumbprint, created_us, last_seen_us) "
      "VALUES (?1,?2,?3,?4,?4)");
  if (!s.ok()) return s.status();
  s->bind(1, token_hash).bind(2, user_id).bind(3, thumbprint).bind(4, now_us);
  return s->run();
}

absl::StatusOr<std::optional<SessionRecord>> find_session(Connection& c,
                                                          crypto::ByteView token_hash) {
  auto s = c.prepare(
      "SELECT user_id, thumbprint, created_us, last_seen_us, revoked_us FROM sessions "
      "WHERE token_hash = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, token_hash);
  auto row = s->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<SessionRecord>();
  return std::optional<SessionRecord>(SessionRecord{s->integer(0), s->text(1), s->integer(2),
                                                    s->integer(3), s->optional_integer(4)});
}

absl::Status touch_session(Connection& c, crypto::ByteView token_hash, std::int64_t now_us) {
  auto s = c.prepare("UPDATE sessions SET last_seen_us = ?2 WHERE token_hash = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, token_hash).bind(2, now_us);
  return s->run();
}

absl::StatusOr<std::int64_t> principal_version(Connection& c) {
  auto s = c.prepare("SELECT token FROM principal_version");
  if (!s.ok()) return s.status();
  auto row = s->step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::DataLossError("principal_version has no row");
  return s->integer(0);
}

absl::Status revoke_session(Connection& c, crypto::ByteView token_hash, std::int64_t now_us,
                            const std::string& reason) {
  auto s = c.prepare(
      "UPDATE sessions SET revoked_us = ?2, revoked_reason = ?3 "
      "WHERE token_hash = ?1 AND revoked_us IS NULL");
  if (!s.ok()) return s.status();
  s->bind(1, token_hash).bind(2, now_us).bind(3, reason);
  return s->run();
}

absl::StatusOr<int> revoke_user_sessions(Connection& c, std::int64_t user_id, std::int64_t now_us,
                                         const std::string& reason) {
  auto s = c.prepare(
      "UPDATE sessions SET revoked_us = ?2, revoked_reason = ?3 "
      "WHERE user_id = ?1 AND revoked_us IS NULL");
  if (!s.ok()) return s.status();
  s->bind(1, user_id).bind(2, now_us).bind(3, reason);
  return run_counting_changes(c, *s);
}

absl::StatusOr<std::vector<AccountUse>> list_account_use(Connection& c) {
  auto q = c.prepare(
      "SELECT u.id, u.username, COALESCE(a.code, ''), "
      "max(u.password_changed_us, COALESCE((SELECT max(s.last_seen_us) FROM sessions s "
      "WHERE s.user_id = u.id), 0)), u.password_is_one_time, u.password_expires_us, "
      "u.password_expiry_audited, u.disabled_us, COALESCE(u.disabled_reason = 'unused', 0) "
      "FROM users u LEFT JOIN agencies a ON a.id = u.agency_id ORDER BY u.username");
  if (!q.ok()) return q.status();
  std::vector<AccountUse> out;
  auto st = q->for_each_row([&](const Statement& r) {
    AccountUse a;
    a.id = r.integer(0);
    a.username = r.text(1);
    a.agency_code = r.text(2);
    a.last_used_us = r.integer(3);
    a.one_time_password = r.integer(4) != 0;
    a.password_expires_us = r.optional_integer(5);
    a.password_expiry_audited = r.integer(6) != 0;
    a.disabled_us = r.optional_integer(7);
    a.disabled_unused = r.integer(8) != 0;
    out.push_back(std::move(a));
  });
  if (!st.ok()) return st;
  return out;
}

absl::Status disable_unused_account(Connection& c, std::int64_t user_id, std::int64_t now_us) {
  if (auto s = run_statement(c,
                             "UPDATE users SET disabled_us = ?2, disabled_reason = 'unused' "
                             "WHERE id = ?1 AND disabled_us IS NULL",
                             [&](Statement& q) { q.bind(1, user_id).bind(2, now_us); });
      !s.ok()) {
    return s;
  }
  auto ended = revoke_user_sessions(c, user_id, now_us, "account unused");
  return ended.ok() ? absl::OkStatus() : ended.status();
}

absl::StatusOr<bool> enable_unused_account(Connection& c, std::int64_t user_id) {
  if (auto s = run_statement(c,
                             "UPDATE users SET disabled_us = NULL, disabled_reason = NULL "
                             "WHERE id = ?1 AND disabled_reason = 'unused'",
                             [&](Statement& q) { q.bind(1, user_id); });
      !s.ok()) {
    return s;
  }
  return c.changes() > 0;
}

absl::Status mark_password_expiry_audited(Connection& c, std::int64_t user_id) {
  return run_statement(c, "UPDATE users SET password_expiry_audited = 1 WHERE id = ?1",
                       [&](Statement& q) { q.bind(1, user_id); });
}

}  // namespace hubtable::store
