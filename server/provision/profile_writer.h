#pragma once
// Client profile directories: what a person needs to connect as themselves.

#include <filesystem>
#include <string>

#include "absl/status/status.h"

namespace hubtable::provision {

struct ProfileContents {
  std::string username;
  std::string server_address;  // HOST:PORT the client dials
  std::string server_name;     // name checked against the server certificate
  std::string ca_pem;
  std::string certificate_pem;
  std::string private_key_pem;
  std::string one_time_password;
  std::string totp_uri;          // empty when the account has no authenticator
  std::string audit_public_pem;  // the key that signs audit checkpoints
  std::string p12_passphrase;    // imports client.p12 into a browser
};

/// Writes DIR/{client.crt, client.key (0600), ca.crt, profile.toml,
/// one-time-password (0600), totp-uri (0600), audit-signing.pub} into a new
/// directory (0700), and for a browser client.p12 (0600; PKCS#12, AES-256),
/// client.p12-passphrase (0600) and browser-setup.html (0600: it shows the
/// authenticator's QR code).
/// Refuses to overwrite an existing directory.
absl::Status write_profile(const std::filesystem::path& dir, const ProfileContents& p);

}  // namespace hubtable::provision
