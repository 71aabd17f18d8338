#include "ops/rekey.h"

#include <map>

#include "audit/audit_writer.h"
#include "audit/checkpointer.h"
#include "audit/verify.h"
#include "config/crash_point.h"
#include "config/deployment_lock.h"
#include "config/key_file.h"
#include "config/private_files.h"
#include "crypto/hkdf.h"
#include "crypto/totp.h"
#include "crypto/vault.h"
#include "domain/identity.h"
#include "provision/provisioner.h"
#include "provision/rekey_files.h"
#include "store/identity_vault.h"
#include "store/snapshot.h"
#include "store/transaction.h"

namespace hubtable::ops {

namespace fs = std::filesystem;
namespace v1 = hubtable::v1;

namespace {

const char* step_name(provision::RekeyStep s) {
  switch (s) {
    case provision::RekeyStep::kOldSetAside:
      return "rekey.old_set_aside";
    case provision::RekeyStep::kNewInPlace:
      return "rekey.new_in_place";
    case provision::RekeyStep::kKeySwitched:
      return "rekey.key_switched";
  }
  return "";
}

// Everything one master key opens.
struct KeySet {
  provision::FileKeys files;
  crypto::Vault vault;
  crypto::Aes256Gcm totp;
};

absl::StatusOr<KeySet> key_set(const crypto::SecretBytes& master) {
  auto files = provision::derive_file_keys(master);
  if (!files.ok()) return files.status();
  auto vault = crypto::Vault::create(master);
  if (!vault.ok()) return vault.status();
  auto totp_key = crypto::derive_subkey(master, crypto::kTotpKeyLabel);
  if (!totp_key.ok()) return totp_key.status();
  auto totp = crypto::Aes256Gcm::create(totp_key->view());
  if (!totp.ok()) return totp.status();
  return KeySet{std::move(*files), std::move(*vault), std::move(*totp)};
}

// A situation's data key re-wrapped, and its blind indexes recomputed from
// its sealed names and dates of birth (the blind-index key is the master's).
absl::Status rewrap_situation(store::Connection& c, const std::string& id,
                              const crypto::Bytes& wrapped, const KeySet& from, const KeySet& to,
                              crypto::RandomSource& random, RekeyResult& r) {
  auto dek = from.vault.unwrap(wrapped, id);
  if (!dek.ok()) return dek.status();
  auto rewrapped = to.vault.wrap(*dek, id, random);
  if (!rewrapped.ok()) return rewrapped.status();
  if (auto s = store::run_statement(
          c, "UPDATE keys.data_keys SET wrapped = ?2 WHERE situation_id = ?1",
          [&](store::Statement& q) { q.bind(1, id).bind(2, crypto::ByteView(*rewrapped)); });
      !s.ok()) {
    return s;
  }
  ++r.data_keys;
  auto fields = store::list_sealed_fields(c, id);
  if (!fields.ok()) return fields.status();
  std::map<int, domain::Person> people;
  for (const auto& f : *fields) {
    if (f.field != "name" && f.field != "date_of_birth") continue;
    auto plain = crypto::open_field(
        *dek, id, store::person_field(static_cast<std::size_t>(f.person), f.field), f.sealed);
    if (!plain.ok()) return plain.status();
    std::string value(plain->view().begin(), plain->view().end());
    (f.field == "name" ? people[f.person].name : people[f.person].date_of_birth) = value;
    crypto::secure_zero(value.data(), value.size());
  }
  auto rows =
      c.prepare("SELECT rowid FROM keys.blind_index WHERE situation_id = ?1 ORDER BY rowid");
  if (!rows.ok()) return rows.status();
  rows->bind(1, id);
  std::vector<std::int64_t> rowids;
  if (auto s =
          rows->for_each_row([&](const store::Statement& q) { rowids.push_back(q.integer(0)); });
      !s.ok()) {
    return s;
  }
  if (rowids.size() != people.size()) {
    return absl::DataLossError("situation " + id + " has " + std::to_string(rowids.size()) +
                               " blind indexes for " + std::to_string(people.size()) + " people");
  }
  std::size_t i = 0;
  for (const auto& [index, person] : people) {
    const crypto::Digest digest = to.vault.blind_index(domain::identity_key(person));
    if (auto s = store::run_statement(
            c, "UPDATE keys.blind_index SET digest = ?2 WHERE rowid = ?1",
            [&](store::Statement& q) { q.bind(1, rowids[i]).bind(2, crypto::ByteView(digest)); });
        !s.ok()) {
      return s;
    }
    ++i;
    ++r.blind_indexes;
  }
  return absl::OkStatus();
}

absl::Status reseal_totp(store::Connection& c, const KeySet& from, const KeySet& to,
                         crypto::RandomSource& random, RekeyResult& r) {
  auto q =
      c.prepare("SELECT id, totp_secret_sealed FROM users WHERE totp_secret_sealed IS NOT NULL");
  if (!q.ok()) return q.status();
  std::vector<std::pair<std::int64_t, crypto::Bytes>> sealed;
  if (auto s = q->for_each_row(
          [&](const store::Statement& row) { sealed.emplace_back(row.integer(0), row.blob(1)); });
      !s.ok()) {
    return s;
  }
  for (const auto& entry : sealed) {
    const std::int64_t id = entry.first;
    const crypto::Bytes& bytes = entry.second;
    const std::string aad = crypto::totp_associated_data(id);
    auto secret = from.totp.open(bytes, crypto::as_bytes(aad));
    if (!secret.ok()) return secret.status();
    auto resealed = to.totp.seal(secret->view(), crypto::as_bytes(aad), random);
    if (!resealed.ok()) return resealed.status();
    if (auto s = store::run_statement(
            c, "UPDATE users SET totp_secret_sealed = ?2 WHERE id = ?1",
            [&](store::Statement& u) { u.bind(1, id).bind(2, crypto::ByteView(*resealed)); });
        !s.ok()) {
      return s;
    }
    ++r.totp_secrets;
  }
  return absl::OkStatus();
}

// The append-only trigger stands aside for this one rewrite of the copy.
absl::Status reseal_justifications(store::Connection& c, const KeySet& from, const KeySet& to,
                                   crypto::RandomSource& random, RekeyResult& r) {
  auto trigger = c.prepare(
      "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'break_glass_no_update'");
  if (!trigger.ok()) return trigger.status();
  auto found = trigger->step();
  if (!found.ok()) return found.status();
  if (!*found) return absl::DataLossError("the break_glass table has lost its append-only trigger");
  const std::string trigger_sql = trigger->text(0);
  auto q = c.prepare("SELECT id, situation_id, user_id, created_us, sealed FROM break_glass");
  if (!q.ok()) return q.status();
  std::vector<store::BreakGlass> rows;
  if (auto s = q->for_each_row([&](const store::Statement& row) {
        rows.push_back({row.integer(0), row.text(1), row.integer(2), row.integer(3), row.blob(4)});
      });
      !s.ok()) {
    return s;
  }
  if (auto s = c.exec("DROP TRIGGER break_glass_no_update;"); !s.ok()) return s;
  for (const auto& b : rows) {
    const std::string context = store::break_glass_context(b.situation_id, b.user_id, b.created_us);
    auto text = from.vault.open_justification(context, b.sealed);
    if (!text.ok()) return text.status();
    auto resealed = to.vault.seal_justification(context, text->view(), random);
    if (!resealed.ok()) return resealed.status();
    if (auto s = store::run_statement(
            c, "UPDATE break_glass SET sealed = ?2 WHERE id = ?1",
            [&](store::Statement& u) { u.bind(1, b.id).bind(2, crypto::ByteView(*resealed)); });
        !s.ok()) {
      return s;
    }
    ++r.justifications;
  }
  return c.exec(trigger_sql + ";");
}

// Everything in the copies that the master key sealed, moved to the new key,
// and the rotation audited, in one transaction.
absl::Status convert(store::Connection& c, const KeySet& from, const KeySet& to,
                     const domain::Clock& clock, crypto::RandomSource& random, RekeyResult& r) {
  store::Transaction tx(c, store::Transaction::Kind::kWrite);
  if (!tx.status().ok()) return tx.status();
  auto q = c.prepare("SELECT situation_id, wrapped FROM keys.data_keys ORDER BY situation_id");
  if (!q.ok()) return q.status();
  std::vector<std::pair<std::string, crypto::Bytes>> keys;
  if (auto s = q->for_each_row(
          [&](const store::Statement& row) { keys.emplace_back(row.text(0), row.blob(1)); });
      !s.ok()) {
    return s;
  }
  for (const auto& [id, wrapped] : keys) {
    if (auto s = rewrap_situation(c, id, wrapped, from, to, random, r); !s.ok()) return s;
  }
  if (auto s = reseal_totp(c, from, to, random, r); !s.ok()) return s;
  if (auto s = reseal_justifications(c, from, to, random, r); !s.ok()) return s;
  v1::AuditEvent e = provision::local_event(clock, "key.master_rotated", "ops.rekey");
  e.set_purpose("key rotation");
  e.set_target("master key " + r.old_key_id + " -> " + r.new_key_id + ": " +
               std::to_string(r.data_keys) + " data keys, " + std::to_string(r.blind_indexes) +
               " blind indexes, " + std::to_string(r.totp_secrets) + " authenticator secrets, " +
               std::to_string(r.justifications) + " justifications");
  auto seq = audit::append(c, std::move(e));
  if (!seq.ok()) return seq.status();
  return tx.commit();
}

// The re-keyed copies of both files, converted, checkpointed and closed.
absl::Status write_next_files(const config::ServerConfig& cfg, const provision::RekeyFiles& f,
                              const KeySet& from, const KeySet& to, const domain::Clock& clock,
                              crypto::RandomSource& random, RekeyResult& r) {
  if (auto s = store::copy_database(f.database.string(), from.files.database,
                                    f.database_next.string(), {}, &to.files.database);
      !s.ok()) {
    return s;
  }
  config::crash_point("rekey.database_copied");
  if (auto s = store::copy_database(f.keystore.string(), from.files.keystore,
                                    f.keystore_next.string(), {}, &to.files.keystore);
      !s.ok()) {
    return s;
  }
  auto checkpointer =
      audit::Checkpointer::load(cfg.audit_signing_key.string(), audit::log_origin(cfg.server_name));
  if (!checkpointer.ok()) return checkpointer.status();
  {
    const store::KeyStoreFile keystore{f.keystore_next.string(), &to.files.keystore};
    auto db = store::Database::open(f.database_next.string(), to.files.database, 1,
                                    store::OpenMode::kExisting, &keystore);
    if (!db.ok()) return db.status();
    if (auto s = (*db)->write(
            [&](store::Connection& c) { return convert(c, from, to, clock, random, r); });
        !s.ok()) {
      return s;
    }
    auto cp = checkpointer->checkpoint(**db, clock.now_us());
    if (!cp.ok()) return cp.status();
  }
  // Closed cleanly, the copy's WAL is folded in and gone: the file alone is
  // the copy.
  if (fs::exists(f.database_next.string() + "-wal")) {
    return absl::InternalError("the re-keyed copy kept a WAL file; the rotation stops here");
  }
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<RekeyResult> rekey(const fs::path& config_path, const domain::Clock& clock,
                                  crypto::RandomSource& random) {
  auto cfg = config::load_server_config(config_path);
  if (!cfg.ok()) return cfg.status();
  if (cfg->master_key_is_credential) {
    return absl::FailedPreconditionError(
        "the master key is a systemd credential: rekey writes a key file; point paths.master_key "
        "at the key file for the rotation, then make the new key the credential");
  }
  auto lock = config::DeploymentLock::acquire(cfg->database);
  if (!lock.ok()) return lock.status();
  if (auto s = provision::finish_interrupted_rekey(*cfg); !s.ok()) return s;
  const provision::RekeyFiles f = provision::rekey_files(*cfg);
  {
    // The old files brought up to date and closed (their WAL folded in).
    auto d = provision::open_deployment(config_path);
    if (!d.ok()) return d.status();
    if (auto s = provision::finish_audit_key_rotation(*cfg, *d->db); !s.ok()) return s;
    if (auto s = provision::checkpoint_on_exit(*d, clock); !s.ok()) return s;
  }
  auto old_master = config::load_key_file(f.key, 32);
  if (!old_master.ok()) return old_master.status();
  auto from = key_set(*old_master);
  if (!from.ok()) return from.status();
  crypto::SecretBytes new_master(32);
  random.fill({new_master.data(), new_master.size()});
  auto to = key_set(new_master);
  if (!to.ok()) return to.status();
  RekeyResult r;
  r.old_key_id = from->files.master_key_id;
  r.new_key_id = to->files.master_key_id;
  if (auto s = config::write_secret_file(f.key_next, new_master.view()); !s.ok()) return s;
  if (auto s = config::sync_directory(f.key_next.parent_path()); !s.ok()) return s;
  config::crash_point("rekey.key_written");
  if (auto s = write_next_files(*cfg, f, *from, *to, clock, random, r); !s.ok()) return s;
  config::crash_point("rekey.converted");
  if (auto s = config::write_private_file(f.commit,
                                          "rekey " + r.old_key_id + " -> " + r.new_key_id + "\n");
      !s.ok()) {
    return s;
  }
  if (auto s = config::sync_directory(f.commit.parent_path()); !s.ok()) return s;
  config::crash_point("rekey.committed");
  if (auto s = provision::finish_interrupted_rekey(
          *cfg, [](provision::RekeyStep step) { config::crash_point(step_name(step)); });
      !s.ok()) {
    return s;
  }
  // Proven: the deployment opens with the new key and its log verifies.
  {
    auto d = provision::open_deployment(config_path);
    if (!d.ok()) return d.status();
    auto verified = d->db->read([&](store::Connection& c) {
      return audit::verify_stored_log(c, d->checkpointer.signer()->verifier(), std::nullopt,
                                      audit::kReadAhead);
    });
    if (!verified.ok()) return verified.status();
    if (verified->problem()) {
      return absl::DataLossError("the re-keyed audit log does not verify: " +
                                 verified->problem()->what);
    }
  }
  std::error_code ec;
  for (const fs::path& old : {f.database_old, f.keystore_old}) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      fs::remove(old.string() + suffix, ec);
    }
  }
  return r;
}

}  // namespace hubtable::ops
