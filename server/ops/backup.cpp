#include "ops/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/time/time.h"
#include "audit/log_store.h"
#include "config/private_files.h"
#include "store/directory.h"
#include "store/migrate.h"
#include "store/snapshot.h"
#include "wire/toml_document.h"

namespace hubtable::ops {

namespace fs = std::filesystem;
namespace v1 = hubtable::v1;

namespace {
constexpr const char* kPrefix = "hubtable-";
constexpr const char* kPartial = ".partial";
constexpr std::size_t kBlock = std::size_t{1} << 20;
constexpr std::string_view kMacLine = "mac = \"";

std::string utc_stamp(std::int64_t us, const char* format) {
  return absl::FormatTime(format, absl::FromUnixMicros(us), absl::UTCTimeZone());
}

std::string system_error(const std::string& what, const fs::path& path) {
  return what + " " + path.string() + ": " + std::generic_category().message(errno);
}

// Facts of the copied state, read inside the copy's read transaction.
absl::Status read_snapshot_facts(store::Connection& c, BackupManifest& m) {
  auto id = store::get_meta(c, "deployment_id");
  if (!id.ok()) return id.status();
  m.deployment_id = id->value_or("");
  auto version = store::schema_version(c);
  if (!version.ok()) return version.status();
  m.schema_version = *version;
  auto size = audit::tree_size(c);
  if (!size.ok()) return size.status();
  m.audit_size = *size;
  auto root = audit::stored_root(c, *size);
  if (!root.ok()) return root.status();
  m.audit_root = *root;
  auto latest = audit::latest_checkpoint(c);
  if (!latest.ok()) return latest.status();
  if (*latest) m.checkpoint = crypto::to_note(**latest);
  return absl::OkStatus();
}

// A unique name under `parent` for a backup taken at `now_us`.
std::string backup_name(const fs::path& parent, std::int64_t now_us) {
  const std::string base = kPrefix + utc_stamp(now_us, "%Y%m%dT%H%M%SZ");
  std::string name = base;
  for (int n = 2; fs::exists(parent / name); ++n) name = base + "-" + std::to_string(n);
  return name;
}

absl::StatusOr<BackupResult> write_backup(provision::Deployment& d, const fs::path& parent,
                                          const domain::Clock& clock) {
  if (auto s = config::make_private_dir(parent); !s.ok()) return s;
  // What an interrupted backup left behind.
  for (const auto& entry : fs::directory_iterator(parent)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(std::string(".") + kPrefix) && name.ends_with(kPartial)) {
      std::error_code ec;
      fs::remove_all(entry.path(), ec);
    }
  }
  // The copy's log ends in a signed checkpoint unless the server writes
  // between this and the copy.
  if (auto s = provision::checkpoint_on_exit(d, clock); !s.ok()) return s;

  BackupManifest m;
  m.created_us = clock.now_us();
  m.hubtabled_version = HUBTABLE_VERSION;
  m.master_key_id = d.keys.master_key_id;
  const std::string name = backup_name(parent, m.created_us);
  const fs::path partial = parent / ("." + name + kPartial);
  if (auto s = config::make_private_dir(partial); !s.ok()) return s;
  // The database first, then the key store: a data key created after the
  // database's snapshot is in the copy without its situation (harmless, and
  // tidied by the next purge); never the other way round.
  if (auto s = store::copy_database(
          d.config.database.string(), d.keys.database, (partial / kBackupDatabase).string(),
          [&m](store::Connection& c) { return read_snapshot_facts(c, m); });
      !s.ok()) {
    return s;
  }
  if (auto s = store::copy_database(d.config.vault_keys.string(), d.keys.keystore,
                                    (partial / kBackupKeyStore).string());
      !s.ok()) {
    return s;
  }
  BackupResult result;
  for (const char* file : {kBackupDatabase, kBackupKeyStore}) {
    auto hashed = hash_file(partial / file);
    if (!hashed.ok()) return hashed.status();
    result.bytes += hashed->bytes;
    m.files.push_back(std::move(*hashed));
  }
  if (auto s = config::write_private_file(partial / kManifest, render_manifest(m, d.keys.manifest));
      !s.ok()) {
    return s;
  }
  if (auto s = config::sync_directory(partial); !s.ok()) return s;
  result.dir = parent / name;
  if (::rename(partial.c_str(), result.dir.c_str()) != 0) {
    return absl::InternalError(system_error("cannot rename the finished backup to", result.dir));
  }
  if (auto s = config::sync_directory(parent); !s.ok()) return s;
  result.manifest = std::move(m);
  return result;
}

// "hubtable.db" -> "hubtable_db": the manifest's keys for a file.
std::string file_key(std::string name) {
  for (char& ch : name) {
    if (ch == '.' || ch == '-') ch = '_';
  }
  return name;
}

}  // namespace

