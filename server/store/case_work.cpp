#include "store/case_work.h"

#include <algorithm>
#include <cstring>
#include <set>

namespace hubtable::store {

namespace {

absl::Status run(Connection& c, std::string_view sql, auto&& bind) {
  auto q = c.prepare(sql);
  if (!q.ok()) return q.status();
  bind(*q);
  return q->run();
}

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

crypto::Digest to_digest(const crypto::Bytes& b) {
  crypto::Digest d{};
  if (b.size() == d.size()) std::memcpy(d.data(), b.data(), d.size());
  return d;
}

}  // namespace

absl::StatusOr<Governance> governance_of(Connection& c, std::int64_t user_id) {
  auto q = c.prepare(
      "SELECT COALESCE(a.isa_signed_on, ''), COALESCE(a.isa_expires_on, ''), "
      "COALESCE(u.confidentiality_signed_on, '') FROM users u "
      "LEFT JOIN agencies a ON a.id = u.agency_id WHERE u.id = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, user_id);
  auto row = q->step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError("account not found");
  return Governance{q->text(0), q->text(1), q->text(2)};
}

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
                             std::int64_t user_id, std::int64_t now_us) {
  return run(c,
             "INSERT INTO situation_agencies (situation_id, agency_id, joined_us, joined_by) "
             "VALUES (?1, ?2, ?3, ?4)",
             [&](Statement& q) {
               q.bind(1, situation_id).bind(2, agency_id).bind(3, now_us).bind(4, user_id);
             });
}

absl::Status assign_lead(Connection& c, const std::string& situation_id, std::int64_t lead_id,
                         const std::vector<std::int64_t>& assisting_ids, std::int64_t user_id,
                         std::int64_t now_us, std::int64_t ack_due_us) {
  if (auto st = run(c, "UPDATE situation_agencies SET role = 'JOINED' WHERE situation_id = ?1",
                    [&](Statement& q) { q.bind(1, situation_id); });
      !st.ok()) {
    return st;
  }
  auto set_role = [&](std::int64_t agency, const char* role) {
    return run(c,
               "UPDATE situation_agencies SET role = ?3 WHERE situation_id = ?1 AND agency_id = ?2",
               [&](Statement& q) { q.bind(1, situation_id).bind(2, agency).bind(3, role); });
  };
  if (auto st = set_role(lead_id, "LEAD"); !st.ok()) return st;
  for (auto id : assisting_ids) {
    if (auto st = set_role(id, "ASSISTING"); !st.ok()) return st;
  }
  return run(c,
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
  return run(c, "UPDATE situations SET acked_us = ?2, acked_by = ?3 WHERE id = ?1",
             [&](Statement& q) { q.bind(1, situation_id).bind(2, now_us).bind(3, user_id); });
}

absl::StatusOr<std::vector<std::pair<std::int64_t, int>>> open_lead_counts(Connection& c,
                                                                           std::int64_t table_id) {
  auto q = c.prepare(
      "SELECT lead_agency_id, count(*) FROM situations WHERE table_id = ?1 AND state = 'ACCEPTED' "
      "AND lead_agency_id IS NOT NULL GROUP BY lead_agency_id");
  if (!q.ok()) return q.status();
  q->bind(1, table_id);
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

absl::StatusOr<std::optional<IdentityRecord>> find_identity(Connection& c,
                                                            const std::string& situation_id) {
  auto q = c.prepare(
      "SELECT people, legal_authority, identified_us, identified_by, purged_us FROM identities "
      "WHERE situation_id = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id);
  auto row = q->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<IdentityRecord>();
  return std::optional<IdentityRecord>(IdentityRecord{static_cast<int>(q->integer(0)), q->text(1),
                                                      q->integer(2), q->integer(3),
                                                      q->optional_integer(4)});
}

absl::Status insert_identity(Connection& c, const NewIdentity& n) {
  const auto& r = n.record;
  if (auto st = run(c,
                    "INSERT INTO identities (situation_id, people, legal_authority, identified_us, "
                    "identified_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                    [&](Statement& q) {
                      q.bind(1, n.situation_id)
                          .bind(2, std::int64_t{r.people})
                          .bind(3, r.legal_authority)
                          .bind(4, r.identified_us)
                          .bind(5, r.identified_by);
                    });
      !st.ok()) {
    return st;
  }
  for (const auto& f : n.fields) {
    if (auto st = run(c,
                      "INSERT INTO sealed_fields (situation_id, person, field, sealed) "
                      "VALUES (?1, ?2, ?3, ?4)",
                      [&](Statement& q) {
                        q.bind(1, n.situation_id)
                            .bind(2, std::int64_t{f.person})
                            .bind(3, f.field)
                            .bind(4, crypto::ByteView(f.sealed));
                      });
        !st.ok()) {
      return st;
    }
  }
  for (const auto& d : n.blind_indexes) {
    if (auto st = run(c,
                      "INSERT INTO keys.blind_index (situation_id, table_id, digest, created_us) "
                      "VALUES (?1, ?2, ?3, ?4)",
                      [&](Statement& q) {
                        q.bind(1, n.situation_id)
                            .bind(2, n.table_id)
                            .bind(3, crypto::ByteView(d))
                            .bind(4, r.identified_us);
                      });
        !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<crypto::Bytes>> find_wrapped_key(Connection& c,
                                                              const std::string& situation_id) {
  auto q = c.prepare("SELECT wrapped FROM keys.data_keys WHERE situation_id = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id);
  auto row = q->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<crypto::Bytes>();
  return std::optional<crypto::Bytes>(q->blob(0));
}

absl::Status insert_wrapped_key(Connection& c, const std::string& situation_id,
                                const crypto::Bytes& wrapped, std::int64_t now_us) {
  return run(c,
             "INSERT INTO keys.data_keys (situation_id, wrapped, created_us) VALUES (?1, ?2, ?3)",
             [&](Statement& q) {
               q.bind(1, situation_id).bind(2, crypto::ByteView(wrapped)).bind(3, now_us);
             });
}

absl::StatusOr<std::vector<SealedField>> list_sealed_fields(Connection& c,
                                                            const std::string& situation_id) {
  auto q = c.prepare(
      "SELECT person, field, sealed FROM sealed_fields WHERE situation_id = ?1 "
      "ORDER BY person, field");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id);
  std::vector<SealedField> out;
  auto st = q->for_each_row([&](const Statement& r) {
    out.push_back({static_cast<int>(r.integer(0)), r.text(1), r.blob(2)});
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<std::string>> repeat_matches(Connection& c, std::int64_t table_id,
                                                        const std::vector<crypto::Digest>& digests,
                                                        std::int64_t since_us,
                                                        const std::string& exclude_id) {
  std::set<std::string> out;
  for (const auto& d : digests) {
    auto q = c.prepare(
        "SELECT situation_id FROM keys.blind_index WHERE table_id = ?1 AND digest = ?2 "
        "AND created_us >= ?3 AND situation_id <> ?4");
    if (!q.ok()) return q.status();
    q->bind(1, table_id).bind(2, crypto::ByteView(d)).bind(3, since_us).bind(4, exclude_id);
    auto st = q->for_each_row([&](const Statement& r) { out.insert(r.text(0)); });
    if (!st.ok()) return st;
  }
  return std::vector<std::string>(out.begin(), out.end());
}

absl::StatusOr<std::vector<crypto::Digest>> blind_indexes_of(Connection& c,
                                                             const std::string& situation_id) {
  auto q = c.prepare("SELECT digest FROM keys.blind_index WHERE situation_id = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id);
  std::vector<crypto::Digest> out;
  auto st = q->for_each_row([&](const Statement& r) { out.push_back(to_digest(r.blob(0))); });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::int64_t> insert_planning_note(Connection& c, const std::string& situation_id,
                                                  std::int64_t agency_id, std::int64_t author_id,
                                                  std::int64_t now_us,
                                                  const crypto::Bytes& sealed) {
  auto st = run(c,
                "INSERT INTO planning_notes (situation_id, agency_id, author_id, created_us, "
                "sealed) VALUES (?1, ?2, ?3, ?4, ?5)",
                [&](Statement& q) {
                  q.bind(1, situation_id)
                      .bind(2, agency_id)
                      .bind(3, author_id)
                      .bind(4, now_us)
                      .bind(5, crypto::ByteView(sealed));
                });
  if (!st.ok()) return st;
  return c.last_insert_rowid();
}

absl::StatusOr<std::vector<PlanningNote>> list_planning_notes(Connection& c,
                                                              const std::string& situation_id,
                                                              std::int64_t after_id,
                                                              std::size_t limit) {
  auto q = c.prepare(
      "SELECT n.id, a.code, n.author_id, u.username, n.created_us, n.sealed FROM planning_notes n "
      "JOIN agencies a ON a.id = n.agency_id JOIN users u ON u.id = n.author_id "
      "WHERE n.situation_id = ?1 AND n.id > ?2 ORDER BY n.id LIMIT ?3");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id).bind(2, after_id).bind(3, static_cast<std::int64_t>(limit));
  std::vector<PlanningNote> out;
  auto st = q->for_each_row([&](const Statement& r) {
    out.push_back({r.integer(0), r.text(1), r.integer(2), r.text(3), r.integer(4), r.blob(5)});
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::optional<Intervention>> find_intervention(Connection& c,
                                                              const std::string& situation_id) {
  auto q = c.prepare(
      "SELECT occurred_us, outcome, recorded_us FROM interventions WHERE situation_id = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id);
  auto row = q->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Intervention>();
  Intervention out{q->integer(0), q->text(1), {}, q->integer(2)};
  auto a = c.prepare(
      "SELECT g.code FROM intervention_agencies i JOIN agencies g ON g.id = i.agency_id "
      "WHERE i.situation_id = ?1 ORDER BY g.code");
  if (!a.ok()) return a.status();
  a->bind(1, situation_id);
  auto st = a->for_each_row([&](const Statement& r) { out.agencies.push_back(r.text(0)); });
  if (!st.ok()) return st;
  return std::optional<Intervention>(std::move(out));
}

absl::Status record_intervention(Connection& c, const std::string& situation_id,
                                 std::int64_t occurred_us, const std::string& outcome,
                                 const std::vector<std::int64_t>& agency_ids, std::int64_t user_id,
                                 std::int64_t now_us) {
  if (auto st = run(c,
                    "INSERT INTO interventions (situation_id, occurred_us, outcome, recorded_by, "
                    "recorded_us) VALUES (?1, ?2, ?3, ?4, ?5)",
                    [&](Statement& q) {
                      q.bind(1, situation_id)
                          .bind(2, occurred_us)
                          .bind(3, outcome)
                          .bind(4, user_id)
                          .bind(5, now_us);
                    });
      !st.ok()) {
    return st;
  }
  for (auto id : agency_ids) {
    if (auto st = run(c,
                      "INSERT OR IGNORE INTO intervention_agencies (situation_id, agency_id) "
                      "VALUES (?1, ?2)",
                      [&](Statement& q) { q.bind(1, situation_id).bind(2, id); });
        !st.ok()) {
      return st;
    }
  }
  // Recording the intervention also acknowledges the assignment.
  return run(c,
             "UPDATE situations SET intervened_us = ?2, acked_us = COALESCE(acked_us, ?3), "
             "acked_by = COALESCE(acked_by, ?4) WHERE id = ?1",
             [&](Statement& q) {
               q.bind(1, situation_id).bind(2, occurred_us).bind(3, now_us).bind(4, user_id);
             });
}

absl::Status add_status_update(Connection& c, const std::string& situation_id,
                               std::int64_t agency_id, std::int64_t author_id,
                               const std::string& meeting_id, std::int64_t now_us,
                               const std::string& text) {
  if (auto st = run(c,
                    "INSERT INTO status_updates (situation_id, agency_id, author_id, meeting_id, "
                    "created_us, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    [&](Statement& q) {
                      q.bind(1, situation_id).bind(2, agency_id).bind(3, author_id);
                      if (meeting_id.empty()) {
                        q.bind(4, std::nullopt);
                      } else {
                        q.bind(4, meeting_id);
                      }
                      q.bind(5, now_us).bind(6, text);
                    });
      !st.ok()) {
    return st;
  }
  return run(c, "UPDATE situations SET last_update_us = ?2 WHERE id = ?1",
             [&](Statement& q) { q.bind(1, situation_id).bind(2, now_us); });
}

absl::StatusOr<std::vector<StatusUpdate>> list_status_updates(Connection& c,
                                                              const std::string& situation_id) {
  auto q = c.prepare(
      "SELECT a.code, COALESCE(s.meeting_id, ''), s.created_us, s.text FROM status_updates s "
      "JOIN agencies a ON a.id = s.agency_id WHERE s.situation_id = ?1 ORDER BY s.id");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id);
  std::vector<StatusUpdate> out;
  auto st = q->for_each_row([&](const Statement& r) {
    out.push_back({r.text(0), r.text(1), r.integer(2), r.text(3)});
  });
  if (!st.ok()) return st;
  return out;
}

absl::Status close_situation(Connection& c, const std::string& situation_id, const Closure& closure,
                             std::int64_t user_id, std::int64_t now_us, std::int64_t purge_due_us) {
  if (auto st = run(c,
                    "UPDATE situations SET state = 'CLOSED', closed_us = ?2, closed_by = ?3, "
                    "closure_reason = ?4, purge_due_us = ?5 WHERE id = ?1 AND state = 'ACCEPTED'",
                    [&](Statement& q) {
                      q.bind(1, situation_id)
                          .bind(2, now_us)
                          .bind(3, user_id)
                          .bind(4, closure.reason)
                          .bind(5, purge_due_us);
                    });
      !st.ok()) {
    return st;
  }
  if (c.changes() != 1) return absl::FailedPreconditionError("situation is not open");
  const std::pair<const char*, const std::vector<std::string>*> kinds[] = {
      {"service", &closure.services}, {"protective_factor", &closure.protective_factors}};
  for (const auto& entry : kinds) {
    const char* kind = entry.first;
    for (const auto& code : *entry.second) {
      if (auto st = run(c,
                        "INSERT OR IGNORE INTO closure_codes (situation_id, kind, code) "
                        "VALUES (?1, ?2, ?3)",
                        [&](Statement& q) { q.bind(1, situation_id).bind(2, kind).bind(3, code); });
          !st.ok()) {
        return st;
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Closure> find_closure(Connection& c, const std::string& situation_id) {
  Closure out;
  auto s = c.prepare("SELECT COALESCE(closure_reason, '') FROM situations WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, situation_id);
  auto row = s->step();
  if (!row.ok()) return row.status();
  if (*row) out.reason = s->text(0);
  auto q =
      c.prepare("SELECT kind, code FROM closure_codes WHERE situation_id = ?1 ORDER BY kind, code");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id);
  auto st = q->for_each_row([&](const Statement& r) {
    (r.text(0) == "service" ? out.services : out.protective_factors).push_back(r.text(1));
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<std::string>> open_situation_ids(Connection& c) {
  auto q = c.prepare("SELECT id FROM situations WHERE state = 'ACCEPTED' ORDER BY decided_us, id");
  if (!q.ok()) return q.status();
  std::vector<std::string> out;
  auto st = q->for_each_row([&](const Statement& r) { out.push_back(r.text(0)); });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<bool> set_agency_isa(Connection& c, const std::string& agency,
                                    const std::string& signed_on, const std::string& expires_on) {
  auto st =
      run(c,
          "UPDATE agencies SET isa_signed_on = NULLIF(?2, ''), isa_expires_on = NULLIF(?3, '') "
          "WHERE code = ?1",
          [&](Statement& q) { q.bind(1, agency).bind(2, signed_on).bind(3, expires_on); });
  if (!st.ok()) return st;
  return c.changes() == 1;
}

absl::StatusOr<bool> set_user_confidentiality(Connection& c, const std::string& username,
                                              const std::string& signed_on) {
  auto st =
      run(c, "UPDATE users SET confidentiality_signed_on = NULLIF(?2, '') WHERE username = ?1",
          [&](Statement& q) { q.bind(1, username).bind(2, signed_on); });
  if (!st.ok()) return st;
  return c.changes() == 1;
}

absl::StatusOr<std::vector<std::string>> purge_candidates(Connection& c, std::int64_t now_us) {
  auto q = c.prepare(
      "SELECT id FROM situations WHERE purged_us IS NULL AND purge_due_us IS NOT NULL "
      "AND purge_due_us <= ?1 ORDER BY purge_due_us, id");
  if (!q.ok()) return q.status();
  q->bind(1, now_us);
  std::vector<std::string> out;
  auto st = q->for_each_row([&](const Statement& r) { out.push_back(r.text(0)); });
  if (!st.ok()) return st;
  return out;
}

absl::Status drop_orphan_keys(Connection& c) {
  return c.exec(
      "DELETE FROM keys.data_keys WHERE situation_id NOT IN "
      "(SELECT id FROM situations WHERE purged_us IS NULL);"
      "DELETE FROM keys.blind_index WHERE situation_id NOT IN "
      "(SELECT id FROM situations WHERE purged_us IS NULL);");
}

absl::StatusOr<PurgeReport> purge_situation(Connection& c, const std::string& situation_id,
                                            std::int64_t now_us) {
  PurgeReport report;
  auto remove = [&](std::string_view sql, int& counter) {
    auto st = run(c, sql, [&](Statement& q) { q.bind(1, situation_id); });
    if (st.ok()) counter = c.changes();
    return st;
  };
  for (auto st : {remove("DELETE FROM keys.data_keys WHERE situation_id = ?1", report.keys),
                  remove("DELETE FROM keys.blind_index WHERE situation_id = ?1", report.indexes),
                  remove("DELETE FROM sealed_fields WHERE situation_id = ?1", report.fields),
                  remove("DELETE FROM planning_notes WHERE situation_id = ?1", report.notes)}) {
    if (!st.ok()) return st;
  }
  for (const char* sql : {"UPDATE identities SET purged_us = ?2 WHERE situation_id = ?1",
                          "UPDATE situations SET purged_us = ?2 WHERE id = ?1"}) {
    if (auto st = run(c, sql, [&](Statement& q) { q.bind(1, situation_id).bind(2, now_us); });
        !st.ok()) {
      return st;
    }
  }
  return report;
}

absl::StatusOr<std::int64_t> insert_break_glass(Connection& c, const BreakGlass& b) {
  auto st = run(c,
                "INSERT INTO break_glass (situation_id, user_id, created_us, sealed) "
                "VALUES (?1, ?2, ?3, ?4)",
                [&](Statement& q) {
                  q.bind(1, b.situation_id)
                      .bind(2, b.user_id)
                      .bind(3, b.created_us)
                      .bind(4, crypto::ByteView(b.sealed));
                });
  if (!st.ok()) return st;
  return c.last_insert_rowid();
}

absl::StatusOr<std::optional<BreakGlass>> find_break_glass(Connection& c, std::int64_t id) {
  auto q = c.prepare(
      "SELECT id, situation_id, user_id, created_us, sealed FROM break_glass WHERE id = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, id);
  auto row = q->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<BreakGlass>();
  return std::optional<BreakGlass>(
      BreakGlass{q->integer(0), q->text(1), q->integer(2), q->integer(3), q->blob(4)});
}

std::string break_glass_context(const std::string& situation_id, std::int64_t user_id,
                                std::int64_t created_us) {
  return "break-glass/" + situation_id + "/" + std::to_string(user_id) + "/" +
         std::to_string(created_us);
}

}  // namespace hubtable::store
