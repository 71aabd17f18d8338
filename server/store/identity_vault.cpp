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