std::string render_manifest(const BackupManifest& m, const crypto::SecretBytes& mac_key) {
  toml::table t;
  t.insert("format", 1);
  t.insert("deployment_id", m.deployment_id);
  t.insert("created", utc_stamp(m.created_us, "%Y-%m-%dT%H:%M:%E6SZ"));
  t.insert("created_us", m.created_us);
  t.insert("hubtabled_version", m.hubtabled_version);
  t.insert("schema_version", m.schema_version);
  t.insert("master_key_id", m.master_key_id);
  t.insert("audit_size", static_cast<std::int64_t>(m.audit_size));
  t.insert("audit_root", crypto::to_hex(m.audit_root));
  t.insert("checkpoint", m.checkpoint);
  // Flat keys only: the MAC line appended below stays a top-level key.
  for (const auto& f : m.files) {
    const std::string key = file_key(f.name);
    t.insert(key + "_bytes", static_cast<std::int64_t>(f.bytes));
    t.insert(key + "_sha256", crypto::to_hex(f.sha256));
  }
  std::ostringstream out;
  out << "# hubtable backup manifest. The last line authenticates the rest: do not edit.\n"
      << t << "\n";
  const std::string body = out.str();
  const crypto::Digest mac = crypto::hmac_sha256(mac_key.view(), crypto::as_bytes(body));
  return body + std::string(kMacLine) + crypto::to_hex(mac) + "\"\n";
}

