#include "lib/profile.h"

#include <sys/stat.h>

#include <toml++/toml.h>

namespace hubtable::client {

namespace {
absl::Status split_address(const std::string& text, Profile& p) {
  std::string host = text;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 2 > text.size() || text[close + 1] != ':') {
      return absl::InvalidArgumentError("server address must be HOST:PORT");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos)
      return absl::InvalidArgumentError("server address must be HOST:PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
    return absl::InvalidArgumentError("server address must be HOST:PORT");
  }
  p.server_host = host;
  p.server_port = port;
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<Profile> load_profile(const std::filesystem::path& dir,
                                     const std::string& server_override) {
  Profile p;
  p.dir = dir;
  const auto toml_path = dir / "profile.toml";
  toml::table t;
  try {
    t = toml::parse_file(toml_path.string());
  } catch (const toml::parse_error& e) {
    if (!std::filesystem::exists(toml_path)) {
      return absl::NotFoundError("no profile at " + dir.string() +
                                 " (use --profile DIR or set HUBTABLE_PROFILE)");
    }
    return absl::InvalidArgumentError(toml_path.string() + ": " + std::string(e.description()));
  }
  auto server = t["server"].value<std::string>();
  auto name = t["server_name"].value<std::string>();
  auto user = t["username"].value<std::string>();
  if (!server || !name || !user) {
    return absl::InvalidArgumentError(toml_path.string() +
                                      ": server, server_name and username are required");
  }
  if (auto s = split_address(server_override.empty() ? *server : server_override, p); !s.ok()) {
    return s;
  }
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
