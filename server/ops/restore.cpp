#include "ops/restore.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "absl/time/time.h"
#include "api/retention.h"
#include "audit/log_store.h"
#include "audit/verify.h"
#include "config/deployment_lock.h"
#include "config/key_file.h"
#include "config/private_files.h"
#include "provision/rekey_files.h"
#include "store/directory.h"
#include "store/migrate.h"
#include "store/snapshot.h"

namespace hubtable::ops {

namespace fs = std::filesystem;
namespace v1 = hubtable::v1;

namespace {
constexpr std::size_t kBlock = std::size_t{1} << 20;

absl::Status io_error(const std::string& what, const fs::path& path) {
  return absl::InternalError(what + " " + path.string() + ": " +
                             std::generic_category().message(errno));
}

// Copies `from` to the new file `to` (0600), hashing what it copies, synced.
absl::StatusOr<BackupManifest::File> copy_hashed(const fs::path& from, const fs::path& to) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return io_error("cannot read", from);
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0) {
    ::close(in);
    return io_error("cannot create", to);
  }
  crypto::Sha256 hash;
  BackupManifest::File file;
  file.name = from.filename().string();
  std::vector<std::uint8_t> block(kBlock);
  absl::Status status;
  for (;;) {
    const ssize_t n = ::read(in, block.data(), block.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = io_error("cannot read", from);
      break;
    }
    if (n == 0) break;
    hash.update({block.data(), static_cast<std::size_t>(n)});
    file.bytes += static_cast<std::uint64_t>(n);
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out, block.data() + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        status = io_error("cannot write", to);
        break;
      }
      done += w;
    }
    if (!status.ok()) break;
  }
  if (status.ok() && ::fsync(out) != 0) status = io_error("cannot sync", to);
  ::close(in);
  ::close(out);
  if (!status.ok()) return status;
  file.sha256 = hash.finish();
  return file;
}

// Stages the backup's files in `staging`, checking each against the manifest.
absl::Status stage_files(const fs::path& from, const BackupManifest& m, const fs::path& staging) {
  for (const auto& expected : m.files) {
    if (!fs::is_regular_file(from / expected.name)) {
      return absl::DataLossError("backup " + from.string() + " is damaged: " + expected.name +
                                 " is missing");
    }
    auto copied = copy_hashed(from / expected.name, staging / expected.name);
    if (!copied.ok()) return copied.status();
    if (copied->bytes != expected.bytes || copied->sha256 != expected.sha256) {
      return absl::DataLossError("backup " + from.string() + " is damaged: " + expected.name +
                                 " does not match its manifest (SHA-256 differs)");
    }
  }
  return absl::OkStatus();
}

// The staged files opened and checked as a whole.
absl::Status check_staged(const config::ServerConfig& cfg, const provision::FileKeys& keys,
                          const fs::path& staging, const BackupManifest& m,
                          const std::string& label) {
  const store::KeyStoreFile keystore{(staging / kBackupKeyStore).string(), &keys.keystore};
  auto c =
      store::open_connection((staging / kBackupDatabase).string(), keys.database,
                             store::ConnectionRole::kReader, store::OpenMode::kExisting, &keystore);
  if (!c.ok()) return c.status();
  for (const char* schema : {"main", "keys"}) {
    if (auto s = store::check_integrity(**c, schema); !s.ok()) return s;
  }
  auto id = store::get_meta(**c, "deployment_id");
  if (!id.ok()) return id.status();
  if (!*id || **id != cfg.deployment_id || m.deployment_id != cfg.deployment_id) {
    return absl::FailedPreconditionError(label + " is another deployment's backup");
  }
  auto version = store::schema_version(**c);
  if (!version.ok()) return version.status();
  if (*version != m.schema_version) {
    return absl::DataLossError(label + " is damaged: its schema version is not the manifest's");
  }
  std::optional<crypto::SignedCheckpoint> saved;
  if (!m.checkpoint.empty()) {
    auto note = crypto::parse_note(m.checkpoint);
    if (!note.ok()) return absl::DataLossError(label + " is damaged: its checkpoint is unreadable");
    saved = std::move(*note);
  }
  // The deployment's audit key, or the one it retired (a backup taken before
  // the key was rotated; the restore hands the log over again).
  const provision::AuditKeyFiles key_files = provision::audit_key_files(cfg);
  std::optional<crypto::LogVerifier> verified;
  for (const fs::path& key : {key_files.key, key_files.key_old}) {
    if (key == key_files.key_old && !fs::exists(key)) break;
    auto signer = audit::Checkpointer::load(key.string(), audit::log_origin(cfg.server_name));
    if (!signer.ok()) return signer.status();
    auto walk =
        audit::verify_stored_log(**c, signer->signer()->verifier(), saved, audit::kReadAhead);
    if (!walk.ok()) return walk.status();
    if (!verified || walk->ok()) verified = std::move(*walk);  // else: the current key's problem
    if (verified->ok()) break;
  }
  if (const auto& p = verified->problem()) {
    return absl::DataLossError(label + "'s audit log fails verification at " +
                               crypto::describe_positions(*p) + ": " + p->what);
  }
  auto root = audit::stored_root(**c, m.audit_size);
  if (verified->size() != m.audit_size || !root.ok() || *root != m.audit_root) {
    return absl::DataLossError(label + "'s audit log is not the one its manifest describes");
  }
  return absl::OkStatus();
}

