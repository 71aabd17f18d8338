#include "provision/profile_writer.h"

#include "config/key_file.h"
#include "config/private_files.h"
#include "crypto/bytes.h"
#include "crypto/pki.h"
#include "provision/browser_setup.h"

namespace hubtable::provision {

namespace {

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

absl::Status write_browser_files(const std::filesystem::path& dir, const ProfileContents& p) {
  if (p.p12_passphrase.empty()) return absl::InternalError("profile: no PKCS#12 passphrase");
  auto p12 = crypto::pkcs12_der(p.certificate_pem, p.private_key_pem, p.ca_pem,
                                "hubtable " + p.username, p.p12_passphrase);
  if (!p12.ok()) return p12.status();
  auto page = browser_setup_html(p);
  if (!page.ok()) return page.status();
  for (auto s : {
           config::write_secret_file(dir / "client.p12", crypto::as_bytes(*p12)),
           config::write_secret_file(dir / "client.p12-passphrase",
                                     crypto::as_bytes(p.p12_passphrase + "\n")),
           config::write_secret_file(dir / "browser-setup.html", crypto::as_bytes(*page)),
       }) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}
}  // namespace

absl::Status write_profile(const std::filesystem::path& dir, const ProfileContents& p) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return absl::AlreadyExistsError("profile directory " + dir.string() + " already exists");
  }
  if (auto s = config::make_private_dir(dir); !s.ok()) return s;
  const std::string toml = "# hubtable client profile\nserver = " + toml_string(p.server_address) +
                           "\nserver_name = " + toml_string(p.server_name) +
                           "\nusername = " + toml_string(p.username) + "\n";
  for (auto s : {
           config::write_private_file(dir / "ca.crt", p.ca_pem),
           config::write_private_file(dir / "client.crt", p.certificate_pem),
           config::write_private_file(dir / "profile.toml", toml),
           config::write_secret_file(dir / "client.key", crypto::as_bytes(p.private_key_pem)),
           config::write_secret_file(dir / "one-time-password",
                                     crypto::as_bytes(p.one_time_password + "\n")),
       }) {
    if (!s.ok()) return s;
  }
  if (!p.audit_public_pem.empty()) {
    if (auto s = config::write_private_file(dir / "audit-signing.pub", p.audit_public_pem); !s.ok())
      return s;
  }
  if (auto s = write_browser_files(dir, p); !s.ok()) return s;
  if (!p.totp_uri.empty()) {
    if (auto s = config::write_secret_file(dir / "totp-uri", crypto::as_bytes(p.totp_uri + "\n"));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace hubtable::provision
