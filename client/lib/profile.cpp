#include "lib/profile.h"

#include <sys/stat.h>

#include "wire/address.h"
#include "wire/toml_document.h"

namespace hubtable::client {

absl::StatusOr<Profile> load_profile(const std::filesystem::path& dir,
                                     const std::string& server_override) {
  Profile p;
  p.dir = dir;
  const auto toml_path = dir / "profile.toml";
  if (!std::filesystem::exists(toml_path)) {
    return absl::NotFoundError("no profile at " + dir.string() +
                               " (use --profile DIR or set HUBTABLE_PROFILE)");
  }
  auto parsed = wire::parse_toml_file(toml_path);
  if (!parsed.ok()) return parsed.status();
  toml::table& t = *parsed;
  auto server = t["server"].value<std::string>();
  auto name = t["server_name"].value<std::string>();
  auto user = t["username"].value<std::string>();
  // Empty strings too: an empty username or server name only fails later,
  // at the server, with a less helpful message (found by the profile fuzzer).
  if (!server || !name || !user || name->empty() || user->empty()) {
    return absl::InvalidArgumentError(toml_path.string() +
                                      ": server, server_name and username are required");
  }
  auto address = wire::parse_host_port(server_override.empty() ? *server : server_override);
  if (!address) return absl::InvalidArgumentError("server address must be HOST:PORT");
  p.server_host = address->host;
  p.server_port = std::to_string(address->port);
  p.server_name = *name;
  p.username = *user;
  p.ca_certificate = dir / "ca.crt";
  p.client_certificate = dir / "client.crt";
  p.client_key = dir / "client.key";
  for (const auto& f : {p.ca_certificate, p.client_certificate, p.client_key}) {
    if (!std::filesystem::exists(f))
      return absl::NotFoundError("profile file missing: " + f.string());
  }
  struct stat st {};
  if (::stat(p.client_key.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(p.client_key.string() +
                                         " is readable by others; chmod 600 it");
  }
  return p;
}

}  // namespace hubtable::client
