#include "provision/provisioner.h"

#include "config/deployment_lock.h"
#include "provision/rekey_files.h"
#include "provision/vault_repair.h"

#include <fstream>
#include <sstream>

#include "audit/audit_writer.h"
#include "audit/log_store.h"
#include "config/key_file.h"
#include "config/private_files.h"
#include "crypto/hkdf.h"
#include "crypto/password.h"
#include "crypto/pki.h"
#include "crypto/totp.h"
#include "store/accounts.h"
#include "store/directory.h"
#include "store/transaction.h"
#include "store/vocabulary.h"

namespace hubtable::provision {

namespace fs = std::filesystem;
namespace v1 = hubtable::v1;

namespace {
constexpr int kClientCertificateDays = 730;
constexpr std::size_t kOneTimePasswordBytes = 15;  // 24 base32 characters
constexpr std::size_t kTotpSecretBytes = 20;       // RFC 4226's recommended 160 bits
constexpr std::int64_t kOneTimePasswordLifetimeUs = 7LL * 24 * 3600 * 1000000;

/// The deployment CA's certificate and key, read for issuing.
struct CaFiles {
  std::string pem;
  std::string key_pem;
};

std::string client_address(const config::ServerConfig& c) {
  std::string host = c.listen_host;
  if (host == "0.0.0.0" || host == "::") host = c.server_name;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return host + ":" + std::to_string(c.listen_port);
}

/// A fresh one-time password for `p` (and the import passphrase of its
/// browser certificate); returns the password's hash.
absl::StatusOr<std::string> one_time_password(crypto::RandomSource& random, ProfileContents& p) {
  crypto::SecretBytes otp_raw(kOneTimePasswordBytes);
  random.fill({otp_raw.data(), otp_raw.size()});
  p.one_time_password = crypto::base32_encode(otp_raw.view());
  crypto::SecretBytes p12_raw(kOneTimePasswordBytes);
  random.fill({p12_raw.data(), p12_raw.size()});
  p.p12_passphrase = crypto::base32_encode(p12_raw.view());
  return crypto::hash_password(p.one_time_password);
}

/// A new authenticator secret for user `id`, sealed and stored; its URI goes in `p`.
absl::Status enrol_authenticator(store::Connection& c, Deployment& d, std::int64_t id,
                                 const std::string& username, crypto::RandomSource& random,
                                 ProfileContents& p) {
  crypto::SecretBytes secret(kTotpSecretBytes);
  random.fill({secret.data(), secret.size()});
  auto sealed =
      d.totp_sealer.seal(secret.view(), crypto::as_bytes(crypto::totp_associated_data(id)), random);
  if (!sealed.ok()) return sealed.status();
  if (auto s = store::set_totp_secret(c, id, *sealed); !s.ok()) return s;
  p.totp_uri = crypto::otpauth_uri("hubtable", username, secret.view());
  return absl::OkStatus();
}

/// A new device key and client certificate for user `id`, recorded; the
/// rest of the profile (server, CA, audit key) filled in.
absl::Status issue_device(store::Connection& c, Deployment& d, std::int64_t id,
                          const std::string& username, const CaFiles& ca, std::int64_t now,
                          ProfileContents& p) {
  auto key = crypto::generate_p256_key_pem();
  if (!key.ok()) return key.status();
  crypto::CertificateSpec spec;
  spec.common_name = username;
  spec.validity_days = kClientCertificateDays;
  spec.usage = crypto::CertificateUsage::kClient;
  auto cert = crypto::issue_certificate(ca.pem, ca.key_pem, *key, spec);
  if (!cert.ok()) return cert.status();
  auto thumbprint = crypto::certificate_thumbprint_pem(*cert);
  if (!thumbprint.ok()) return thumbprint.status();
  const std::int64_t expires = now + std::int64_t{kClientCertificateDays} * 24 * 3600 * 1000000;
  if (auto s = store::add_certificate(c, *thumbprint, id, now, expires); !s.ok()) return s;
  p.username = username;
  p.server_address = client_address(d.config);
  p.server_name = d.config.server_name;
  p.ca_pem = ca.pem;
  p.certificate_pem = std::move(*cert);
  p.private_key_pem = std::move(*key);
  p.audit_public_pem = d.checkpointer.public_pem();
  return absl::OkStatus();
}

// Creates one account with a one-time password, an authenticator secret when
// required, and a client certificate; returns the profile to hand over.
absl::StatusOr<ProfileContents> create_account(store::Connection& c, Deployment& d,
                                               const store::UserRow& u, const CaFiles& ca,
                                               const domain::Clock& clock,
                                               crypto::RandomSource& random) {
  const std::int64_t now = clock.now_us();
  ProfileContents p;
  auto hash = one_time_password(random, p);
  if (!hash.ok()) return hash.status();
  auto id = store::create_user(c, u, *hash, now + kOneTimePasswordLifetimeUs, {}, now);
  if (!id.ok()) return id.status();
  if (u.totp_required) {
    if (auto s = enrol_authenticator(c, d, *id, u.username, random, p); !s.ok()) return s;
  }
  if (auto s = issue_device(c, d, *id, u.username, ca, now, p); !s.ok()) return s;
  return p;
}

/// A new device and one-time password for an existing account that holds no
/// live certificate (a lost or replaced device): its sessions end, and the
/// person changes the password at first login, as a new user does.
absl::StatusOr<ProfileContents> reissue_account(store::Connection& c, Deployment& d,
                                                std::int64_t id, const std::string& username,
                                                bool new_authenticator, const CaFiles& ca,
                                                const domain::Clock& clock,
                                                crypto::RandomSource& random) {
  const std::int64_t now = clock.now_us();
  ProfileContents p;
  auto hash = one_time_password(random, p);
  if (!hash.ok()) return hash.status();
  if (auto s = store::set_password(c, id, *hash, true, now + kOneTimePasswordLifetimeUs, now);
      !s.ok()) {
    return s;
  }
  auto ended = store::revoke_user_sessions(c, id, now, "profile reissued");
  if (!ended.ok()) return ended.status();
  if (new_authenticator) {
    if (auto s = enrol_authenticator(c, d, id, username, random, p); !s.ok()) return s;
  }
  if (auto s = issue_device(c, d, id, username, ca, now, p); !s.ok()) return s;
  return p;
}

absl::StatusOr<CaFiles> read_ca(const config::ServerConfig& config) {
  auto pem = config::read_text_file(config.ca_certificate);
  if (!pem.ok()) return pem.status();
  auto key = config::read_text_file(config.ca_key);
  if (!key.ok()) return key.status();
  return CaFiles{std::move(*pem), std::move(*key)};
}

absl::Status append_event(store::Connection& c, v1::AuditEvent e) {
  auto seq = audit::append(c, std::move(e));
  return seq.ok() ? absl::OkStatus() : seq.status();
}

absl::Status audit_change(store::Connection& c, const domain::Clock& clock,
                          const std::string& action, const std::string& target) {
  v1::AuditEvent e = local_event(clock, action, "admin.apply");
  e.set_target(target);
  return append_event(c, std::move(e));
}
}  // namespace

absl::StatusOr<Deployment> open_deployment(const fs::path& config_path, int readers, bool upkeep) {
  auto cfg = config::load_server_config(config_path);
  if (!cfg.ok()) return cfg.status();
  // A master-key rotation killed part way is finished (or undone) first,
  // when no other process owns the files (a process that holds the lock,
  // serve, calls finish_interrupted_rekey itself).
  if (!cfg->master_key_is_credential && rekey_interrupted(*cfg)) {
    if (auto lock = config::DeploymentLock::acquire(cfg->database); lock.ok()) {
      if (auto s = finish_interrupted_rekey(*cfg); !s.ok()) return s;
    }
  }
  auto master = config::load_key_file(cfg->master_key, 32);
  if (!master.ok()) return master.status();
  auto keys = derive_file_keys(*master);
  if (!keys.ok()) return keys.status();
  const crypto::SecretBytes& db_key = keys->database;
  auto totp_key = crypto::derive_subkey(*master, crypto::kTotpKeyLabel);
  if (!totp_key.ok()) return totp_key.status();
  auto vault = crypto::Vault::create(*master);
  if (!vault.ok()) return vault.status();
  master->clear();
  auto sealer = crypto::Aes256Gcm::create(totp_key->view());
  if (!sealer.ok()) return sealer.status();

  // Check the key and the deployment on a throwaway connection before the
  // migration step can write anything.
  {
    auto probe = store::open_connection(cfg->database.string(), db_key,
                                        store::ConnectionRole::kReader, store::OpenMode::kExisting);
    if (!probe.ok()) return probe.status();
    auto id = store::get_meta(**probe, "deployment_id");
    if (!id.ok()) return id.status();
    if (!*id || **id != cfg->deployment_id) {
      return absl::FailedPreconditionError("database " + cfg->database.string() +
                                           " belongs to another deployment (deployment_id "
                                           "differs from the config)");
    }
  }
  // Files an older version or a hand made with a looser mode become 0600.
  for (const auto& f : {cfg->config_path, cfg->database, fs::path(cfg->database.string() + "-wal"),
                        fs::path(cfg->database.string() + "-shm"), cfg->vault_keys,
                        fs::path(cfg->vault_keys.string() + "-journal")}) {
    if (auto s = config::restrict_to_owner(f); !s.ok()) return s;
  }
  const store::KeyStoreFile keystore{cfg->vault_keys.string(), &keys->keystore};
  auto db = store::Database::open(cfg->database.string(), db_key, readers,
                                  store::OpenMode::kExisting, &keystore);
  if (!db.ok()) return db.status();
  // Bring the default vocabularies in line with this binary's, audited when
  // anything changed, and give the audit tree the leaves of events written
  // before it existed.
  auto synced = (*db)->write([&](store::Connection& c) -> absl::Status {
    if (!upkeep) return absl::OkStatus();
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    if (auto added = audit::catch_up_tree(c); !added.ok()) return added.status();
    domain::SystemClock clock;
    if (auto s = repair_vault_audited(c, clock); !s.ok()) return s;
    auto changed = store::sync_default_vocabularies(c);
    if (!changed.ok()) return changed.status();
    if (*changed == 0) return tx.commit();
    v1::AuditEvent e = local_event(clock, "admin.vocabulary_synced", "admin.vocabulary_defaults");
    e.set_target(std::to_string(*changed) + " default entries");
    if (auto s = append_event(c, std::move(e)); !s.ok()) return s;
    return tx.commit();
  });
  if (!synced.ok()) return synced;
  (*db)->set_recovery(repair_vault_now);
  auto checkpointer = load_audit_signer(*cfg, **db);
  if (!checkpointer.ok()) return checkpointer.status();
  return Deployment{std::move(*cfg),    std::move(*keys),  std::move(*db),
                    std::move(*sealer), std::move(*vault), std::move(*checkpointer)};
}

absl::StatusOr<FileKeys> derive_file_keys(const crypto::SecretBytes& master) {
  FileKeys k;
  for (auto [key, label] : {std::pair{&k.database, crypto::kDatabaseKeyLabel},
                            std::pair{&k.keystore, crypto::kKeyStoreLabel},
                            std::pair{&k.manifest, crypto::kBackupManifestLabel}}) {
    auto derived = crypto::derive_subkey(master, label);
    if (!derived.ok()) return derived.status();
    *key = std::move(*derived);
  }
  auto id = crypto::derive_subkey(master, crypto::kMasterKeyIdLabel);
  if (!id.ok()) return id.status();
  k.master_key_id = crypto::to_hex(id->view().first(8));
  return k;
}

v1::AuditEvent local_event(const domain::Clock& clock, const std::string& action,
                           const std::string& rule) {
  v1::AuditEvent e = audit::server_event(clock.now_us(), action, rule);
  e.mutable_actor()->set_role(v1::ADMIN);
  return e;
}

absl::Status record_event(Deployment& d, v1::AuditEvent e) {
  return d.db->write([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    if (auto s = append_event(c, std::move(e)); !s.ok()) return s;
    return tx.commit();
  });
}

absl::Status checkpoint_on_exit(Deployment& d, const domain::Clock& clock) {
  auto cp = d.checkpointer.checkpoint(*d.db, clock.now_us());
  return cp.ok() ? absl::OkStatus() : cp.status();
}

// One transaction over every section of the file, in dependency order
// (agencies, tables, vocabularies, users, roles): long because the sections
// share the transaction and the report, and reading it top to bottom is
// reading the file's order.
absl::StatusOr<ApplyReport> apply(Deployment& d, const ApplyFile& file,
                                  const fs::path& profiles_out, const domain::Clock& clock,
                                  crypto::RandomSource& random) {
  auto ca = read_ca(d.config);
  if (!ca.ok()) return ca.status();

  ApplyReport report;
  std::vector<ProfileContents> profiles;
  auto status = d.db->write([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    const std::int64_t now = clock.now_us();
    for (const auto& a : file.agencies) {
      auto sector = store::vocabulary_has(c, "sector", a.sector);
      if (!sector.ok()) return sector.status();
      if (!*sector) {
        return absl::InvalidArgumentError("agency '" + a.code + "': unknown sector '" + a.sector +
                                          "' (the sector vocabulary lists the codes)");
      }
      auto r = store::upsert_agency(c, a, now);
      if (!r.ok()) return r.status();
      if (*r == store::Upsert::kCreated) {
        ++report.agencies_created;
        if (auto s = audit_change(c, clock, "admin.agency_created", a.code); !s.ok()) return s;
      } else if (*r == store::Upsert::kUpdated) {
        ++report.agencies_updated;
        if (auto s = audit_change(c, clock, "admin.agency_updated", a.code); !s.ok()) return s;
      }
    }
    for (const auto& t : file.tables) {
      auto r = store::upsert_table(c, t, now);
      if (!r.ok()) return r.status();
      if (*r == store::Upsert::kCreated) {
        ++report.tables_created;
        if (auto s = audit_change(c, clock, "admin.table_created", t.code); !s.ok()) return s;
      } else if (*r == store::Upsert::kUpdated) {
        ++report.tables_updated;
        if (auto s = audit_change(c, clock, "admin.table_updated", t.code); !s.ok()) return s;
      }
    }
    for (const auto& v : file.vocabulary) {
      if (v.kind == "risk_factor") {
        auto parent = store::vocabulary_has(c, "risk_category", v.parent, v.table_code);
        if (!parent.ok()) return parent.status();
        if (!*parent) {
          return absl::InvalidArgumentError("vocabulary " + v.code + ": unknown risk_category '" +
                                            v.parent + "'");
        }
      }
      auto r = store::upsert_table_vocabulary(c, v.table_code, v);
      if (!r.ok()) return r.status();
      const std::string target = v.table_code + "/" + v.kind + "/" + v.code;
      if (*r == store::Upsert::kCreated) {
        ++report.vocabulary_created;
        if (auto s = audit_change(c, clock, "admin.vocabulary_created", target); !s.ok()) return s;
      } else if (*r == store::Upsert::kUpdated) {
        ++report.vocabulary_updated;
        if (auto s = audit_change(c, clock, "admin.vocabulary_updated", target); !s.ok()) return s;
      }
    }
    for (const auto& u : file.users) {
      auto existing = store::find_user_id(c, u.username);
      if (!existing.ok()) return existing.status();
      if (!*existing) {
        auto p = create_account(c, d, u, *ca, clock, random);
        if (!p.ok()) return p.status();
        profiles.push_back(std::move(*p));
        ++report.users_created;
        if (auto s = audit_change(c, clock, "admin.user_created", u.username); !s.ok()) return s;
        continue;
      }
      auto r = store::update_user(c, **existing, u, now);
      if (!r.ok()) return r.status();
      if (r->result == store::Upsert::kUpdated) {
        ++report.users_updated;
        if (auto s = audit_change(c, clock, "admin.user_updated", u.username); !s.ok()) return s;
      }
      if (r->newly_disabled) {
        ++report.users_disabled;
        auto ended = store::revoke_user_sessions(c, **existing, now, "account disabled");
        if (!ended.ok()) return ended.status();
        if (auto s = audit_change(c, clock, "admin.user_disabled", u.username); !s.ok()) return s;
      }
      // An enabled account whose device was revoked gets a new profile.
      auto live = store::has_live_certificate(c, **existing, now);
      if (!live.ok()) return live.status();
      if (!*live && !u.disabled) {
        auto p = reissue_account(c, d, **existing, u.username, false, *ca, clock, random);
        if (!p.ok()) return p.status();
        profiles.push_back(std::move(*p));
        ++report.profiles_reissued;
        if (auto s = audit_change(c, clock, "admin.profile_reissued", u.username); !s.ok()) {
          return s;
        }
      }
    }
    // Profiles are written before the commit so a failure leaves no account
    // without its credentials; they are useless if the commit then fails.
    for (const auto& p : profiles) {
      const fs::path dir = profiles_out / p.username;
      if (auto s = write_profile(dir, p); !s.ok()) return s;
      report.profiles.push_back(dir);
    }
    return tx.commit();
  });
  if (!status.ok()) {
    for (const auto& dir : report.profiles) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
    return status;
  }
  return report;
}

absl::StatusOr<int> revoke_certificates(Deployment& d, const std::string& username,
                                        const domain::Clock& clock) {
  int revoked = 0;
  auto status = d.db->write([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    auto id = store::find_user_id(c, username);
    if (!id.ok()) return id.status();
    if (!*id) return absl::NotFoundError("no user '" + username + "'");
    const std::int64_t now = clock.now_us();
    auto n = store::revoke_certificates(c, **id, now);
    if (!n.ok()) return n.status();
    revoked = *n;
    auto ended = store::revoke_user_sessions(c, **id, now, "certificate revoked");
    if (!ended.ok()) return ended.status();
    v1::AuditEvent e = local_event(clock, "admin.certificates_revoked", "admin.revoke_cert");
    e.set_target(username);
    if (auto s = append_event(c, std::move(e)); !s.ok()) return s;
    return tx.commit();
  });
  if (!status.ok()) return status;
  return revoked;
}

absl::StatusOr<fs::path> reissue_profile(Deployment& d, const std::string& username,
                                         bool new_authenticator, const fs::path& profiles_out,
                                         const domain::Clock& clock, crypto::RandomSource& random) {
  auto ca = read_ca(d.config);
  if (!ca.ok()) return ca.status();
  const fs::path dir = profiles_out / username;
  bool wrote = false;  // the profile directory is ours to remove if the commit fails
  auto status = d.db->write([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    auto user = store::find_user_by_username(c, username);
    if (!user.ok()) return user.status();
    if (!*user) return absl::NotFoundError("no user '" + username + "'");
    if ((*user)->disabled_us) {
      return absl::FailedPreconditionError("'" + username +
                                           "' is disabled: enable the account in the apply file "
                                           "first");
    }
    const std::int64_t now = clock.now_us();
    auto live = store::has_live_certificate(c, (*user)->id, now);
    if (!live.ok()) return live.status();
    if (*live) {
      return absl::FailedPreconditionError(
          "'" + username + "' still holds a live certificate: revoke it first (revoke-cert)");
    }
    auto p = reissue_account(c, d, (*user)->id, username, new_authenticator, *ca, clock, random);
    if (!p.ok()) return p.status();
    v1::AuditEvent e = local_event(clock, "admin.profile_reissued", "admin.reissue");
    e.set_target(username);
    if (auto s = append_event(c, std::move(e)); !s.ok()) return s;
    // Written before the commit, as apply does: no account is left without its profile.
    if (auto s = write_profile(dir, *p); !s.ok()) return s;
    wrote = true;
    return tx.commit();
  });
  if (!status.ok()) {
    if (wrote) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
    return status;
  }
  return dir;
}

}  // namespace hubtable::provision
