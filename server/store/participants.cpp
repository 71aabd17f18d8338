#include "store/participants.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "store/situation_state.h"

namespace hubtable::store {

namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : text) {
    if (ch == sep) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(ch);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

absl::StatusOr<std::vector<Participant>> list_participants(Connection& c,
                                                           const std::string& situation_id) {
  auto q = c.prepare(
      "SELECT p.agency_id, a.code, a.sector, p.role, p.joined_us FROM situation_agencies p "
      "JOIN agencies a ON a.id = p.agency_id WHERE p.situation_id = ?1 "
      "ORDER BY p.joined_us, a.code");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id);
  std::vector<Participant> out;
  auto st = q->for_each_row([&](const Statement& r) {
    out.push_back({r.integer(0), r.text(1), r.text(2), r.text(3), r.integer(4)});
  });
  if (!st.ok()) return st;
  return out;
}

absl::Status add_participant(Connection& c, const std::string& situation_id, std::int64_t agency_id,
                             std::int64_t user_id, std::int64_t now_us, const char* role) {
  return run_statement(
      c,
      "INSERT INTO situation_agencies (situation_id, agency_id, joined_us, joined_by, role) "
      "VALUES (?1, ?2, ?3, ?4, ?5)",
      [&](Statement& q) {
        q.bind(1, situation_id).bind(2, agency_id).bind(3, now_us).bind(4, user_id).bind(5, role);
      });
}

absl::Status set_participant_role(Connection& c, const std::string& situation_id,
                                  std::int64_t agency_id, const char* role) {
  return run_statement(
      c,
      "UPDATE situation_agencies SET role = ?3 WHERE situation_id = ?1 AND agency_id = ?2 "
      "AND role <> 'LEAD'",
      [&](Statement& q) { q.bind(1, situation_id).bind(2, agency_id).bind(3, role); });
}

absl::StatusOr<std::optional<AgencyStanding>> agency_standing(Connection& c,
                                                              const std::string& agency,
                                                              std::int64_t table_id) {
  auto q = c.prepare(
      "SELECT a.id, COALESCE(a.isa_signed_on, ''), COALESCE(a.isa_expires_on, ''), "
      "EXISTS (SELECT 1 FROM users u JOIN role_grants g ON g.user_id = u.id "
      "        WHERE u.agency_id = a.id AND u.disabled_us IS NULL AND g.role = 'REP' "
      "        AND g.table_id = ?2) "
      "FROM agencies a WHERE a.code = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, agency).bind(2, table_id);
  auto found = q->step();
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<AgencyStanding>();
  return std::optional<AgencyStanding>(
      AgencyStanding{q->integer(0), q->text(1), q->text(2), q->integer(3) != 0});
}

absl::Status assign_lead(Connection& c, const std::string& situation_id, std::int64_t lead_id,
                         const std::vector<std::int64_t>& assisting_ids, std::int64_t user_id,
                         std::int64_t now_us, std::int64_t ack_due_us) {
  if (auto st =
          run_statement(c, "UPDATE situation_agencies SET role = 'JOINED' WHERE situation_id = ?1",
                        [&](Statement& q) { q.bind(1, situation_id); });
      !st.ok()) {
    return st;
  }
  auto set_role = [&](std::int64_t agency, const char* role) {
    return run_statement(
        c, "UPDATE situation_agencies SET role = ?3 WHERE situation_id = ?1 AND agency_id = ?2",
        [&](Statement& q) { q.bind(1, situation_id).bind(2, agency).bind(3, role); });
  };
  if (auto st = set_role(lead_id, "LEAD"); !st.ok()) return st;
  for (auto id : assisting_ids) {
    if (auto st = set_role(id, "ASSISTING"); !st.ok()) return st;
  }
  return run_statement(
      c,
      "UPDATE situations SET lead_agency_id = ?2, assigned_us = ?3, assigned_by = ?4, "
      "ack_due_us = ?5, acked_us = NULL, acked_by = NULL WHERE id = ?1",
      [&](Statement& q) {
        q.bind(1, situation_id)
            .bind(2, lead_id)
            .bind(3, now_us)
            .bind(4, user_id)
            .bind(5, ack_due_us);
      });
}

absl::Status acknowledge_lead(Connection& c, const std::string& situation_id, std::int64_t user_id,
                              std::int64_t now_us) {
  return run_statement(
      c, "UPDATE situations SET acked_us = ?2, acked_by = ?3 WHERE id = ?1",
      [&](Statement& q) { q.bind(1, situation_id).bind(2, now_us).bind(3, user_id); });
}

absl::StatusOr<std::vector<std::pair<std::int64_t, int>>> open_lead_counts(Connection& c,
                                                                           std::int64_t table_id) {
  auto q = c.prepare(
      "SELECT lead_agency_id, count(*) FROM situations WHERE table_id = ?1 AND state = ?21 "
      "AND lead_agency_id IS NOT NULL GROUP BY lead_agency_id");
  if (!q.ok()) return q.status();
  q->bind(1, table_id);
  bind_state(*q, 21, domain::SituationState::kAccepted);
  std::vector<std::pair<std::int64_t, int>> out;
  auto st = q->for_each_row(
      [&](const Statement& r) { out.emplace_back(r.integer(0), static_cast<int>(r.integer(1))); });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<std::string>> sector_categories(Connection& c,
                                                           const std::string& sector) {
  auto q = c.prepare(
      "SELECT details FROM vocabulary WHERE kind = 'sector' AND code = ?1 AND table_id IS NULL");
  if (!q.ok()) return q.status();
  q->bind(1, sector);
  auto row = q->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::vector<std::string>();
  constexpr std::string_view kKey = "typical_risk_categories=";
  for (const auto& line : split(q->text(0), '\n')) {
    if (line.rfind(kKey, 0) == 0) return split(line.substr(kKey.size()), ';');
  }
  return std::vector<std::string>();
}

absl::StatusOr<std::vector<std::string>> risk_categories(Connection& c,
                                                         const std::vector<std::string>& factors,
                                                         const std::string& table_code) {
  std::set<std::string> out;
  for (const auto& f : factors) {
    auto q = c.prepare(
        "SELECT v.parent FROM vocabulary v LEFT JOIN situation_tables t ON t.id = v.table_id "
        "WHERE v.kind = 'risk_factor' AND v.code = ?1 AND (v.table_id IS NULL OR t.code = ?2)");
    if (!q.ok()) return q.status();
    q->bind(1, f).bind(2, table_code);
    auto st = q->for_each_row([&](const Statement& r) {
      if (!r.text(0).empty()) out.insert(r.text(0));
    });
    if (!st.ok()) return st;
  }
  return std::vector<std::string>(out.begin(), out.end());
}

}  // namespace hubtable::store
