#include "store/directory.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace hubtable::store {

namespace {
absl::StatusOr<std::optional<std::int64_t>> lookup_id(Connection& c, const char* sql,
                                                      const std::string& key) {
  auto s = c.prepare(sql);
  if (!s.ok()) return s.status();
  s->bind(1, key);
  auto row = s->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(s->integer(0));
}

// Runs a statement whose only parameter ?1 is an id.
absl::Status exec_for_id(Connection& c, const char* sql, std::int64_t id) {
  auto s = c.prepare(sql);
  if (!s.ok()) return s.status();
  s->bind(1, id);
  return s->run();
}

Statement& bind_optional(Statement& s, int index, const std::string& value) {
  if (value.empty()) return s.bind(index, std::nullopt);
  return s.bind(index, std::string_view(value));
}

absl::StatusOr<bool> replace_grants(Connection& c, std::int64_t user_id,
                                    const std::vector<GrantRow>& roles) {
  std::set<std::tuple<std::string, std::string>> wanted;
  for (const auto& g : roles) wanted.emplace(g.role, g.table_code);
  std::set<std::tuple<std::string, std::string>> existing;
  {
    auto s = c.prepare(
        "SELECT g.role, COALESCE(t.code, '') FROM role_grants g "
        "LEFT JOIN situation_tables t ON t.id = g.table_id WHERE g.user_id = ?1");
    if (!s.ok()) return s.status();
    s->bind(1, user_id);
    if (auto st =
            s->for_each_row([&](const Statement& r) { existing.emplace(r.text(0), r.text(1)); });
        !st.ok()) {
      return st;
    }
  }
  if (wanted == existing) return false;
  if (auto st = exec_for_id(c, "DELETE FROM role_grants WHERE user_id = ?1", user_id); !st.ok()) {
    return st;
  }
  for (const auto& [role, table] : wanted) {
    std::optional<std::int64_t> table_id;
    if (!table.empty()) {
      auto id = lookup_id(c, "SELECT id FROM situation_tables WHERE code = ?1", table);
      if (!id.ok()) return id.status();
      if (!*id) return absl::NotFoundError("unknown table '" + table + "' in role grant");
      table_id = *id;
    }
    auto ins = c.prepare("INSERT INTO role_grants (user_id, role, table_id) VALUES (?1,?2,?3)");
    if (!ins.ok()) return ins.status();
    ins->bind(1, user_id).bind(2, role).bind(3, table_id);
    if (auto st = ins->run(); !st.ok()) return st;
  }
  return true;
}

absl::StatusOr<std::optional<std::int64_t>> agency_id(Connection& c, const std::string& code) {
  if (code.empty()) return std::optional<std::int64_t>();
  auto id = lookup_id(c, "SELECT id FROM agencies WHERE code = ?1", code);
  if (!id.ok()) return id.status();
  if (!*id) return absl::NotFoundError("unknown agency '" + code + "'");
  return id;
}
}  // namespace