// The audit size of the files about to be replaced, if they open.
std::optional<std::uint64_t> current_audit_size(const config::ServerConfig& cfg,
                                                const provision::FileKeys& keys) {
  if (!fs::exists(cfg.database)) return std::nullopt;
  auto c = store::open_connection(cfg.database.string(), keys.database,
                                  store::ConnectionRole::kReader, store::OpenMode::kExisting);
  if (!c.ok()) return std::nullopt;
  auto size = audit::tree_size(**c);
  return size.ok() ? std::optional(*size) : std::nullopt;
}

// Moves the deployment's files into `aside` and the staged ones into place.
absl::Status swap_files(const config::ServerConfig& cfg, const fs::path& staging,
                        const fs::path& aside, bool& moved_any) {
  const fs::path db = cfg.database;
  const fs::path ks = cfg.vault_keys;
  for (const fs::path& f : {db, fs::path(db.string() + "-wal"), fs::path(db.string() + "-shm"), ks,
                            fs::path(ks.string() + "-journal")}) {
    if (!fs::exists(f)) continue;
    if (!moved_any) {
      if (auto s = config::make_private_dir(aside); !s.ok()) return s;
      moved_any = true;
    }
    if (::rename(f.c_str(), (aside / f.filename()).c_str()) != 0) {
      return io_error("cannot move aside", f);
    }
  }
  if (::rename((staging / kBackupKeyStore).c_str(), ks.c_str()) != 0) {
    return io_error("cannot put in place", ks);
  }
  if (::rename((staging / kBackupDatabase).c_str(), db.c_str()) != 0) {
    return io_error("cannot put in place", db);
  }
  for (const fs::path& dir : {db.parent_path(), ks.parent_path()}) {
    if (auto s = config::sync_directory(dir); !s.ok()) return s;
  }
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<RestoreResult> restore(const fs::path& config_path, const fs::path& from,
                                      const domain::Clock& clock) {
  auto owned = provision::take_deployment(config_path);
  if (!owned.ok()) return owned.status();
  const config::ServerConfig* cfg = &owned->config;
  provision::FileKeys keys;
  {
    auto master = config::load_key_file(cfg->master_key, 32);
    if (!master.ok()) return master.status();
    auto derived = provision::derive_file_keys(*master);
    if (!derived.ok()) return derived.status();
    keys = std::move(*derived);
  }
  auto manifest = read_manifest(from, keys);
  if (!manifest.ok()) return manifest.status();
  const std::string label = "backup " + from.string();

  const std::string stamp =
      absl::FormatTime("%Y%m%dT%H%M%SZ", absl::FromUnixMicros(clock.now_us()), absl::UTCTimeZone());
  const fs::path data = cfg->database.parent_path();
  const fs::path staging = data / ("restore-" + stamp + ".staging");
  std::error_code ec;
  fs::remove_all(staging, ec);
  if (auto s = config::make_private_dir(staging); !s.ok()) return s;
  absl::Status checked = stage_files(from, *manifest, staging);
  if (checked.ok()) checked = check_staged(*cfg, keys, staging, *manifest, label);
  if (!checked.ok()) {
    fs::remove_all(staging, ec);
    return checked;
  }

  RestoreResult result;
  result.manifest = std::move(*manifest);
  result.replaced_audit_size = current_audit_size(*cfg, keys);
  bool moved_any = false;
  const fs::path aside = data / ("before-restore-" + stamp);
  if (auto s = swap_files(*cfg, staging, aside, moved_any); !s.ok()) return s;
  if (moved_any) result.set_aside = aside;
  fs::remove_all(staging, ec);

  // A backup from before an audit-key rotation: its log is handed over to
  // the current key again before anything signs.
  {
    const store::KeyStoreFile keystore{cfg->vault_keys.string(), &keys.keystore};
    auto db = store::Database::open(cfg->database.string(), keys.database, 1,
                                    store::OpenMode::kExisting, &keystore);
    if (!db.ok()) return db.status();
    auto rejoined = provision::rejoin_audit_key(*cfg, **db, clock.now_us());
    if (!rejoined.ok()) return rejoined.status();
    result.audit_key_rejoined = *rejoined;
  }
  // Opened as the server opens it (migrations included); nothing serves it
  // until what retention ended is shredded.
  auto d = provision::open_deployment(config_path);
  if (!d.ok()) return d.status();
  auto purged = api::purge_expired(*d->db, clock.now_us(), /*dry_run=*/false);
  if (!purged.ok()) return purged.status();
  result.purged = std::move(*purged);
  v1::AuditEvent e = provision::local_event(clock, "backup.restored", "ops.restore");
  e.set_purpose("restore");
  e.set_target(from.filename().string() + ": " + std::to_string(result.manifest.audit_size) +
               " audit events; " + std::to_string(result.purged.size()) +
               " situation(s) purged at restore");
  if (auto s = provision::record_event(*d, std::move(e)); !s.ok()) return s;
  if (auto s = provision::checkpoint_on_exit(*d, clock); !s.ok()) return s;
  return result;
}

}  // namespace hubtable::ops