absl::StatusOr<BackupManifest> read_manifest(const fs::path& dir, const provision::FileKeys& keys) {
  const fs::path path = dir / kManifest;
  if (!fs::is_regular_file(path)) {
    return absl::NotFoundError(dir.string() + " is not a hubtable backup (it has no " + kManifest +
                               ")");
  }
  auto text = config::read_text_file(path);
  if (!text.ok()) return text.status();
  const std::size_t mac_at = text->rfind(std::string("\n") + std::string(kMacLine));
  auto parsed = wire::parse_toml(*text, path.string());
  const auto damaged = [&](const std::string& why) {
    return absl::DataLossError("backup " + dir.string() + " is damaged: " + why);
  };
  if (mac_at == std::string::npos || !parsed.ok()) return damaged("its manifest is unreadable");
  const toml::table& t = *parsed;
  BackupManifest m;
  m.master_key_id = t["master_key_id"].value_or(std::string());
  const std::string body = text->substr(0, mac_at + 1);
  const auto mac = crypto::from_hex(t["mac"].value_or(std::string()));
  const crypto::Digest expected = crypto::hmac_sha256(keys.manifest.view(), crypto::as_bytes(body));
  if (!mac || !crypto::constant_time_equal(*mac, expected)) {
    if (!m.master_key_id.empty() && m.master_key_id != keys.master_key_id) {
      return absl::FailedPreconditionError(
          "backup " + dir.string() + " was taken under master key " + m.master_key_id +
          ", not this deployment's key " + keys.master_key_id +
          " (another deployment's backup, or one taken before the key was rotated)");
    }
    return damaged("its manifest does not authenticate under this deployment's master key");
  }
  if (t["format"].value_or(0) != 1) return damaged("its manifest's format is not 1");
  m.deployment_id = t["deployment_id"].value_or(std::string());
  m.created_us = t["created_us"].value_or(std::int64_t{0});
  m.hubtabled_version = t["hubtabled_version"].value_or(std::string());
  m.schema_version = t["schema_version"].value_or(0);
  m.audit_size = static_cast<std::uint64_t>(t["audit_size"].value_or(std::int64_t{0}));
  m.checkpoint = t["checkpoint"].value_or(std::string());
  auto root = crypto::from_hex(t["audit_root"].value_or(std::string()));
  auto root_array = root ? crypto::to_array<32>(*root) : std::nullopt;
  if (!root_array) return damaged("its manifest has no audit root");
  m.audit_root = *root_array;
  for (const char* name : {kBackupDatabase, kBackupKeyStore}) {
    const std::string key = file_key(name);
    BackupManifest::File file;
    file.name = name;
    const std::int64_t bytes = t[key + "_bytes"].value_or(std::int64_t{-1});
    auto digest = crypto::from_hex(t[key + "_sha256"].value_or(std::string()));
    auto digest_array = digest ? crypto::to_array<32>(*digest) : std::nullopt;
    if (bytes < 0 || !digest_array) {
      return damaged("its manifest does not give " + file.name + "'s size and SHA-256");
    }
    file.bytes = static_cast<std::uint64_t>(bytes);
    file.sha256 = *digest_array;
    m.files.push_back(std::move(file));
  }
  return m;
}

absl::StatusOr<BackupResult> take_backup(provision::Deployment& d, const fs::path& parent,
                                         const domain::Clock& clock) {
  auto result = write_backup(d, parent, clock);
  v1::AuditEvent e = provision::local_event(clock, "backup.created", "ops.backup");
  e.set_purpose("backup");
  if (result.ok()) {
    e.set_target(result->dir.filename().string() + ": " +
                 std::to_string(result->manifest.audit_size) + " audit events, " +
                 std::to_string(result->bytes) + " bytes");
  } else {
    e.set_outcome(v1::AUDIT_ERROR);
    e.set_status_code(absl::StatusCodeToString(result.status().code()));
  }
  if (auto s = provision::record_event(d, std::move(e)); !s.ok()) return s;
  return result;
}

std::vector<fs::path> list_backups(const fs::path& parent) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with(kPrefix) && fs::is_regular_file(it->path() / kManifest)) {
      found.push_back(it->path());
    }
  }
  // The names are UTC times: their order is the backups' order.
  std::sort(found.begin(), found.end());
  return found;
}

absl::StatusOr<std::vector<fs::path>> prune_backups(const fs::path& parent, int keep) {
  std::vector<fs::path> all = list_backups(parent);
  std::vector<fs::path> removed;
  const std::size_t kept = static_cast<std::size_t>(std::max(keep, 1));
  for (std::size_t i = 0; i + kept < all.size(); ++i) {
    std::error_code ec;
    fs::remove_all(all[i], ec);
    if (ec) return absl::InternalError("cannot remove " + all[i].string() + ": " + ec.message());
    removed.push_back(all[i]);
  }
  return removed;
}

absl::StatusOr<BackupManifest::File> hash_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(system_error("cannot read", path));
  crypto::Sha256 hash;
  BackupManifest::File file;
  file.name = path.filename().string();
  std::vector<std::uint8_t> block(kBlock);
  for (;;) {
    const ssize_t n = ::read(fd, block.data(), block.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return absl::InternalError(system_error("cannot read", path));
    }
    if (n == 0) break;
    hash.update({block.data(), static_cast<std::size_t>(n)});
    file.bytes += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  file.sha256 = hash.finish();
  return file;
}

}  // namespace hubtable::ops
