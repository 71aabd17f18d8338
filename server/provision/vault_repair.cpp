#include "provision/vault_repair.h"

#include <spdlog/spdlog.h>

#include <string>

#include "audit/audit_writer.h"
#include "provision/provisioner.h"
#include "store/identity_vault.h"
#include "store/transaction.h"

namespace hubtable::provision {

namespace {

namespace v1 = hubtable::v1;

absl::Status record(store::Connection& c, const domain::Clock& clock, const std::string& action,
                    const std::string& situation, const std::string& target) {
  v1::AuditEvent e = local_event(clock, action, "store.two_file_commit");
  e.set_situation(situation);
  e.set_target(target);
  auto seq = audit::append(c, std::move(e));
  return seq.ok() ? absl::OkStatus() : seq.status();
}

std::string withdrawn(const store::VaultRepair& r) {
  std::string what = r.key_missing ? "the key store lacked the data key: "
                                   : "the key store lacked the blind indexes: ";
  what += "withdrawn " + std::to_string(r.identities) + " identity record, " +
          std::to_string(r.fields) + " sealed fields, " + std::to_string(r.notes) +
          " planning notes, " + std::to_string(r.indexes) + " blind indexes";
  return what;
}

}  // namespace

absl::Status repair_vault_audited(store::Connection& c, const domain::Clock& clock) {
  auto repaired = store::repair_vault(c);
  if (!repaired.ok()) return repaired.status();
  if (!repaired->situations.empty()) {
    spdlog::warn(
        "{} situation(s): a write that was never acknowledged reached the database but "
        "not the key store; withdrawn (see the vault.repaired audit events)",
        repaired->situations.size());
  }
  for (const auto& r : repaired->situations) {
    if (auto s = record(c, clock, "vault.repaired", r.situation_id, withdrawn(r)); !s.ok()) {
      return s;
    }
  }
  if (repaired->orphan_rows > 0) {
    const std::string target =
        std::to_string(repaired->orphan_rows) + " key-store rows of purged or withdrawn situations";
    spdlog::warn("dropped {}", target);
    if (auto s = record(c, clock, "vault.orphans_dropped", "", target); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status repair_vault_now(store::Connection& c) {
  store::Transaction tx(c, store::Transaction::Kind::kWrite);
  if (!tx.status().ok()) return tx.status();
  domain::SystemClock clock;
  if (auto s = repair_vault_audited(c, clock); !s.ok()) return s;
  return tx.commit();
}

}  // namespace hubtable::provision
