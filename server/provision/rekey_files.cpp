#include "provision/rekey_files.h"

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "audit/log_store.h"
#include "config/private_files.h"

namespace hubtable::provision {

namespace fs = std::filesystem;

namespace {
fs::path with(const fs::path& p, const char* suffix) { return fs::path(p.string() + suffix); }

absl::Status move(const fs::path& from, const fs::path& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    return absl::InternalError("cannot rename " + from.string() + " to " + to.string() + ": " +
                               std::generic_category().message(errno));
  }
  return absl::OkStatus();
}

// A database file and the files SQLite keeps beside it.
absl::Status move_database(const fs::path& from, const fs::path& to) {
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    if (fs::exists(with(from, suffix))) {
      if (auto s = move(with(from, suffix), with(to, suffix)); !s.ok()) return s;
    }
  }
  return move(from, to);
}

void remove_database(const fs::path& p) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(with(p, suffix), ec);
}

absl::Status sync_all(const RekeyFiles& f) {
  for (const auto& dir :
       {f.key.parent_path(), f.database.parent_path(), f.keystore.parent_path()}) {
    if (auto s = config::sync_directory(dir); !s.ok()) return s;
  }
  return absl::OkStatus();
}
}  // namespace

RekeyFiles rekey_files(const config::ServerConfig& c) {
  RekeyFiles f;
  f.key = c.master_key;
  f.key_next = with(c.master_key, ".next");
  f.key_old = with(c.master_key, ".old");
  f.database = c.database;
  f.database_next = with(c.database, ".next");
  f.database_old = with(c.database, ".old");
  f.keystore = c.vault_keys;
  f.keystore_next = with(c.vault_keys, ".next");
  f.keystore_old = with(c.vault_keys, ".old");
  f.commit = c.master_key.parent_path() / "rekey.commit";
  return f;
}

bool rekey_interrupted(const config::ServerConfig& config) {
  const RekeyFiles f = rekey_files(config);
  return fs::exists(f.commit) || fs::exists(f.key_next) || fs::exists(f.database_next) ||
         fs::exists(f.keystore_next);
}

absl::Status finish_interrupted_rekey(const config::ServerConfig& config,
                                      const std::function<void(RekeyStep)>& after) {
  const RekeyFiles f = rekey_files(config);
  if (!fs::exists(f.commit)) {
    // Not committed: the deployment is the old key's; what a rotation
    // wrote before its commit point goes.
    if (!fs::exists(f.key_next) && !fs::exists(f.database_next) && !fs::exists(f.keystore_next)) {
      return absl::OkStatus();
    }
    std::error_code ec;
    fs::remove(f.key_next, ec);
    remove_database(f.database_next);
    remove_database(f.keystore_next);
    return sync_all(f);
  }
  // Committed: carry it forward. Each step runs only while its source is
  // there, so repeating one after a crash is harmless.
  const auto step = [&](RekeyStep s) {
    if (after) after(s);
  };
  if (fs::exists(f.database_next)) {
    if (fs::exists(f.database)) {
      if (auto s = move_database(f.database, f.database_old); !s.ok()) return s;
    }
  }
  if (fs::exists(f.keystore_next)) {
    if (fs::exists(f.keystore)) {
      if (auto s = move_database(f.keystore, f.keystore_old); !s.ok()) return s;
    }
  }
  if (auto s = sync_all(f); !s.ok()) return s;
  step(RekeyStep::kOldSetAside);
  if (fs::exists(f.database_next)) {
    if (auto s = move_database(f.database_next, f.database); !s.ok()) return s;
  }
  if (fs::exists(f.keystore_next)) {
    if (auto s = move_database(f.keystore_next, f.keystore); !s.ok()) return s;
  }
  if (auto s = sync_all(f); !s.ok()) return s;
  step(RekeyStep::kNewInPlace);
  if (fs::exists(f.key_next)) {
    if (fs::exists(f.key)) {
      if (auto s = move(f.key, f.key_old); !s.ok()) return s;
    }
    if (auto s = move(f.key_next, f.key); !s.ok()) return s;
  }
  if (auto s = sync_all(f); !s.ok()) return s;
  step(RekeyStep::kKeySwitched);
  std::error_code ec;
  fs::remove(f.commit, ec);
  if (ec) return absl::InternalError("cannot remove " + f.commit.string() + ": " + ec.message());
  return sync_all(f);
}

