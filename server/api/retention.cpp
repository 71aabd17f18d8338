#include "api/retention.h"

#include "audit/audit_writer.h"
#include "store/identity_vault.h"
#include "store/situations.h"
#include "store/transaction.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;

absl::Status purge_in_transaction(store::Connection& c, const std::string& table,
                                  const std::string& situation_id, std::int64_t now_us,
                                  const std::string& rule) {
  auto report = store::purge_situation(c, situation_id, now_us);
  if (!report.ok()) return report.status();
  v1::AuditEvent e = audit::server_event(now_us, "vault.purge", rule);
  e.set_table(table);
  e.set_situation(situation_id);
  e.set_filter_stage(3);
  for (const char* f : {"data_key", "identifiers", "planning_notes", "blind_index"}) {
    e.add_data_elements(f);
  }
  e.set_purpose("retention");
  // Counts only: what was destroyed, never what it held.
  e.set_target(std::to_string(report->keys) + " data key, " + std::to_string(report->fields) +
               " sealed fields, " + std::to_string(report->notes) + " planning notes, " +
               std::to_string(report->indexes) + " blind indexes");
  auto seq = audit::append(c, std::move(e));
  return seq.ok() ? absl::OkStatus() : seq.status();
}

absl::StatusOr<std::vector<std::string>> purge_expired(store::Database& db, std::int64_t now_us,
                                                       bool dry_run) {
  auto due = db.read([&](store::Connection& c) -> absl::StatusOr<std::vector<std::string>> {
    store::Transaction tx(c, store::Transaction::Kind::kRead);
    if (!tx.status().ok()) return tx.status();
    return store::purge_candidates(c, now_us);
  });
  if (!due.ok() || dry_run) return due;
  // A purge interrupted between the database's commit and the key store's
  // leaves key-store rows behind: store::repair_vault drops them at the next
  // opening or write (see provision/vault_repair.h).
  std::vector<std::string> purged;
  for (const auto& id : *due) {
    auto s = db.write([&](store::Connection& c) -> absl::Status {
      store::Transaction tx(c, store::Transaction::Kind::kWrite);
      if (!tx.status().ok()) return tx.status();
      auto situation = store::find_situation(c, id);
      if (!situation.ok()) return situation.status();
      // Purged meanwhile (by another sweep): nothing to do.
      if (!*situation || (*situation)->purged_us) return absl::OkStatus();
      if (auto st =
              purge_in_transaction(c, (*situation)->table_code, id, now_us, "retention.expired");
          !st.ok()) {
        return st;
      }
      purged.push_back(id);
      return tx.commit();
    });
    if (!s.ok()) return s;
  }
  // No older copy of a destroyed key or sealed field stays in the WAL.
  if (!purged.empty()) {
    if (auto s = db.truncate_wal(); !s.ok()) return s;
  }
  return purged;
}

}  // namespace hubtable::api