absl::StatusOr<std::optional<std::string>> get_meta(Connection& c, const std::string& key) {
  auto s = c.prepare("SELECT value FROM meta WHERE key = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, key);
  auto row = s->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(s->text(0));
}

absl::Status set_meta(Connection& c, const std::string& key, const std::string& value) {
  auto s = c.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
  if (!s.ok()) return s.status();
  s->bind(1, key).bind(2, value);
  return s->run();
}

absl::StatusOr<Upsert> upsert_agency(Connection& c, const AgencyRow& a, std::int64_t now_us) {
  auto s = c.prepare(
      "SELECT id, name, sector, COALESCE(isa_signed_on, ''), COALESCE(isa_expires_on, '') "
      "FROM agencies WHERE code = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, a.code);
  auto row = s->step();
  if (!row.ok()) return row.status();
  if (!*row) {
    auto ins = c.prepare(
        "INSERT INTO agencies (code, name, sector, isa_signed_on, isa_expires_on, created_us) "
        "VALUES (?1,?2,?3,?4,?5,?6)");
    if (!ins.ok()) return ins.status();
    ins->bind(1, a.code).bind(2, a.name).bind(3, a.sector);
    bind_optional(*ins, 4, a.isa_signed_on);
    bind_optional(*ins, 5, a.isa_expires_on);
    ins->bind(6, now_us);
    if (auto st = ins->run(); !st.ok()) return st;
    return Upsert::kCreated;
  }
  const bool dates_same =
      !a.isa_stated || (s->text(3) == a.isa_signed_on && s->text(4) == a.isa_expires_on);
  if (s->text(1) == a.name && s->text(2) == a.sector && dates_same) return Upsert::kUnchanged;
  auto up = c.prepare(
      "UPDATE agencies SET name = ?2, sector = ?3, "
      "isa_signed_on = CASE WHEN ?6 THEN ?4 ELSE isa_signed_on END, "
      "isa_expires_on = CASE WHEN ?6 THEN ?5 ELSE isa_expires_on END WHERE code = ?1");
  if (!up.ok()) return up.status();
  up->bind(1, a.code).bind(2, a.name).bind(3, a.sector);
  bind_optional(*up, 4, a.isa_signed_on);
  bind_optional(*up, 5, a.isa_expires_on);
  up->bind(6, std::int64_t{a.isa_stated ? 1 : 0});
  if (auto st = up->run(); !st.ok()) return st;
  return Upsert::kUpdated;
}

// A table, its schedule slots and follow-up rules, compared with what is
// stored and written only where they differ: long because each part is
// compared field by field, and the result says whether anything changed.
absl::StatusOr<Upsert> upsert_table(Connection& c, const TableRow& t, std::int64_t now_us) {
  Upsert result = Upsert::kUnchanged;
  auto id = lookup_id(c, "SELECT id FROM situation_tables WHERE code = ?1", t.code);
  if (!id.ok()) return id.status();
  std::int64_t table_id = 0;
  if (!*id) {
    auto ins = c.prepare(
        "INSERT INTO situation_tables (code, name, time_zone, created_us, ack_hours, "
        "intervention_hours, retention_days) VALUES (?1,?2,?3,?4,?5,?6,?7)");
    if (!ins.ok()) return ins.status();
    ins->bind(1, t.code)
        .bind(2, t.name)
        .bind(3, t.time_zone)
        .bind(4, now_us)
        .bind(5, std::int64_t{t.ack_hours})
        .bind(6, std::int64_t{t.intervention_hours})
        .bind(7, std::int64_t{t.retention_days});
    if (auto st = ins->run(); !st.ok()) return st;
    table_id = c.last_insert_rowid();
    result = Upsert::kCreated;
  } else {
    table_id = **id;
    auto up = c.prepare(
        "UPDATE situation_tables SET name = ?2, time_zone = ?3, ack_hours = ?4, "
        "intervention_hours = ?5, retention_days = ?6 WHERE id = ?1 AND (name <> ?2 OR "
        "time_zone <> ?3 OR ack_hours <> ?4 OR intervention_hours <> ?5 OR retention_days <> ?6)");
    if (!up.ok()) return up.status();
    up->bind(1, table_id)
        .bind(2, t.name)
        .bind(3, t.time_zone)
        .bind(4, std::int64_t{t.ack_hours})
        .bind(5, std::int64_t{t.intervention_hours})
        .bind(6, std::int64_t{t.retention_days});
    if (auto st = up->run(); !st.ok()) return st;
    if (c.changes() > 0) result = Upsert::kUpdated;
  }

  // Schedule: replace when it differs.
  std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> have, want;
  for (const auto& s : t.schedule) want.emplace_back(s.weekday, s.start_minute, s.duration_minutes);
  std::sort(want.begin(), want.end());
  {
    auto s = c.prepare(
        "SELECT weekday, start_minute, duration_minutes FROM table_schedules WHERE table_id = ?1 "
        "ORDER BY weekday, start_minute, duration_minutes");
    if (!s.ok()) return s.status();
    s->bind(1, table_id);
    if (auto st = s->for_each_row([&](const Statement& r) {
          have.emplace_back(r.integer(0), r.integer(1), r.integer(2));
        });
        !st.ok()) {
      return st;
    }
  }
  if (have != want) {
    if (auto st = exec_for_id(c, "DELETE FROM table_schedules WHERE table_id = ?1", table_id);
        !st.ok()) {
      return st;
    }
    for (const auto& [wd, start, dur] : want) {
      auto ins = c.prepare(
          "INSERT INTO table_schedules (table_id, weekday, start_minute, duration_minutes) "
          "VALUES (?1,?2,?3,?4)");
      if (!ins.ok()) return ins.status();
      ins->bind(1, table_id).bind(2, wd).bind(3, start).bind(4, dur);
      if (auto st = ins->run(); !st.ok()) return st;
    }
    if (result == Upsert::kUnchanged) result = Upsert::kUpdated;
  }

  // Member agencies: add the missing ones, remove the ones no longer listed.
  std::set<std::string> want_agencies(t.agencies.begin(), t.agencies.end());
  std::set<std::string> have_agencies;
  {
    auto s = c.prepare(
        "SELECT a.code FROM table_agencies ta JOIN agencies a ON a.id = ta.agency_id "
        "WHERE ta.table_id = ?1");
    if (!s.ok()) return s.status();
    s->bind(1, table_id);
    if (auto st = s->for_each_row([&](const Statement& r) { have_agencies.insert(r.text(0)); });
        !st.ok()) {
      return st;
    }
  }
  if (have_agencies != want_agencies) {
    if (auto st = exec_for_id(c, "DELETE FROM table_agencies WHERE table_id = ?1", table_id);
        !st.ok()) {
      return st;
    }
    for (const auto& code : want_agencies) {
      auto aid = agency_id(c, code);
      if (!aid.ok()) return aid.status();
      auto ins = c.prepare("INSERT INTO table_agencies (table_id, agency_id) VALUES (?1,?2)");
      if (!ins.ok()) return ins.status();
      ins->bind(1, table_id).bind(2, **aid);
      if (auto st = ins->run(); !st.ok()) return st;
    }
    if (result == Upsert::kUnchanged) result = Upsert::kUpdated;
  }
  return result;
}

absl::StatusOr<std::optional<std::int64_t>> find_user_id(Connection& c,
                                                         const std::string& username) {
  return lookup_id(c, "SELECT id FROM users WHERE username = ?1", username);
}

absl::StatusOr<std::int64_t> create_user(Connection& c, const UserRow& u,
                                         const std::string& password_hash,
                                         std::int64_t password_expires_us,
                                         const crypto::Bytes& totp_secret_sealed,
                                         std::int64_t now_us) {
  auto aid = agency_id(c, u.agency_code);
  if (!aid.ok()) return aid.status();
  auto s = c.prepare(
      "INSERT INTO users (username, display_name, agency_id, password_hash, password_is_one_time, "
      "password_expires_us, password_changed_us, totp_required, totp_secret_sealed, "
      "confidentiality_signed_on, disabled_us, created_us) "
      "VALUES (?1,?2,?3,?4,1,?5,?6,?7,?8,?9,?10,?6)");
  if (!s.ok()) return s.status();
  s->bind(1, u.username).bind(2, u.display_name).bind(3, *aid).bind(4, password_hash);
  s->bind(5, password_expires_us).bind(6, now_us).bind(7, std::int64_t{u.totp_required ? 1 : 0});
  if (totp_secret_sealed.empty()) {
    s->bind(8, std::nullopt);
  } else {
    s->bind(8, crypto::ByteView(totp_secret_sealed));
  }
  bind_optional(*s, 9, u.confidentiality_signed_on);
  s->bind(10, u.disabled ? std::optional<std::int64_t>(now_us) : std::nullopt);
  if (auto st = s->run(); !st.ok()) return st;
  const std::int64_t id = c.last_insert_rowid();
  auto grants = replace_grants(c, id, u.roles);
  if (!grants.ok()) return grants.status();
  return id;
}

absl::StatusOr<UserUpdate> update_user(Connection& c, std::int64_t id, const UserRow& u,
                                       std::int64_t now_us) {
  UserUpdate out;
  auto aid = agency_id(c, u.agency_code);
  if (!aid.ok()) return aid.status();
  auto cur = c.prepare("SELECT disabled_us IS NOT NULL FROM users WHERE id = ?1");
  if (!cur.ok()) return cur.status();
  cur->bind(1, id);
  auto row = cur->step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError("user vanished during apply");
  const bool was_disabled = cur->integer(0) != 0;
  out.newly_disabled = u.disabled && !was_disabled;

  // An unstated confidentiality date (?8 = 0) leaves the recorded one.
  auto s = c.prepare(
      "UPDATE users SET display_name = ?2, agency_id = ?3, totp_required = ?4, "
      "confidentiality_signed_on = CASE WHEN ?8 THEN ?5 ELSE confidentiality_signed_on END, "
      // The file disables (and then owns the disabling); it does not
      // re-enable an account the clock disabled for non-use.
      "disabled_us = CASE WHEN ?6 <> 0 THEN COALESCE(disabled_us, ?7) "
      "  WHEN disabled_reason = 'unused' THEN disabled_us ELSE NULL END, "
      "disabled_reason = CASE WHEN ?6 <> 0 THEN NULL ELSE disabled_reason END "
      "WHERE id = ?1 AND (display_name <> ?2 OR agency_id IS NOT ?3 OR totp_required <> ?4 "
      "OR (?8 AND confidentiality_signed_on IS NOT ?5) "
      "OR (?6 <> 0 AND (disabled_us IS NULL OR disabled_reason IS NOT NULL)) "
      "OR (?6 = 0 AND disabled_us IS NOT NULL AND disabled_reason IS NULL))");
  if (!s.ok()) return s.status();
  s->bind(1, id).bind(2, u.display_name).bind(3, *aid);
  s->bind(4, std::int64_t{u.totp_required ? 1 : 0});
  bind_optional(*s, 5, u.confidentiality_signed_on);
  s->bind(6, std::int64_t{u.disabled ? 1 : 0}).bind(7, now_us);
  s->bind(8, std::int64_t{u.confidentiality_stated ? 1 : 0});
  if (auto st = s->run(); !st.ok()) return st;
  if (c.changes() > 0) out.result = Upsert::kUpdated;
  auto grants = replace_grants(c, id, u.roles);
  if (!grants.ok()) return grants.status();
  if (*grants) out.result = Upsert::kUpdated;
  return out;
}

absl::Status set_totp_secret(Connection& c, std::int64_t user_id, const crypto::Bytes& sealed) {
  auto s = c.prepare("UPDATE users SET totp_secret_sealed = ?2, totp_last_step = -1 WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, user_id).bind(2, crypto::ByteView(sealed));
  return s->run();
}

}  // namespace hubtable::store