absl::StatusOr<OwnedDeployment> take_deployment(const fs::path& config_path) {
  auto cfg = config::load_server_config(config_path);
  if (!cfg.ok()) return cfg.status();
  auto lock = config::DeploymentLock::acquire(cfg->database);
  if (!lock.ok()) return lock.status();
  if (!cfg->master_key_is_credential) {
    if (auto s = finish_interrupted_rekey(*cfg); !s.ok()) return s;
  }
  return OwnedDeployment{std::move(*cfg), std::move(*lock)};
}

AuditKeyFiles audit_key_files(const config::ServerConfig& c) {
  AuditKeyFiles f;
  f.key = c.audit_signing_key;
  f.key_next = with(c.audit_signing_key, ".next");
  f.key_old = with(c.audit_signing_key, ".old");
  f.pub = fs::path(c.audit_signing_key).replace_extension(".pub");
  return f;
}

namespace {

// The `.next` key, when the log's last rotation handed over to it.
absl::StatusOr<std::optional<audit::Checkpointer>> committed_next_key(
    const config::ServerConfig& config, store::Database& db) {
  const AuditKeyFiles f = audit_key_files(config);
  if (!fs::exists(f.key_next)) return std::nullopt;
  auto next = audit::Checkpointer::load(f.key_next.string(), audit::log_origin(config.server_name));
  if (!next.ok()) return std::nullopt;  // half-written: never committed
  auto last = db.read([](store::Connection& c) { return audit::last_key_rotation(c); });
  if (!last.ok()) return last.status();
  const bool committed =
      *last && (*last)->checkpoint.rotation->next_key == next->signer()->public_key();
  if (!committed) return std::nullopt;
  return std::optional<audit::Checkpointer>(std::move(*next));
}

}  // namespace

absl::StatusOr<audit::Checkpointer> load_audit_signer(const config::ServerConfig& config,
                                                      store::Database& db) {
  auto next = committed_next_key(config, db);
  if (!next.ok()) return next.status();
  const AuditKeyFiles f = audit_key_files(config);
  const fs::path& file = *next ? f.key_next : f.key;
  absl::StatusOr<audit::Checkpointer> signer =
      *next ? absl::StatusOr<audit::Checkpointer>(std::move(**next))
            : audit::Checkpointer::load(file.string(), audit::log_origin(config.server_name));
  if (!signer.ok()) return signer.status();
  auto current =
      db.read([&](store::Connection& c) { return signer->check_current(c, file.string()); });
  if (!current.ok()) return current;
  return signer;
}

absl::Status finish_audit_key_rotation(const config::ServerConfig& config, store::Database& db) {
  const AuditKeyFiles f = audit_key_files(config);
  if (!fs::exists(f.key_next)) return absl::OkStatus();
  auto next = committed_next_key(config, db);
  if (!next.ok()) return next.status();
  if (!*next) {
    std::error_code ec;
    fs::remove(f.key_next, ec);
    return config::sync_directory(f.key.parent_path());
  }
  // Each move runs only while its source is there: repeating is harmless.
  if (fs::exists(f.key)) {
    if (auto s = move(f.key, f.key_old); !s.ok()) return s;
  }
  if (auto s = config::write_private_file(f.pub, (*next)->public_pem()); !s.ok()) return s;
  if (auto s = move(f.key_next, f.key); !s.ok()) return s;
  return config::sync_directory(f.key.parent_path());
}

absl::StatusOr<bool> rejoin_audit_key(const config::ServerConfig& config, store::Database& db,
                                      std::int64_t now_us) {
  const AuditKeyFiles f = audit_key_files(config);
  const std::string origin = audit::log_origin(config.server_name);
  auto current = audit::Checkpointer::load(f.key.string(), origin);
  if (!current.ok()) return current.status();
  auto is_current =
      db.read([&](store::Connection& c) { return current->check_current(c, f.key.string()); });
  if (is_current.ok()) return false;
  if (!fs::exists(f.key_old)) return is_current;
  auto retired = audit::Checkpointer::load(f.key_old.string(), origin);
  if (!retired.ok()) return retired.status();
  auto rotation = retired->rotate(db, *current, now_us);  // refused unless the log's key
  if (!rotation.ok()) return is_current;
  return true;
}

}  // namespace hubtable::provision
