#include "store/identity_vault.h"

#include <algorithm>
#include <cstring>
#include <set>

namespace hubtable::store {

std::string person_field(std::size_t person, std::string_view field) {
  return "person/" + std::to_string(person) + "/" + std::string(field);
}

namespace {

crypto::Digest to_digest(const crypto::Bytes& b) {
  crypto::Digest d{};
  if (b.size() == d.size()) std::memcpy(d.data(), b.data(), d.size());
  return d;
}

}  // namespace

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
  if (auto st = run_statement(
          c,
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
    if (auto st = run_statement(c,
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
    if (auto st = run_statement(
            c,
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
  return run_statement(
      c, "INSERT INTO keys.data_keys (situation_id, wrapped, created_us) VALUES (?1, ?2, ?3)",
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

namespace {

// Key-store rows with nothing in the database: a wrapped key of a situation
// purged or gone, a blind index of no live identity. Shared by the count and
// the deletion, so that what is reported is what is dropped.
constexpr const char* kOrphanRows[] = {
    "FROM keys.data_keys WHERE NOT EXISTS (SELECT 1 FROM situations s "
    "WHERE s.id = data_keys.situation_id AND s.purged_us IS NULL)",
    "FROM keys.blind_index WHERE NOT EXISTS (SELECT 1 FROM identities i "
    "WHERE i.situation_id = blind_index.situation_id AND i.purged_us IS NULL)"};

}  // namespace

absl::StatusOr<int> drop_orphan_keys(Connection& c) {
  int dropped = 0;
  for (const char* rows : kOrphanRows) {
    if (auto st = c.exec(std::string("DELETE ") + rows); !st.ok()) return st;
    dropped += c.changes();
  }
  return dropped;
}

namespace {

absl::StatusOr<std::vector<std::string>> situation_ids(Connection& c, std::string_view sql) {
  auto q = c.prepare(sql);
  if (!q.ok()) return q.status();
  std::vector<std::string> out;
  auto st = q->for_each_row([&](const Statement& r) { out.push_back(r.text(0)); });
  if (!st.ok()) return st;
  return out;
}

// Runs `sql` (binding ?1 to the situation) and returns how many rows it changed.
absl::StatusOr<int> remove_rows(Connection& c, std::string_view sql,
                                const std::string& situation_id) {
  auto st = run_statement(c, sql, [&](Statement& q) { q.bind(1, situation_id); });
  if (!st.ok()) return st;
  return c.changes();
}

absl::Status withdraw(Connection& c, VaultRepair& r) {
  struct Part {
    const char* sql;
    int* counter;
    bool wanted;
  };
  const Part parts[] = {
      {"DELETE FROM identities WHERE situation_id = ?1 AND purged_us IS NULL", &r.identities, true},
      {"DELETE FROM sealed_fields WHERE situation_id = ?1", &r.fields, true},
      // Notes are sealed under the data key too: unreadable without it.
      {"DELETE FROM planning_notes WHERE situation_id = ?1", &r.notes, r.key_missing},
      {"DELETE FROM keys.blind_index WHERE situation_id = ?1", &r.indexes, true}};
  for (const Part& p : parts) {
    if (!p.wanted) continue;
    auto n = remove_rows(c, p.sql, r.situation_id);
    if (!n.ok()) return n.status();
    *p.counter = *n;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<VaultDamage> find_vault_damage(Connection& c) {
  VaultDamage d;
  auto without_key = situation_ids(c,
                                   "SELECT situation_id FROM identities WHERE purged_us IS NULL "
                                   "UNION SELECT situation_id FROM sealed_fields "
                                   "UNION SELECT situation_id FROM planning_notes "
                                   "EXCEPT SELECT situation_id FROM keys.data_keys");
  if (!without_key.ok()) return without_key.status();
  d.without_key = std::move(*without_key);
  auto short_of_indexes = situation_ids(
      c,
      "SELECT i.situation_id FROM identities i WHERE i.purged_us IS NULL AND i.people <> "
      "(SELECT count(*) FROM keys.blind_index b WHERE b.situation_id = i.situation_id) "
      "AND EXISTS (SELECT 1 FROM keys.data_keys k WHERE k.situation_id = i.situation_id) "
      "ORDER BY i.situation_id");
  if (!short_of_indexes.ok()) return short_of_indexes.status();
  d.without_indexes = std::move(*short_of_indexes);
  for (const char* rows : kOrphanRows) {
    auto q = c.prepare(std::string("SELECT count(*) ") + rows);
    if (!q.ok()) return q.status();
    auto row = q->step();
    if (!row.ok()) return row.status();
    d.orphan_rows += static_cast<int>(q->integer(0));
  }
  return d;
}

absl::StatusOr<VaultRepairs> repair_vault(Connection& c) {
  auto damage = find_vault_damage(c);
  if (!damage.ok()) return damage.status();
  VaultRepairs out;
  // Nothing to do is the rule: no write (which would touch the key store's
  // journal at every opening) unless something disagrees.
  if (damage->empty()) return out;
  for (const auto* ids : {&damage->without_key, &damage->without_indexes}) {
    for (const auto& id : *ids) {
      VaultRepair r;
      r.situation_id = id;
      r.key_missing = ids == &damage->without_key;
      if (auto st = withdraw(c, r); !st.ok()) return st;
      out.situations.push_back(std::move(r));
    }
  }
  // The withdrawals above took their own blind indexes; what is left is
  // what an interrupted purge left.
  if (damage->orphan_rows > 0) {
    auto dropped = drop_orphan_keys(c);
    if (!dropped.ok()) return dropped.status();
    out.orphan_rows = *dropped;
  }
  return out;
}

absl::StatusOr<PurgeReport> purge_situation(Connection& c, const std::string& situation_id,
                                            std::int64_t now_us) {
  PurgeReport report;
  auto remove = [&](std::string_view sql, int& counter) {
    auto st = run_statement(c, sql, [&](Statement& q) { q.bind(1, situation_id); });
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
    if (auto st =
            run_statement(c, sql, [&](Statement& q) { q.bind(1, situation_id).bind(2, now_us); });
        !st.ok()) {
      return st;
    }
  }
  return report;
}

absl::StatusOr<std::int64_t> insert_break_glass(Connection& c, const BreakGlass& b) {
  auto st = run_statement(c,
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
