#pragma once
// hubtabled.toml: where the server listens, where its keys, certificates and
// database live, and its limits. Relative paths are resolved against the
// directory holding the config file.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "config/limits.h"

namespace hubtable::config {

/// The server's own backups ([backup]; off unless `directory` is set).
struct BackupSchedule {
  std::filesystem::path directory;
  std::chrono::seconds every{std::chrono::hours(24)};
  int keep = 7;  // the newest this many are kept
};

struct ServerConfig {
  std::filesystem::path config_path;
  std::string deployment_id;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 7443;
  std::string server_name = "hubtabled";  // the name in the server certificate
  std::filesystem::path master_key;
  bool master_key_is_credential = false;  // a systemd credential, not a file of the deployment
  std::filesystem::path audit_signing_key;
  std::filesystem::path database;
  std::filesystem::path vault_keys;  // the vault key store; default: beside the database
  std::filesystem::path ca_certificate;
  std::filesystem::path ca_key;
  std::filesystem::path server_certificate;
  std::filesystem::path server_key;
  std::string log_level = "info";
  Limits limits;
  BackupSchedule backup;
  /// [metrics] listen: the Prometheus endpoint's loopback address; port 0
  /// when it is off.
  std::string metrics_host;
  std::uint16_t metrics_port = 0;
};

/// Parses and validates the file. Errors name the key and the problem.
absl::StatusOr<ServerConfig> load_server_config(const std::filesystem::path& path);

/// The TOML text `hubtabled init` writes (paths relative to the deployment dir).
std::string render_server_config(const std::string& deployment_id, const std::string& host,
                                 std::uint16_t port, const std::string& server_name);

/// Splits "HOST:PORT" ("[v6]:PORT" too). Port 0 means "pick a free port".
absl::StatusOr<std::pair<std::string, std::uint16_t>> parse_host_port(const std::string& text);

}  // namespace hubtable::config
