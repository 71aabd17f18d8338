#pragma once
// Opening a deployment from its config, and the changes `hubtabled apply`,
// `init` and `revoke-cert` make to it. Every change is audited in the same
// transaction.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "audit/checkpointer.h"
#include "config/server_config.h"
#include "crypto/aead.h"
#include "crypto/random.h"
#include "crypto/vault.h"
#include "domain/clock.h"
#include "hubtable/v1/audit.pb.h"
#include "provision/apply_file.h"
#include "provision/profile_writer.h"
#include "store/database.h"

namespace hubtable::provision {

/// The subkeys of the master key that work on the files themselves needs
/// (backup and restore): the keys of the two database files, the backup
/// manifests' MAC key, and the master key's public id.
struct FileKeys {
  crypto::SecretBytes database;
  crypto::SecretBytes keystore;
  crypto::SecretBytes manifest;
  std::string master_key_id;  // 16 hex digits; names the key, reveals nothing of it
};
absl::StatusOr<FileKeys> derive_file_keys(const crypto::SecretBytes& master);

/// An open deployment: its config, database and the keys derived from the
/// master key. The master key itself is zeroed once the subkeys exist.
struct Deployment {
  config::ServerConfig config;
  FileKeys keys;
  std::unique_ptr<store::Database> db;
  crypto::Aes256Gcm totp_sealer;
  crypto::Vault vault;
  audit::Checkpointer checkpointer;  // signs checkpoints with keys/audit-signing.key
};

/// Loads the config and the master key (checked: present, 0600, 32 bytes),
/// opens the database with the derived key, applies migrations and checks
/// that the database belongs to this deployment. Any failure leaves the
/// database file untouched. With `upkeep` (the default), brings the default
/// vocabularies and the audit tree up to date; `hubtabled verify-audit`
/// opens without it and so changes nothing.
absl::StatusOr<Deployment> open_deployment(const std::filesystem::path& config_path,
                                           int readers = 1, bool upkeep = true);

/// An event of hubtabled itself (actor "(hubtabled)", address "local"),
/// outcome OK, for the commands run on the server host.
hubtable::v1::AuditEvent local_event(const domain::Clock& clock, const std::string& action,
                                     const std::string& rule);

/// Appends `e` in a write transaction of its own.
absl::Status record_event(Deployment& d, hubtable::v1::AuditEvent e);

/// Signs a checkpoint of the audit log if any event follows the last one:
/// what every command that changed the deployment does before it exits.
absl::Status checkpoint_on_exit(Deployment& d, const domain::Clock& clock);

struct ApplyReport {
  int agencies_created = 0, agencies_updated = 0;
  int tables_created = 0, tables_updated = 0;
  int users_created = 0, users_updated = 0, users_disabled = 0;
  int profiles_reissued = 0;  // enabled users whose certificates were all revoked
  int vocabulary_created = 0, vocabulary_updated = 0;
  std::vector<std::filesystem::path> profiles;  // written for new and reissued users
};

/// Applies the file in one transaction; writes a profile for each new user,
/// and for each enabled user without a live certificate (revoked: a lost
/// device), under `profiles_out`. Idempotent: a second run changes nothing.
absl::StatusOr<ApplyReport> apply(Deployment& d, const ApplyFile& file,
                                  const std::filesystem::path& profiles_out,
                                  const domain::Clock& clock, crypto::RandomSource& random);

/// Revokes every certificate of `username` and ends their sessions.
absl::StatusOr<int> revoke_certificates(Deployment& d, const std::string& username,
                                        const domain::Clock& clock);

/// A new profile for `username` after `revoke-cert` (a lost or replaced
/// device): a new device certificate and one-time password, their sessions
/// ended, and with `new_authenticator` a new authenticator secret (else the
/// enrolled one stays). Refused while the user holds a live certificate or
/// the account is disabled. Returns the profile's directory.
absl::StatusOr<std::filesystem::path> reissue_profile(Deployment& d, const std::string& username,
                                                      bool new_authenticator,
                                                      const std::filesystem::path& profiles_out,
                                                      const domain::Clock& clock,
                                                      crypto::RandomSource& random);

/// Creates a new deployment in `dir` (see DESIGN.md, `hubtabled init`).
struct InitOptions {
  std::filesystem::path dir;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 7443;
  std::string server_name = "hubtabled";
};
absl::Status init_deployment(const InitOptions& options, const domain::Clock& clock,
                             crypto::RandomSource& random);

}  // namespace hubtable::provision
