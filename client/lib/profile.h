#pragma once
// A client profile directory: client.crt, client.key, ca.crt, profile.toml.

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"

namespace hubtable::client {

struct Profile {
  std::filesystem::path dir;
  std::string server_host;
  std::string server_port;
  std::string server_name;  // verified against the server certificate
  std::string username;
  std::filesystem::path ca_certificate;
  std::filesystem::path client_certificate;
  std::filesystem::path client_key;
};

/// Loads DIR/profile.toml and checks the certificate files exist and the key
/// is private (not readable by group or others). `server_override`
/// ("HOST:PORT"), when non-empty, replaces the profile's server address.
absl::StatusOr<Profile> load_profile(const std::filesystem::path& dir,
                                     const std::string& server_override = "");

}  // namespace hubtable::client
