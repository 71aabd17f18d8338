#include "config/server_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdlib>
#include <sstream>

#include "absl/time/time.h"

#include "wire/address.h"
#include "wire/toml_document.h"

namespace hubtable::config {

namespace {
namespace fs = std::filesystem;

fs::path resolve(const fs::path& base, const std::string& value) {
  fs::path p(value);
  return p.is_absolute() ? p : base / p;
}

absl::Status read_positive(const toml::table& t, const char* key, long long min, long long max,
                           auto& out, auto convert, const char* section = "limits") {
  auto node = t[key];
  if (!node) return absl::OkStatus();
  auto v = node.template value<long long>();
  if (!v || *v < min || *v > max) {
    return absl::InvalidArgumentError(std::string(section) + "." + key + " must be an integer in " +
                                      std::to_string(min) + ".." + std::to_string(max));
  }
  out = convert(*v);
  return absl::OkStatus();
}

absl::Status read_limits(const toml::table& t, Limits& l) {
  auto as_int = [](long long v) { return static_cast<int>(v); };
  auto as_ms = [](long long v) { return std::chrono::milliseconds(v); };
  auto as_size = [](long long v) { return static_cast<std::size_t>(v); };
  const long long day_ms = 24LL * 3600 * 1000;
  for (auto s : {
           read_positive(t, "max_frame_bytes", 1024, 64LL << 20, l.max_frame_bytes, as_size),
           read_positive(t, "handshake_timeout_ms", 100, 600000, l.handshake_timeout, as_ms),
           read_positive(t, "frame_timeout_ms", 100, 600000, l.frame_timeout, as_ms),
           read_positive(t, "idle_timeout_ms", 100, day_ms, l.idle_timeout, as_ms),
           read_positive(t, "drain_timeout_ms", 100, 600000, l.drain_timeout, as_ms),
           read_positive(t, "max_connections", 1, 100000, l.max_connections, as_int),
           read_positive(t, "max_connections_per_address", 1, 100000, l.max_connections_per_address,
                         as_int),
           read_positive(t, "max_in_flight", 1, 1024, l.max_in_flight, as_int),
           read_positive(t, "max_queued_writes", 1, 4096, l.max_queued_writes, as_int),
           read_positive(t, "requests_per_second", 1, 100000, l.requests_per_second, as_int),
           read_positive(t, "request_burst", 1, 100000, l.request_burst, as_int),
           read_positive(t, "worker_threads", 1, 64, l.worker_threads, as_int),
           read_positive(t, "worker_queue_depth", 1, 1000000, l.worker_queue_depth, as_int),
           read_positive(t, "session_idle_timeout_ms", 1000, day_ms, l.session_idle_timeout, as_ms),
           read_positive(t, "session_absolute_timeout_ms", 1000, 7 * day_ms,
                         l.session_absolute_timeout, as_ms),
           read_positive(t, "login_failure_window_ms", 1000, day_ms, l.login_failure_window, as_ms),
           read_positive(t, "max_login_failures_per_account", 1, 1000,
                         l.max_login_failures_per_account, as_int),
           read_positive(t, "max_login_failures_per_address", 1, 100000,
                         l.max_login_failures_per_address, as_int),
           read_positive(t, "retention_sweep_interval_ms", 1000, day_ms, l.retention_sweep_interval,
                         as_ms),
           read_positive(t, "checkpoint_interval_ms", 100, day_ms, l.checkpoint_interval, as_ms),
           read_positive(t, "revocation_refresh_interval_ms", 100, 600000,
                         l.revocation_refresh_interval, as_ms),
           read_positive(t, "max_queued_per_principal", 1, 100000, l.max_queued_per_principal,
                         as_int),
       }) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}
// The [alerts] section (domain/alerts.h); every key optional.
absl::Status read_alerts(const toml::table& t, domain::AlertRules& a) {
  auto minutes_us = [](long long v) { return v * 60 * 1'000'000; };
  auto hours_us = [](long long v) { return v * 3600 * 1'000'000; };
  auto as_int = [](long long v) { return static_cast<int>(v); };
  const char* const section = "alerts";
  const long long week_minutes = 7LL * 24 * 60;
  const long long year_hours = 365LL * 24;
  for (auto s : {
           read_positive(t, "reveal_situations", 2, 10000, a.reveal_situations, as_int, section),
           read_positive(t, "reveal_window_minutes", 1, week_minutes, a.reveal_window_us,
                         minutes_us, section),
           read_positive(t, "denials", 2, 10000, a.denials, as_int, section),
           read_positive(t, "denial_window_minutes", 1, week_minutes, a.denial_window_us,
                         minutes_us, section),
           read_positive(t, "after_hours_quiet_hours", 1, week_minutes / 60, a.after_hours_quiet_us,
                         hours_us, section),
           read_positive(t, "verify_interval_hours", 0, year_hours, a.verify_interval_us, hours_us,
                         section),
       }) {
    if (!s.ok()) return s;
  }
  if (t.contains("working_hours") || t.contains("working_days")) {
    auto range = t["working_hours"].value<std::string>();
    std::vector<std::string> days;
    if (const auto* list = t["working_days"].as_array()) {
      for (const auto& d : *list) {
        auto v = d.value<std::string>();
        if (!v) return absl::InvalidArgumentError("alerts.working_days must list day names");
        days.push_back(*v);
      }
    } else {
      days = {"mon", "tue", "wed", "thu", "fri"};
    }
    auto hours = domain::parse_working_hours(range.value_or("07:00-19:00"), days);
    if (!hours.ok()) {
      return absl::InvalidArgumentError("alerts: " + std::string(hours.status().message()));
    }
    a.hours = *hours;
  }
  return absl::OkStatus();
}

// paths.master_key: a file, or "credential:NAME", a systemd credential
// (LoadCredential=NAME:...) in the directory systemd names for the service.
absl::StatusOr<fs::path> master_key_path(const fs::path& base, const std::string& value) {
  constexpr std::string_view kCredential = "credential:";
  if (!value.starts_with(kCredential)) return resolve(base, value);
  const std::string name = value.substr(kCredential.size());
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return absl::InvalidArgumentError("paths.master_key: \"" + value +
                                      "\" must name a credential, e.g. \"credential:master.key\"");
  }
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read at start, before any thread.
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  if (dir == nullptr || *dir == '\0') {
    return absl::FailedPreconditionError(
        "paths.master_key is the systemd credential \"" + name +
        "\", but no credentials were passed (run under systemd with LoadCredential=" + name +
        ":..., or set CREDENTIALS_DIRECTORY to the directory holding it)");
  }
  return fs::path(dir) / name;
}

// 127.0.0.0/8 or ::1, written as an address (not a name).
bool loopback_address(const std::string& host) {
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

// The [backup] section: the server's scheduled backups.
absl::Status read_backup(const toml::table& t, const fs::path& base, BackupSchedule& b) {
  if (auto dir = t["directory"].value<std::string>(); dir && !dir->empty()) {
    b.directory = resolve(base, *dir);
  } else if (t.contains("directory")) {
    return absl::InvalidArgumentError("backup.directory must be a path");
  }
  if (t.contains("every")) {
    absl::Duration every;
    auto text = t["every"].value<std::string>();
    if (!text || !absl::ParseDuration(*text, &every) || every < absl::Seconds(1) ||
        every > absl::Hours(24 * 366)) {
      return absl::InvalidArgumentError(
          "backup.every must be a duration from 1s to 366 days, e.g. \"24h\" or \"90m\"");
    }
    b.every = std::chrono::seconds(absl::ToInt64Seconds(every));
  }
  return read_positive(
      t, "keep", 1, 1000, b.keep, [](long long v) { return static_cast<int>(v); }, "backup");
}
// The optional sections: [limits], [accounts], [metrics], [backup], [alerts].
absl::Status read_optional_sections(const toml::table& root, const fs::path& base,
                                    ServerConfig& c) {
  if (auto* limits = root["limits"].as_table()) {
    if (auto s = read_limits(*limits, c.limits); !s.ok()) {
      return s;
    }
  }
  if (auto* accounts = root["accounts"].as_table()) {
    if (auto s = read_positive(
            *accounts, "disable_unused_after_days", 0, 3650, c.limits.disable_unused_after_us,
            [](long long days) { return days * 24 * 3600 * 1'000'000; }, "accounts");
        !s.ok()) {
      return s;
    }
  }
  if (auto listen_metrics = root["metrics"]["listen"].value<std::string>()) {
    auto mhp = wire::parse_host_port(*listen_metrics);
    if (!mhp || mhp->port == 0 || !loopback_address(mhp->host)) {
      return absl::InvalidArgumentError(
          "metrics.listen must be a loopback HOST:PORT such as 127.0.0.1:9464 (the metrics "
          "endpoint is for this host only)");
    }
    c.metrics_host = mhp->host;
    c.metrics_port = mhp->port;
  }
  if (auto* backup = root["backup"].as_table()) {
    if (auto s = read_backup(*backup, base, c.backup); !s.ok()) {
      return s;
    }
  }
  if (auto* alerts = root["alerts"].as_table()) {
    if (auto s = read_alerts(*alerts, c.limits.alerts); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<std::pair<std::string, std::uint16_t>> parse_host_port(const std::string& text) {
  auto hp = wire::parse_host_port(text);
  if (!hp)
    return absl::InvalidArgumentError("listen address must be HOST:PORT with PORT in 0..65535");
  return std::make_pair(hp->host, hp->port);
}

absl::StatusOr<ServerConfig> load_server_config(const fs::path& path) {
  auto parsed = wire::parse_toml_file(path);
  if (!parsed.ok()) {
    return absl::Status(parsed.status().code(), "config " + std::string(parsed.status().message()));
  }
  toml::table& root = *parsed;
  ServerConfig c;
  c.config_path = path;
  const fs::path base = fs::absolute(path).parent_path();
  auto need_string = [&](toml::node_view<toml::node> node, const char* key,
                         std::string& out) -> absl::Status {
    auto v = node.value<std::string>();
    if (!v || v->empty()) {
      return absl::InvalidArgumentError("config " + path.string() + ": " + key +
                                        " is required (a string)");
    }
    out = *v;
    return absl::OkStatus();
  };
  std::string listen, master, signing, db, ca, ca_key, cert, key;
  for (auto s : {
           need_string(root["deployment_id"], "deployment_id", c.deployment_id),
           need_string(root["server"]["listen"], "server.listen", listen),
           need_string(root["server"]["server_name"], "server.server_name", c.server_name),
           need_string(root["paths"]["master_key"], "paths.master_key", master),
           need_string(root["paths"]["audit_signing_key"], "paths.audit_signing_key", signing),
           need_string(root["paths"]["database"], "paths.database", db),
           need_string(root["paths"]["ca_certificate"], "paths.ca_certificate", ca),
           need_string(root["paths"]["ca_key"], "paths.ca_key", ca_key),
           need_string(root["paths"]["server_certificate"], "paths.server_certificate", cert),
           need_string(root["paths"]["server_key"], "paths.server_key", key),
       }) {
    if (!s.ok()) return s;
  }
  auto hp = parse_host_port(listen);
  if (!hp.ok())
    return absl::InvalidArgumentError("config: server.listen: " +
                                      std::string(hp.status().message()));
  c.listen_host = hp->first;
  c.listen_port = hp->second;
  auto master_path = master_key_path(base, master);
  if (!master_path.ok()) return master_path.status();
  c.master_key = std::move(*master_path);
  c.master_key_is_credential = master.starts_with("credential:");
  c.audit_signing_key = resolve(base, signing);
  c.database = resolve(base, db);
  if (auto vk = root["paths"]["vault_keys"].value<std::string>(); vk && !vk->empty()) {
    c.vault_keys = resolve(base, *vk);
  } else {
    c.vault_keys = c.database.parent_path() / "vault-keys.db";
  }
  c.ca_certificate = resolve(base, ca);
  c.ca_key = resolve(base, ca_key);
  c.server_certificate = resolve(base, cert);
  c.server_key = resolve(base, key);
  if (auto level = root["log"]["level"].value<std::string>()) c.log_level = *level;
  if (auto st = read_optional_sections(root, base, c); !st.ok()) {
    return absl::InvalidArgumentError("config " + path.string() + ": " + std::string(st.message()));
  }
  return c;
}

std::string render_server_config(const std::string& deployment_id, const std::string& host,
                                 std::uint16_t port, const std::string& server_name) {
  toml::table t{
      {"deployment_id", deployment_id},
      {"server",
       toml::table{{"listen", (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                                  ":" + std::to_string(port)},
                   {"server_name", server_name}}},
      {"paths", toml::table{{"master_key", "keys/master.key"},
                            {"audit_signing_key", "keys/audit-signing.key"},
                            {"database", "data/hubtable.db"},
                            {"vault_keys", "data/vault-keys.db"},
                            {"ca_certificate", "pki/ca.crt"},
                            {"ca_key", "pki/ca.key"},
                            {"server_certificate", "pki/server.crt"},
                            {"server_key", "pki/server.key"}}},
      {"log", toml::table{{"level", "info"}}},
  };
  std::ostringstream out;
  out << "# hubtabled configuration, written by `hubtabled init`.\n"
      << "# Relative paths are relative to this file's directory.\n"
      << "# Limits (all optional) go in a [limits] table, e.g. max_connections = 512.\n\n"
      << t << "\n";
  return out.str();
}

}  // namespace hubtable::config
