// `hubtabled rekey --audit-signing-key` (ops/rekey.h).

#include "audit/verify.h"
#include "config/crash_point.h"
#include "config/key_file.h"
#include "config/private_files.h"
#include "crypto/pki.h"
#include "ops/rekey.h"
#include "provision/provisioner.h"
#include "provision/rekey_files.h"

namespace hubtable::ops {

namespace fs = std::filesystem;

namespace {

// The deployment's log verified from `key` (a public PEM).
absl::Status verify_from(provision::Deployment& d, const crypto::CheckpointVerifier& key,
                         const std::string& which) {
  auto verified = d.db->read([&](store::Connection& c) {
    return audit::verify_stored_log(c, key, std::nullopt, audit::kReadAhead);
  });
  if (!verified.ok()) return verified.status();
  if (const auto& p = verified->problem()) {
    return absl::DataLossError("after the rotation the audit log does not verify from the " +
                               which + " key: " + p->what);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AuditRekeyResult> rekey_audit_key(const fs::path& config_path,
                                                 const domain::Clock& clock) {
  auto owned = provision::take_deployment(config_path);
  if (!owned.ok()) return owned.status();
  const config::ServerConfig* cfg = &owned->config;
  const provision::AuditKeyFiles f = provision::audit_key_files(*cfg);
  AuditRekeyResult r;
  crypto::CheckpointVerifier old_key;
  {
    auto d = provision::open_deployment(config_path);
    if (!d.ok()) return d.status();
    // An earlier rotation killed part way is finished (or undone) first.
    if (auto s = provision::finish_audit_key_rotation(*cfg, *d->db); !s.ok()) return s;
    auto pem = crypto::generate_ed25519_key_pem();
    if (!pem.ok()) return pem.status();
    if (auto s = config::write_secret_file(f.key_next, crypto::as_bytes(*pem)); !s.ok()) return s;
    if (auto s = config::sync_directory(f.key_next.parent_path()); !s.ok()) return s;
    config::crash_point("audit_rekey.key_written");
    auto next = audit::Checkpointer::load(f.key_next.string(), d->checkpointer.origin());
    if (!next.ok()) return next.status();
    auto rotation = d->checkpointer.rotate(*d->db, *next, clock.now_us());
    if (!rotation.ok()) return rotation.status();
    config::crash_point("audit_rekey.committed");
    old_key = d->checkpointer.signer()->verifier();
    r.old_key = old_key.fingerprint();
    r.new_key = next->signer()->verifier().fingerprint();
    r.tree_size = rotation->checkpoint.tree_size;
    if (auto s = provision::finish_audit_key_rotation(*cfg, *d->db); !s.ok()) return s;
    config::crash_point("audit_rekey.moved");
  }
  // Proven: the deployment opens with the new key, and its log verifies from
  // the new key and from the old.
  auto d = provision::open_deployment(config_path);
  if (!d.ok()) return d.status();
  if (auto s = verify_from(*d, d->checkpointer.signer()->verifier(), "new"); !s.ok()) return s;
  if (auto s = verify_from(*d, old_key, "old"); !s.ok()) return s;
  return r;
}

}  // namespace hubtable::ops
