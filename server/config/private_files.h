#pragma once
// Files and directories of a deployment are the service account's alone:
// created 0600 and 0700 whatever the umask of whoever runs hubtabled
// (a quickstart or a manual run under umask 022 included).

#include <filesystem>
#include <string_view>

#include "absl/status/statusor.h"

namespace hubtable::config {

inline constexpr unsigned kPrivateFileMode = 0600;
inline constexpr unsigned kPrivateDirMode = 0700;

/// Limits the process's own file creation to the owner (umask 077), so
/// files made by libraries (SQLite's database, WAL and journal files) are
/// private too. hubtabled calls it first thing.
void make_new_files_private();

/// Creates `dir` (and its parents) and sets it to 0700.
absl::Status make_private_dir(const std::filesystem::path& dir);

/// Writes `text` to `path` with mode 0600, replacing it atomically (a
/// temporary file renamed over it), so readers never see half of it.
absl::Status write_private_file(const std::filesystem::path& path, std::string_view text);

/// The whole of a small file (a PEM, a note, a manifest); NOT_FOUND naming
/// the file when it cannot be read.
absl::StatusOr<std::string> read_text_file(const std::filesystem::path& path);

/// fsync of a directory: the names created, renamed or removed in it are on
/// disk once it returns.
absl::Status sync_directory(const std::filesystem::path& dir);

/// Sets an existing file to 0600 when group or others may use it (files
/// made by an older version or by hand); a missing file is fine.
absl::Status restrict_to_owner(const std::filesystem::path& path);

}  // namespace hubtable::config
