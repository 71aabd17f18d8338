// hubtabled: init, apply, serve, revoke-cert, reissue, purge, verify-audit,
// status, accounts, enable-account, backup, restore, rekey.

#include <fmt/format.h>
#include <sched.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "api/retention.h"
#include "api/service.h"
#include "audit/verify.h"
#include "config/allocator.h"
#include "config/deployment_lock.h"
#include "config/private_files.h"
#include "config/server_config.h"
#include "crypto/random.h"
#include "domain/clock.h"
#include "net/log_throttle.h"
#include "net/metrics_listener.h"
#include "net/server.h"
#include "net/tls_context.h"
#include "ops/backup.h"
#include "ops/metrics.h"
#include "ops/rekey.h"
#include "ops/restore.h"
#include "provision/accounts.h"
#include "provision/apply_file.h"
#include "provision/provisioner.h"
#include "provision/rekey_files.h"
#include "wire/asio.h"

namespace {

namespace fs = std::filesystem;
using namespace hubtable;

int fail(const absl::Status& s) {
  std::fprintf(stderr, "hubtabled: %s\n", std::string(s.message()).c_str());
  return 1;
}

void setup_logging(const std::string& level) {
  std::shared_ptr<spdlog::logger> logger;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read at start, before any thread.
  if (std::getenv("JOURNAL_STREAM") != nullptr) {
    // Started by systemd with stderr to the journal: one journal entry per
    // line, with its priority (journalctl -u hubtabled -p warning).
    logger = spdlog::systemd_logger_mt("hubtabled", "hubtabled");
  } else {
    logger = spdlog::stderr_color_mt("hubtabled");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  }
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

// A job every `interval` until stop(). Its timer is on a strand of its own
// (make one with periodic_timer): stop() goes through that strand, so a stop
// that comes just after the timer fired still ends it (a cancel alone would
// find no wait to cancel, the job would arm the timer again, and the
// io_context would never run out of work).
struct Periodic {
  asio::steady_timer timer;
  std::chrono::milliseconds interval;
  std::function<void()> job;
  bool stopped = false;  // on the timer's strand

  void arm() {
    timer.expires_after(interval);
    timer.async_wait([this](const error_code& ec) {
      if (ec || stopped) return;
      job();
      arm();
    });
  }
  /// Thread-safe; no job starts after it has taken effect.
  void stop() {
    asio::post(timer.get_executor(), [this] {
      stopped = true;
      timer.cancel();
    });
  }
};

asio::steady_timer periodic_timer(asio::io_context& io) {
  return asio::steady_timer(asio::make_strand(io));
}

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

// Offline, on the server host: the database alone, changed in nothing.
int run_verify_audit(const fs::path& config_path, const fs::path& since, const fs::path& key) {
  auto d = provision::open_deployment(config_path, 1, /*upkeep=*/false);
  if (!d.ok()) return fail(d.status());
  absl::StatusOr<crypto::CheckpointVerifier> verifier = d->checkpointer.signer()->verifier();
  if (!key.empty()) {
    auto pem = config::read_text_file(key);
    if (!pem.ok()) return fail(pem.status());
    verifier = crypto::CheckpointVerifier::from_public_pem(*pem);
    if (!verifier.ok()) return fail(verifier.status());
  }
  std::optional<crypto::SignedCheckpoint> saved;
  if (!since.empty()) {
    auto note = config::read_text_file(since);
    if (!note.ok()) return fail(note.status());
    auto parsed = crypto::parse_note(*note);
    if (!parsed.ok()) return fail(parsed.status());
    saved = std::move(*parsed);
  }
  auto result = d->db->read([&](store::Connection& c) {
    return audit::verify_stored_log(c, *verifier, saved, audit::kReadAhead);
  });
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

int run_accounts(const fs::path& config_path) {
  auto d = provision::open_deployment(config_path);
  if (!d.ok()) return fail(d.status());
  auto accounts = provision::list_accounts(*d);
  if (!accounts.ok()) return fail(accounts.status());
  const std::int64_t now = domain::SystemClock().now_us();
  std::printf("%-24s %-12s %-11s %s\n", "USERNAME", "AGENCY", "LAST USED", "STATE");
  for (const auto& a : *accounts) {
    const std::string used =
        absl::FormatTime("%Y-%m-%d", absl::FromUnixMicros(a.last_used_us), absl::UTCTimeZone());
    std::printf("%-24s %-12s %-11s %s\n", a.username.c_str(),
                a.agency_code.empty() ? "-" : a.agency_code.c_str(), used.c_str(),
                provision::account_state(a, now).c_str());
  }
  return 0;
}

int run_enable_account(const fs::path& config_path, const std::string& username) {
  auto d = provision::open_deployment(config_path);
  if (!d.ok()) return fail(d.status());
  domain::SystemClock clock;
  if (auto s = provision::enable_account(*d, username, clock); !s.ok()) return fail(s);
  std::printf("enabled %s: they log in again with their password and device\n", username.c_str());
  if (auto s = provision::checkpoint_on_exit(*d, clock); !s.ok()) return fail(s);
  return 0;
}

std::string when(const std::optional<std::int64_t>& us, std::int64_t now_us) {
  if (!us) return "never";
  const double age = ops::age_seconds(us, now_us);
  const std::string at =
      absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMicros(*us), absl::UTCTimeZone());
  if (age < 120) return at + fmt::format(" ({:.0f} s ago)", age);
  if (age < 2 * 3600) return at + fmt::format(" ({:.0f} min ago)", age / 60);
  if (age < 2 * 86400) return at + fmt::format(" ({:.1f} h ago)", age / 3600);
  return at + fmt::format(" ({:.1f} days ago)", age / 86400);
}

// Exit code 0 when the server is running, 3 when it is not (as systemctl
// status), 1 when the deployment cannot be read.
int run_status(const fs::path& config_path) {
  auto cfg = config::load_server_config(config_path);
  if (!cfg.ok()) return fail(cfg.status());
  const bool running = !config::DeploymentLock::acquire(cfg->database).ok();
  auto d = provision::open_deployment(config_path, 1, /*upkeep=*/false);
  if (!d.ok()) return fail(d.status());
  auto health = ops::read_health(*d->db);
  if (!health.ok()) return fail(health.status());
  const std::int64_t now = domain::SystemClock().now_us();
  std::string connections = "unknown (no [metrics] listen in the config)";
  if (running && cfg->metrics_port != 0) {
    auto text = ops::scrape_metrics(cfg->metrics_host, cfg->metrics_port);
    auto n = text.ok() ? ops::metric_value(*text, "hubtable_connections") : std::nullopt;
    connections = n ? fmt::format("{:.0f}", *n) : std::string(text.status().message());
  } else if (!running) {
    connections = "0";
  }
  std::printf("server:          %s\n", running ? "running" : "not running");
  std::printf("version:         %s\n", HUBTABLE_VERSION);
  std::printf("schema:          %d\n", health->schema_version);
  std::printf("connections:     %s\n", connections.c_str());
  std::printf("audit log:       %llu events\n",
              static_cast<unsigned long long>(health->audit_events));
  std::printf("last checkpoint: %s\n", when(health->last_checkpoint_us, now).c_str());
  std::printf("last backup:     %s\n", when(health->last_backup_us, now).c_str());
  std::printf("disk free:       %.1f GiB beside %s\n",
              static_cast<double>(health->disk_free_bytes) / (1024.0 * 1024 * 1024),
              cfg->database.c_str());
  return running ? 0 : 3;
}

int run_rekey(const fs::path& config_path) {
  domain::SystemClock clock;
  const auto started = std::chrono::steady_clock::now();
  auto r = ops::rekey(config_path, clock, crypto::system_random());
  if (!r.ok()) return fail(r.status());
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  std::printf(
      "master key rotated: %s -> %s in %.1f s\n  %d data keys re-wrapped, %d blind indexes "
      "recomputed, %d authenticator secrets and %d break-glass justifications re-sealed\n"
      "The old key is kept as %s.old: backups taken before now need it to be restored. Move "
      "it offline; take a new backup.\n",
      r->old_key_id.c_str(), r->new_key_id.c_str(), took.count(), r->data_keys, r->blind_indexes,
      r->totp_secrets, r->justifications,
      config::load_server_config(config_path)->master_key.c_str());
  return 0;
}

int run_rekey_audit(const fs::path& config_path) {
  domain::SystemClock clock;
  auto r = ops::rekey_audit_key(config_path, clock);
  if (!r.ok()) return fail(r.status());
  const auto cfg = config::load_server_config(config_path);
  std::printf(
      "audit signing key rotated: %s -> %s at tree size %llu; the checkpoint there is signed by "
      "both keys\nPrivacy officers' pinned keys follow the rotation; new profiles carry the new "
      "key (%s).\nThe old key is kept as %s.old: restoring a backup taken before now needs it. "
      "Move it offline with the backups.\n",
      r->old_key.c_str(), r->new_key.c_str(), static_cast<unsigned long long>(r->tree_size),
      provision::audit_key_files(*cfg).pub.c_str(), cfg->audit_signing_key.c_str());
  return 0;
}

int run_backup(const fs::path& config_path, const fs::path& to, int keep) {
  auto d = provision::open_deployment(config_path);
  if (!d.ok()) return fail(d.status());
  domain::SystemClock clock;
  const auto started = std::chrono::steady_clock::now();
  auto taken = ops::take_backup(*d, to, clock);
  if (!taken.ok()) return fail(taken.status());
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  std::printf("backup written: %s\n  %llu bytes, %llu audit events, schema %d, %.1f s\n",
              taken->dir.c_str(), static_cast<unsigned long long>(taken->bytes),
              static_cast<unsigned long long>(taken->manifest.audit_size),
              taken->manifest.schema_version, took.count());
  if (keep > 0) {
    auto removed = ops::prune_backups(to, keep);
    if (!removed.ok()) return fail(removed.status());
    for (const auto& r : *removed) std::printf("  removed the older backup %s\n", r.c_str());
  }
  if (auto s = provision::checkpoint_on_exit(*d, clock); !s.ok()) return fail(s);
  return 0;
}

int run_restore(const fs::path& config_path, const fs::path& from) {
  domain::SystemClock clock;
  const auto started = std::chrono::steady_clock::now();
  auto r = ops::restore(config_path, from, clock);
  if (!r.ok()) return fail(r.status());
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  const std::string when = absl::FormatTime(
      "%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMicros(r->manifest.created_us), absl::UTCTimeZone());
  std::printf("restored the backup of %s (%llu audit events) in %.1f s\n", when.c_str(),
              static_cast<unsigned long long>(r->manifest.audit_size), took.count());
  std::printf("purged %zu situation(s) whose retention ended since the backup\n", r->purged.size());
  if (!r->set_aside.empty()) {
    std::printf("the replaced files are in %s: delete them once the restore is confirmed\n",
                r->set_aside.c_str());
  }
  if (r->audit_key_rejoined) {
    std::printf(
        "the backup predates the audit key's rotation: its log was handed over from the retired "
        "key to the current one again\n");
  }
  if (r->replaced_audit_size && *r->replaced_audit_size > r->manifest.audit_size) {
    std::printf(
        "note: the replaced audit log held %llu events; a privacy officer's checkpoint saved "
        "after this backup will show the log rolled back. Tell the privacy officers the "
        "restore happened.\n",
        static_cast<unsigned long long>(*r->replaced_audit_size));
  }
  return 0;
}

// The server's scheduled backups, each on a thread of its own (copying a
// large database takes minutes and must not hold a worker), one at a time.
class ScheduledBackups {
 public:
  ScheduledBackups(provision::Deployment& d, const domain::Clock& clock) : d_(d), clock_(clock) {}
  ~ScheduledBackups() { join(); }
  ScheduledBackups(const ScheduledBackups&) = delete;
  ScheduledBackups& operator=(const ScheduledBackups&) = delete;

  void start() {
    if (running_.exchange(true)) {
      spdlog::warn("scheduled backup skipped: the previous one is still running");
      return;
    }
    join();
    thread_ = std::thread([this] {
      const config::BackupSchedule& b = d_.config.backup;
      auto taken = ops::take_backup(d_, b.directory, clock_);
      if (!taken.ok()) {
        spdlog::error("scheduled backup failed: {}", taken.status().ToString());
      } else {
        // Pruned before it is reported: whoever reads the line finds at most `keep`.
        if (auto removed = ops::prune_backups(b.directory, b.keep); !removed.ok()) {
          spdlog::error("older backups not removed: {}", removed.status().ToString());
        }
        spdlog::info("scheduled backup written: {} ({} bytes)", taken->dir.string(), taken->bytes);
      }
      running_ = false;
    });
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  provision::Deployment& d_;
  const domain::Clock& clock_;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

// Whatever files it was given (a restore, a copy), the server shreds what
// retention ended before anyone can ask for it.
absl::Status purge_before_serving(provision::Deployment& d, const domain::Clock& clock) {
  auto purged = api::purge_expired(*d.db, clock.now_us(), false);
  if (!purged.ok()) return purged.status();
  if (!purged->empty()) {
    spdlog::info("purged {} situation(s) whose retention had ended", purged->size());
  }
  return absl::OkStatus();
}

// One scrape of the metrics endpoint.
std::string scrape_text(provision::Deployment& d, const api::Service& service,
                        const net::Server& server, const domain::Clock& clock) {
  const store::Database::GroupCounts groups = d.db->group_counts();
  const ops::ServerGauges gauges{
      server.connection_count(), service.queue_depth(), groups.groups, groups.members,
      groups.gathered,           groups.window_ended};
  auto health = ops::read_health(*d.db);
  if (!health.ok()) spdlog::warn("health not read for metrics: {}", health.status().ToString());
  return ops::render_metrics(service.metrics(), gauges,
                             health.ok() ? std::optional<ops::Health>(*health) : std::nullopt,
                             clock.now_us());
}

// The running server's timers, on its io_context.
class ServerTimers {
 public:
  ServerTimers(asio::io_context& io, api::Service& service, provision::Deployment& d,
               const domain::Clock& clock)
      : limits_(d.config.limits),
        // Upkeep on the workers: crypto-shred expired identifiers and push
        // deadline events; sign checkpoints at least this often (and every
        // 256 events); re-verify the whole stored audit log.
        sweep_{periodic_timer(io), limits_.retention_sweep_interval,
               [&service] { service.schedule_sweep(); }},
        checkpoints_{periodic_timer(io), limits_.checkpoint_interval,
                     [&service] { service.schedule_checkpoint(); }},
        verification_{periodic_timer(io),
                      std::chrono::milliseconds(limits_.alerts.verify_interval_us / 1000),
                      [&service] { service.schedule_verify(); }},
        // `hubtabled revoke-cert` writes from another process: the
        // handshake's copy of the revoked certificates is re-read this often.
        revocations_{periodic_timer(io), limits_.revocation_refresh_interval,
                     [&service] { service.schedule_revocation_refresh(); }},
        backups_(d, clock),
        backup_{periodic_timer(io), d.config.backup.every, [this] { backups_.start(); }},
        backups_on_(!d.config.backup.directory.empty()),
        // Under systemd (Type=notify, WatchdogSec=): the watchdog is fed
        // from a worker that has just read the database, twice per period.
        watchdog_{periodic_timer(io), std::chrono::milliseconds(watchdog_us() / 2000 + 1),
                  [&service] { service.schedule_probe([] { sd_notify(0, "WATCHDOG=1"); }); }},
        service_(service) {}

  void start() {
    service_.schedule_sweep();
    service_.schedule_checkpoint();
    service_.schedule_verify();
    sweep_.arm();
    checkpoints_.arm();
    revocations_.arm();
    if (verification_.interval.count() > 0) verification_.arm();
    if (backups_on_) backup_.arm();
    if (watchdog_us() > 0) watchdog_.arm();
  }
  void cancel() {
    for (auto* p : {&sweep_, &checkpoints_, &verification_, &revocations_, &backup_, &watchdog_}) {
      p->stop();
    }
  }
  void join_backup() { backups_.join(); }

 private:
  static std::uint64_t watchdog_us() {
    std::uint64_t us = 0;
    return sd_watchdog_enabled(0, &us) > 0 ? us : 0;
  }

  const config::Limits& limits_;
  Periodic sweep_, checkpoints_, verification_, revocations_;
  ScheduledBackups backups_;
  Periodic backup_;
  bool backups_on_;
  Periodic watchdog_;
  api::Service& service_;
};

// Once many connections have closed: the database's page caches, then what
// the allocator holds, go back to the system.
void release_closed_memory(net::Server& server, store::Database& db) {
  server.release_closed_memory([&db] {
    const std::int64_t freed = db.release_memory();
    spdlog::debug("the database's page caches gave back {} KiB", freed / 1024);
  });
}

// The server's threads run as SCHED_BATCH (sched(7)): a thread woken (a
// worker handed a request, the members of a group that has committed) does
// not preempt the thread that woke it, which finishes its turn first, so a
// request costs fewer context switches (issue 20: docs/BENCHMARKS.md). The
// policy is inherited by the threads created after it is set, so it is set
// first. An unprivileged process may choose it; the systemd unit, whose
// system call filter refuses sched_setscheduler, starts the server with it
// (CPUSchedulingPolicy=batch). A policy other than the default is the
// operator's choice (chrt), and stays.
void run_as_batch() {
  if (::sched_getscheduler(0) != SCHED_OTHER) return;
  const sched_param none{};
  if (::sched_setscheduler(0, SCHED_BATCH, &none) != 0) {
    const int error = errno;
    spdlog::warn("the server runs with the default scheduling policy (SCHED_BATCH refused: {})",
                 std::strerror(error));  // NOLINT(concurrency-mt-unsafe): one thread yet
  }
}

int run_serve(const fs::path& config_path, const fs::path& port_file) {
  run_as_batch();
  // One server per deployment, and none while a restore or rekey runs.
  auto owned = provision::take_deployment(config_path);
  if (!owned.ok()) return fail(owned.status());
  auto d = provision::open_deployment(config_path, 2);
  if (!d.ok()) return fail(d.status());
  if (auto s = provision::finish_audit_key_rotation(d->config, *d->db); !s.ok()) return fail(s);
  setup_logging(d->config.log_level);
  net::route_protobuf_logs();
  const config::Limits& limits = d->config.limits;

  domain::SystemClock clock;
  if (auto s = purge_before_serving(*d, clock); !s.ok()) return fail(s);
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
  ServerTimers timers(io, service, *d, clock);
  Periodic release{periodic_timer(io), config::kMemoryReleaseInterval,
                   [&server, &d] { release_closed_memory(server, *d->db); }};
  net::MetricsListener metrics(io, [&] { return scrape_text(*d, service, server, clock); });
  if (d->config.metrics_port != 0) {
    auto bound = metrics.listen(d->config.metrics_host, d->config.metrics_port);
    if (!bound.ok()) return fail(bound.status());
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {} received: draining connections", signal);
    sd_notify(0, "STOPPING=1");
    timers.cancel();
    release.stop();
    metrics.stop();
    server.stop();
  });
  timers.start();
  release.arm();
  if (d->config.metrics_port != 0) metrics.start();
  server.start();
  // Only now that SIGTERM drains: a supervisor that stops the server as soon
  // as it is ready must get the clean stop (and final checkpoint).
  if (!port_file.empty()) {
    if (auto s = write_port_file(port_file, *port); !s.ok()) return fail(s);
  }
  spdlog::info("hubtabled listening on {}:{}", d->config.listen_host, *port);
  sd_notifyf(0, "READY=1\nSTATUS=listening on port %u", static_cast<unsigned>(*port));

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  timers.join_backup();
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

// The whole command line in one place, in the order `--help` lists it:
// reading it top to bottom is reading the contract.
int main(int argc, char** argv) {
  // Whatever the umask hubtabled inherits, what it creates is its own.
  config::make_new_files_private();
  CLI::App app{"hubtabled: the hubtable Situation Table server"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("hubtabled ") + HUBTABLE_VERSION);

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

  auto* accounts = app.add_subcommand(
      "accounts", "list the accounts: last used, disabled for non-use, one-time passwords");
  accounts->add_option("--config", config_path, "hubtabled.toml")->required();

  auto* enable =
      app.add_subcommand("enable-account", "re-enable an account that was disabled for non-use");
  enable->add_option("--config", config_path, "hubtabled.toml")->required();
  enable->add_option("--user", username, "username")->required();

  auto* status = app.add_subcommand(
      "status", "is the server running; schema, audit log, last checkpoint and backup, disk");
  status->add_option("--config", config_path, "hubtabled.toml")->required();

  bool audit_signing_key = false;
  auto* rekey = app.add_subcommand(
      "rekey",
      "rotate the master key: re-key both database files, re-wrap every data key "
      "(server stopped); with --audit-signing-key, rotate the audit signing key instead");
  rekey->add_option("--config", config_path, "hubtabled.toml")->required();
  rekey->add_flag("--audit-signing-key", audit_signing_key,
                  "a new Ed25519 audit signing key: the old key and the new both sign the "
                  "checkpoint that hands the log over");

  fs::path backup_dir;
  int keep = 0;
  auto* backup = app.add_subcommand(
      "backup", "back up the database and the vault key store while the server serves");
  backup->add_option("--config", config_path, "hubtabled.toml")->required();
  backup
      ->add_option("--to", backup_dir,
                   "directory to write a new hubtable-<UTC time> backup directory in")
      ->required();
  backup->add_option("--keep", keep, "then remove all but the newest N backups there")
      ->check(CLI::Range(1, 1000));

  fs::path restore_dir;
  auto* restore = app.add_subcommand(
      "restore", "check a backup and put it in place of the deployment's files (server stopped)");
  restore->add_option("--config", config_path, "hubtabled.toml")->required();
  restore->add_option("--from", restore_dir, "a hubtable-<UTC time> backup directory")
      ->required()
      ->check(CLI::ExistingDirectory);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (*init) return run_init(init_dir, listen, server_name);
  if (*apply) return run_apply(config_path, apply_file, profiles_out);
  if (*serve) {
    config::run_with_allocator_tunables(argv);
    return run_serve(config_path, port_file);
  }
  if (*revoke) return run_revoke(config_path, username);
  if (*reissue) return run_reissue(config_path, username, new_authenticator, profiles_out);
  if (*purge) return run_purge(config_path, dry_run);
  if (*verify) return run_verify_audit(config_path, since_file, key_file);
  if (*status) return run_status(config_path);
  if (*rekey) return audit_signing_key ? run_rekey_audit(config_path) : run_rekey(config_path);
  if (*accounts) return run_accounts(config_path);
  if (*enable) return run_enable_account(config_path, username);
  if (*backup) return run_backup(config_path, backup_dir, keep);
  if (*restore) return run_restore(config_path, restore_dir);
  return 2;
}
