#include "audit/checkpointer.h"

#include "audit/audit_writer.h"
#include "audit/log_store.h"
#include "config/crash_point.h"
#include "config/key_file.h"
#include "store/transaction.h"

namespace hubtable::audit {

namespace {

// Whether at least `min_unsigned` (at least 1) events follow the last
// checkpoint; `*signed_size` is the size that checkpoint covers.
absl::StatusOr<bool> checkpoint_due(store::Connection& c, std::uint64_t min_unsigned,
                                    std::uint64_t& signed_size) {
  auto size = tree_size(c);
  if (!size.ok()) return size.status();
  auto last = latest_checkpoint(c);
  if (!last.ok()) return last.status();
  signed_size = *last ? (*last)->checkpoint.tree_size : 0;
  return *size >= signed_size + std::max<std::uint64_t>(min_unsigned, 1);
}

}  // namespace

std::string log_origin(const std::string& server_name) { return "hubtable/" + server_name; }

absl::StatusOr<Checkpointer> Checkpointer::load(const std::string& key_file, std::string origin) {
  auto pem = config::load_pem_key_file(key_file);
  if (!pem.ok()) return pem.status();
  auto signer = crypto::CheckpointSigner::from_private_pem(
      std::string(reinterpret_cast<const char*>(pem->data()), pem->size()));
  if (!signer.ok()) {
    return absl::FailedPreconditionError("audit signing key " + key_file + ": " +
                                         std::string(signer.status().message()));
  }
  return Checkpointer(std::move(*signer), std::move(origin));
}

absl::StatusOr<std::optional<crypto::SignedCheckpoint>> Checkpointer::checkpoint(
    store::Database& db, std::int64_t now_us, std::uint64_t min_unsigned,
    std::uint64_t* signed_size) const {
  if (!signer_) return absl::FailedPreconditionError("audit: no signing key loaded");
  std::uint64_t found = 0;
  if (signed_size == nullptr) signed_size = &found;
  // A cheap look on a reader first, without the write lock: most calls (one
  // after every request) find nothing due.
  auto due =
      db.read([&](store::Connection& c) { return checkpoint_due(c, min_unsigned, *signed_size); });
  if (!due.ok()) return due.status();
  if (!*due) return std::nullopt;
  return db.write(
      [&](store::Connection& c) -> absl::StatusOr<std::optional<crypto::SignedCheckpoint>> {
        store::Transaction tx(c, store::Transaction::Kind::kWrite);
        if (!tx.status().ok()) return tx.status();
        // Another writer may have signed meanwhile.
        auto still_due = checkpoint_due(c, min_unsigned, *signed_size);
        if (!still_due.ok()) return still_due.status();
        if (!*still_due) return std::nullopt;

        hubtable::v1::AuditEvent e;
        e.set_time_us(now_us);
        e.set_action("audit.checkpoint");
        e.set_outcome(hubtable::v1::AUDIT_OK);
        e.set_rule("audit.checkpoint_due");
        auto seq = append(c, std::move(e));
        if (!seq.ok()) return seq.status();
        auto root = stored_root(c, *seq);
        if (!root.ok()) return root.status();
        auto cp = signer_->sign(crypto::Checkpoint{origin_, *seq, *root, now_us, {}});
        if (!cp.ok()) return cp.status();
        if (auto s = store_checkpoint(c, *cp); !s.ok()) return s;
        config::crash_point("audit.checkpoint");  // the crash harness kills here
        if (auto s = tx.commit(); !s.ok()) return s;
        *signed_size = *seq;
        return std::optional<crypto::SignedCheckpoint>(std::move(*cp));
      });
}

absl::StatusOr<crypto::SignedCheckpoint> Checkpointer::rotate(store::Database& db,
                                                              const Checkpointer& next,
                                                              std::int64_t now_us) const {
  if (!signer_ || !next.signer_) return absl::FailedPreconditionError("audit: no signing key");
  return db.write([&](store::Connection& c) -> absl::StatusOr<crypto::SignedCheckpoint> {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    if (auto s = check_current(c, "the audit signing key"); !s.ok()) return s;
    hubtable::v1::AuditEvent e = server_event(now_us, "audit.key_rotated", "ops.rekey");
    e.mutable_actor()->set_role(hubtable::v1::ADMIN);
    e.set_purpose("key rotation");
    e.set_target("audit signing key " + signer_->verifier().fingerprint() + " -> " +
                 next.signer_->verifier().fingerprint());
    auto seq = append(c, std::move(e));
    if (!seq.ok()) return seq.status();
    auto root = stored_root(c, *seq);
    if (!root.ok()) return root.status();
    auto cp =
        signer_->sign_rotation(crypto::Checkpoint{origin_, *seq, *root, now_us, {}}, *next.signer_);
    if (!cp.ok()) return cp.status();
    if (auto s = store_checkpoint(c, *cp); !s.ok()) return s;
    if (auto s = tx.commit(); !s.ok()) return s;
    return std::move(*cp);
  });
}

absl::Status Checkpointer::check_current(store::Connection& c, const std::string& key_file) const {
  if (!signer_) return absl::FailedPreconditionError("audit: no signing key loaded");
  // The key the last rotation handed the log to; before any rotation, the
  // key of the first checkpoint. (Not the latest checkpoint's: a checkpoint
  // a retired key signed later must not make that key current again.)
  auto rotation = last_key_rotation(c);
  if (!rotation.ok()) return rotation.status();
  auto first = *rotation ? std::move(rotation) : earliest_checkpoint(c);
  if (!first.ok()) return first.status();
  if (!*first) return absl::OkStatus();
  const crypto::SignedCheckpoint& cp = **first;
  const bool current = cp.checkpoint.rotation
                           ? cp.checkpoint.rotation->next_key == signer_->public_key()
                           : signer_->verifier().verify(cp);
  if (current) return absl::OkStatus();
  return absl::FailedPreconditionError(
      key_file + " (audit key " + signer_->verifier().fingerprint() +
      ") is not the key that signs this audit log (a key retired by an audit-key rotation, or "
      "another deployment's)");
}

}  // namespace hubtable::audit
