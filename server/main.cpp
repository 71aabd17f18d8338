// hubtabled: init, apply, serve, revoke-cert, reissue, purge, verify-audit.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include "api/retention.h"
#include "api/service.h"
#include "audit/verify.h"
#include "config/private_files.h"
#include "config/server_config.h"
#include "crypto/random.h"
#include "domain/clock.h"
#include "net/log_throttle.h"
#include "net/server.h"
#include "net/tls_context.h"
#include "provision/apply_file.h"
#include "provision/provisioner.h"
#include "wire/asio.h"

namespace {

namespace fs = std::filesystem;
using namespace hubtable;

int fail(const absl::Status& s) {
  std::fprintf(stderr, "hubtabled: %s\n", std::string(s.message()).c_str());
  return 1;
}

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("hubtabled");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

// A job queued on the workers every `interval` until the timer is cancelled.
struct Periodic {
  asio::steady_timer timer;
  std::chrono::milliseconds interval;
  std::function<void()> job;

  void arm() {
    timer.expires_after(interval);
    timer.async_wait([this](const error_code& ec) {
      if (ec) return;
      job();
      arm();
    });
  }
};

absl::Status write_port_file(const fs::path& path, std::uint16_t port) {
  // Renamed into place: readers never see a partial number.
  return config::write_private_file(path, std::to_string(port) + "\n");
}

int run_init(const fs::path& dir, const std::string& listen, const std::string& server_name) {
  auto hp = config::parse_host_port(listen);
  if (!hp.ok()) return fail(hp.status());
  domain::SystemClock clock;
  provision::InitOptions o{dir, hp->first, hp->second, server_name};
  if (auto s = provision::init_deployment(o, clock, crypto::system_random()); !s.ok()) {
    return fail(s);
  }
  std::printf(
      "Created deployment in %s\n"
      "  config:        %s\n"
      "  admin profile: %s (one-time password and authenticator URI inside)\n"
      "Next: hubtabled apply --config %s TABLE.toml --profiles-out DIR\n",
      dir.c_str(), (dir / "hubtabled.toml").c_str(), (dir / "profiles/admin").c_str(),
      (dir / "hubtabled.toml").c_str());
  return 0;
}

int run_apply(const fs::path& config_path, const fs::path& file, fs::path profiles_out) {
  auto parsed = provision::parse_apply_file(file);
  if (!parsed.ok()) return fail(parsed.status());
  auto d = provision::open_deployment(config_path);
  if (!d.ok()) return fail(d.status());
  if (profiles_out.empty()) profiles_out = d->config.config_path.parent_path() / "profiles";
  domain::SystemClock clock;
  auto report = provision::apply(*d, *parsed, profiles_out, clock, crypto::system_random());
  if (!report.ok()) return fail(report.status());
  std::printf(
      "agencies: %d created, %d updated\ntables:   %d created, %d updated\n"
      "users:    %d created, %d updated, %d disabled, %d reissued a profile\n"
      "vocabulary entries: %d created, %d updated\n",
      report->agencies_created, report->agencies_updated, report->tables_created,
      report->tables_updated, report->users_created, report->users_updated, report->users_disabled,
      report->profiles_reissued, report->vocabulary_created, report->vocabulary_updated);
  for (const auto& p : report->profiles) std::printf("profile:  %s\n", p.c_str());
  if (auto s = provision::checkpoint_on_exit(*d, clock); !s.ok()) return fail(s);
  return 0;
}

int run_revoke(const fs::path& config_path, const std::string& username) {
  auto d = provision::open_deployment(config_path);
  if (!d.ok()) return fail(d.status());
  domain::SystemClock clock;
  auto n = provision::revoke_certificates(*d, username, clock);
  if (!n.ok()) return fail(n.status());
  std::printf("revoked %d certificate(s) of %s and ended their sessions\n", *n, username.c_str());
  if (auto s = provision::checkpoint_on_exit(*d, clock); !s.ok()) return fail(s);
  return 0;
}

int run_reissue(const fs::path& config_path, const std::string& username, bool new_authenticator,
                fs::path profiles_out) {
  auto d = provision::open_deployment(config_path);
  if (!d.ok()) return fail(d.status());
  if (profiles_out.empty()) profiles_out = d->config.config_path.parent_path() / "profiles";
  domain::SystemClock clock;
  auto dir = provision::reissue_profile(*d, username, new_authenticator, profiles_out, clock,
                                        crypto::system_random());
  if (!dir.ok()) return fail(dir.status());
  std::printf("reissued %s: a new device certificate and one-time password%s\nprofile:  %s\n",
              username.c_str(), new_authenticator ? " and authenticator" : "", dir->c_str());
  if (auto s = provision::checkpoint_on_exit(*d, clock); !s.ok()) return fail(s);
  return 0;
}

int run_purge(const fs::path& config_path, bool dry_run) {
  auto d = provision::open_deployment(config_path);
  if (!d.ok()) return fail(d.status());
  domain::SystemClock clock;
  auto ids = api::purge_expired(*d->db, clock.now_us(), dry_run);
  if (!ids.ok()) return fail(ids.status());
  if (ids->empty()) {
    std::printf("nothing to purge: no closed situation is past its retention\n");
    return 0;
  }
  std::printf("%s %zu situation(s):\n", dry_run ? "would purge" : "purged", ids->size());
  for (const auto& id : *ids) std::printf("  %s\n", id.c_str());
  if (auto s = provision::checkpoint_on_exit(*d, clock); !s.ok()) return fail(s);
  return 0;
}

absl::StatusOr<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Offline, on the server host: the database alone, changed in nothing.
int run_verify_audit(const fs::path& config_path, const fs::path& since, const fs::path& key) {
  auto d = provision::open_deployment(config_path, 1, /*upkeep=*/false);
  if (!d.ok()) return fail(d.status());
  absl::StatusOr<crypto::CheckpointVerifier> verifier = d->checkpointer.signer()->verifier();
  if (!key.empty()) {
    auto pem = read_file(key);
    if (!pem.ok()) return fail(pem.status());
    verifier = crypto::CheckpointVerifier::from_public_pem(*pem);
    if (!verifier.ok()) return fail(verifier.status());
  }
  std::optional<crypto::SignedCheckpoint> saved;
  if (!since.empty()) {
    auto note = read_file(since);
    if (!note.ok()) return fail(note.status());
    auto parsed = crypto::parse_note(*note);
    if (!parsed.ok()) return fail(parsed.status());
    saved = std::move(*parsed);
  }
  auto result = d->db->read(
      [&](store::Connection& c) { return audit::verify_stored_log(c, *verifier, saved); });
  if (!result.ok()) return fail(result.status());
  if (const auto& p = result->problem()) {
    std::printf("FAILED at %s: %s\n", crypto::describe_positions(*p).c_str(), p->what.c_str());
    return 1;
  }
  std::printf("audit log verified: %llu events, %llu signed checkpoints\n",
              static_cast<unsigned long long>(result->size()),
              static_cast<unsigned long long>(result->checkpoints_verified()));
  if (result->signed_size() < result->size()) {
    std::printf("  %llu event(s) after the last checkpoint are not signed yet\n",
                static_cast<unsigned long long>(result->size() - result->signed_size()));
  }
  if (saved) {
    std::printf("  consistent with the saved checkpoint of %llu events\n",
                static_cast<unsigned long long>(saved->checkpoint.tree_size));
  }
  return 0;
}

int run_serve(const fs::path& config_path, const fs::path& port_file) {
  auto d = provision::open_deployment(config_path, 2);
  if (!d.ok()) return fail(d.status());
  setup_logging(d->config.log_level);
  net::route_protobuf_logs();
  const config::Limits& limits = d->config.limits;

  domain::SystemClock clock;
  api::Service service(*d->db, clock, crypto::system_random(), d->totp_sealer, d->vault,
                       d->checkpointer, limits);
  if (auto s = service.refresh_revocations(); !s.ok()) return fail(s);
  if (auto s = service.check_log_end(); !s.ok()) return fail(s);
  auto tls =
      net::make_server_tls_context(d->config.ca_certificate, d->config.server_certificate,
                                   d->config.server_key, [&service](const std::string& thumbprint) {
                                     return service.revocations().revoked(thumbprint);
                                   });
  if (!tls.ok()) return fail(tls.status());
  const int threads = std::max(1u, std::min(std::thread::hardware_concurrency(), 8u));
  asio::io_context io(threads);
  net::Server server(io, **tls, service, limits);
  auto port = server.listen(d->config.listen_host, d->config.listen_port);
  if (!port.ok()) return fail(port.status());
  // Upkeep on the workers: crypto-shred expired identifiers and push
  // deadline events; sign checkpoints at least this often (and every 256
  // events); re-verify the whole stored audit log.
  Periodic sweep{asio::steady_timer(io), limits.retention_sweep_interval,
                 [&] { service.schedule_sweep(); }};
  Periodic checkpoints{asio::steady_timer(io), limits.checkpoint_interval,
                       [&] { service.schedule_checkpoint(); }};
  const auto verify_every = std::chrono::milliseconds(limits.alerts.verify_interval_us / 1000);
  Periodic verification{asio::steady_timer(io), verify_every, [&] { service.schedule_verify(); }};
  // `hubtabled revoke-cert` writes from another process: the handshake's
  // copy of the revoked certificates is re-read this often.
  Periodic revocations{asio::steady_timer(io), limits.revocation_refresh_interval,
                       [&] { service.schedule_revocation_refresh(); }};
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {} received: draining connections", signal);
    for (auto* p : {&sweep, &checkpoints, &verification, &revocations}) p->timer.cancel();
    server.stop();
  });
  service.schedule_sweep();
  service.schedule_checkpoint();
  service.schedule_verify();
  sweep.arm();
  checkpoints.arm();
  revocations.arm();
  if (verify_every.count() > 0) verification.arm();
  server.start();
  // Only now that SIGTERM drains: a supervisor that stops the server as soon
  // as it is ready must get the clean stop (and final checkpoint).
  if (!port_file.empty()) {
    if (auto s = write_port_file(port_file, *port); !s.ok()) return fail(s);
  }
  spdlog::info("hubtabled listening on {}:{}", d->config.listen_host, *port);

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  service.stop();
  // Run what the workers posted after the last connection closed, then
  // write the rejected-frame events of the connections that ended there.
  io.restart();
  io.run();
  service.stop();
  // The last word of a clean shutdown: a checkpoint over every event.
  if (auto s = service.checkpoint(); !s.ok()) {
    spdlog::error("final audit checkpoint failed: {}", s.ToString());
  }
  spdlog::info("hubtabled stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Whatever the umask hubtabled inherits, what it creates is its own.
  config::make_new_files_private();
  CLI::App app{"hubtabled: the hubtable Situation Table server"};
  app.require_subcommand(1);

  fs::path init_dir;
  std::string listen = "127.0.0.1:7443";
  std::string server_name = "hubtabled";
  auto* init = app.add_subcommand("init", "create a new deployment");
  init->add_option("--dir", init_dir, "deployment directory")->required();
  init->add_option("--listen", listen, "HOST:PORT to listen on (port 0: any free port)");
  init->add_option("--server-name", server_name, "DNS name clients use for the server");

  fs::path config_path;
  fs::path apply_file;
  fs::path profiles_out;
  auto* apply = app.add_subcommand("apply", "create or update agencies, tables and users");
  apply->add_option("--config", config_path, "hubtabled.toml")->required();
  apply->add_option("file", apply_file, "declarative deployment file (TOML)")->required();
  apply->add_option("--profiles-out", profiles_out, "where to write new users' profiles");

  fs::path port_file;
  auto* serve = app.add_subcommand("serve", "run the server");
  serve->add_option("--config", config_path, "hubtabled.toml")->required();
  serve->add_option("--port-file", port_file, "write the bound port here once listening");

  std::string username;
  auto* revoke = app.add_subcommand("revoke-cert", "revoke a user's device certificates");
  revoke->add_option("--config", config_path, "hubtabled.toml")->required();
  revoke->add_option("--user", username, "username")->required();

  bool new_authenticator = false;
  auto* reissue = app.add_subcommand(
      "reissue", "a new profile for a user whose device certificate was revoked (lost laptop)");
  reissue->add_option("--config", config_path, "hubtabled.toml")->required();
  reissue->add_option("--user", username, "username")->required();
  reissue->add_option("--profiles-out", profiles_out, "where to write the profile");
  reissue->add_flag("--new-authenticator", new_authenticator,
                    "enrol a new authenticator too (the phone was lost as well)");

  bool dry_run = false;
  auto* purge = app.add_subcommand(
      "purge", "crypto-shred the identifiers of closed situations past their retention");
  purge->add_option("--config", config_path, "hubtabled.toml")->required();
  purge->add_flag("--dry-run", dry_run, "list what would be purged; change nothing");

  fs::path since_file;
  fs::path key_file;
  auto* verify = app.add_subcommand(
      "verify-audit",
      "check the audit log: every event, the Merkle tree and every signed checkpoint");
  verify->add_option("--config", config_path, "hubtabled.toml")->required();
  verify
      ->add_option("--since", since_file,
                   "a checkpoint saved earlier (hubtable audit checkpoint --save)")
      ->check(CLI::ExistingFile);
  verify
      ->add_option("--key", key_file,
                   "the audit public key to trust (default: the deployment's own)")
      ->check(CLI::ExistingFile);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (*init) return run_init(init_dir, listen, server_name);
  if (*apply) return run_apply(config_path, apply_file, profiles_out);
  if (*serve) return run_serve(config_path, port_file);
  if (*revoke) return run_revoke(config_path, username);
  if (*reissue) return run_reissue(config_path, username, new_authenticator, profiles_out);
  if (*purge) return run_purge(config_path, dry_run);
  if (*verify) return run_verify_audit(config_path, since_file, key_file);
  return 2;
}
