#pragma once
// Backups of a deployment's records (DESIGN.md, "Operations"): taken online,
// consistent across the database and the vault key store, encrypted under
// the deployment's keys (a backup never holds plaintext), and described by
// an authenticated manifest. `hubtabled backup`, and the server's schedule.
//
// A backup is a directory `hubtable-<UTC time>` holding `hubtable.db`,
// `vault-keys.db` and `manifest.toml`. It is useless without the master key,
// by design: the operator keeps the deployment's keys elsewhere.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/hash.h"
#include "domain/clock.h"
#include "provision/provisioner.h"

namespace hubtable::ops {

inline constexpr const char* kBackupDatabase = "hubtable.db";
inline constexpr const char* kBackupKeyStore = "vault-keys.db";
inline constexpr const char* kManifest = "manifest.toml";

/// What a backup holds, as its manifest states it.
struct BackupManifest {
  std::string deployment_id;
  std::int64_t created_us = 0;
  std::string hubtabled_version;
  int schema_version = 0;
  std::string master_key_id;     // which master key opens the files
  std::uint64_t audit_size = 0;  // events in the copied log
  crypto::Digest audit_root{};   // its Merkle root
  std::string checkpoint;        // the copied log's latest signed checkpoint (a note)
  struct File {
    std::string name;
    std::uint64_t bytes = 0;
    crypto::Digest sha256{};
  };
  std::vector<File> files;  // the database, then the key store
};

/// The manifest's text, its last line a MAC under `mac_key` of the rest.
std::string render_manifest(const BackupManifest& m, const crypto::SecretBytes& mac_key);

/// Reads `dir`'s manifest and checks its MAC with `keys`: one clear line
/// when the directory is not a backup, the manifest is damaged, or it was
/// written under another master key.
absl::StatusOr<BackupManifest> read_manifest(const std::filesystem::path& dir,
                                             const provision::FileKeys& keys);

struct BackupResult {
  std::filesystem::path dir;
  BackupManifest manifest;
  std::uint64_t bytes = 0;
};

/// Takes a backup into a new directory under `parent`, while the server
/// may be serving: signs a checkpoint, copies the database in one read
/// transaction (recording its audit size, root and latest checkpoint), then
/// the key store, then writes the manifest and renames the finished
/// directory into place (a crash leaves only a `.partial` directory, which
/// the next backup removes). Audited (`backup.created`, or an error event).
absl::StatusOr<BackupResult> take_backup(provision::Deployment& d,
                                         const std::filesystem::path& parent,
                                         const domain::Clock& clock);

/// The finished backups under `parent`, oldest first.
std::vector<std::filesystem::path> list_backups(const std::filesystem::path& parent);

/// Removes the oldest finished backups under `parent` until `keep` remain;
/// returns those removed.
absl::StatusOr<std::vector<std::filesystem::path>> prune_backups(
    const std::filesystem::path& parent, int keep);

/// SHA-256 and size of a file, read in blocks.
absl::StatusOr<BackupManifest::File> hash_file(const std::filesystem::path& path);

}  // namespace hubtable::ops
