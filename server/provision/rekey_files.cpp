#include "provision/rekey_files.h"

#include <cerrno>
#include <cstdio>
#include <system_error>

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

}  // namespace hubtable::provision
