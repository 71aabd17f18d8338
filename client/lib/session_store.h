#pragma once
// Where the CLI keeps a profile's session token between commands: a 0600 file
// under $XDG_RUNTIME_DIR/hubtable/ (tmpfs, per user, cleared at logout or
// reboot). Never in the profile directory.

#include <filesystem>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace hubtable::client {

/// The token file for a profile (named by a hash of the profile's path).
/// Without $XDG_RUNTIME_DIR, falls back to /tmp/hubtable-UID (created 0700
/// and refused if another user owns it).
absl::StatusOr<std::filesystem::path> session_file_for(const std::filesystem::path& profile_dir);

/// What a login leaves for the commands after it.
struct SavedSession {
  std::string token;
  std::string time_zone;  // IANA name the server gave at login; may be empty
};

absl::Status save_session(const std::filesystem::path& file, const SavedSession& session);
/// nullopt when there is no saved session.
absl::StatusOr<std::optional<SavedSession>> load_session(const std::filesystem::path& file);
void forget_session(const std::filesystem::path& file);

}  // namespace hubtable::client
