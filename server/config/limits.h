#pragma once
// Every server limit, with its default. Each can be overridden in the
// [limits] section of hubtabled.toml; the alert rules in [alerts].

#include <chrono>
#include <cstddef>

#include "domain/alerts.h"
#include "wire/protocol.h"

namespace hubtable::config {

inline constexpr std::size_t kMaxFrameBytes = wire::kDefaultMaxFrameBytes;
inline constexpr std::chrono::seconds kHandshakeTimeout{10};
inline constexpr std::chrono::seconds kFrameTimeout{30};
inline constexpr std::chrono::seconds kIdleTimeout{15 * 60};
inline constexpr std::chrono::seconds kDrainTimeout{10};
inline constexpr int kMaxConnections = 512;
inline constexpr int kMaxConnectionsPerAddress = 32;
inline constexpr int kMaxInFlightPerConnection = 16;
inline constexpr int kMaxQueuedWritesPerConnection = 32;
inline constexpr int kRequestsPerSecond = 50;  // token bucket refill per connection
inline constexpr int kRequestBurst = 100;      // token bucket size
// Requests wait for their group's COMMIT on a worker (store::Database::
// write_together): the more workers, the larger the groups and the fewer
// fsyncs a request pays for. Password hashing is bounded apart from them
// (crypto::kMaxConcurrentPasswordHashes).
inline constexpr int kWorkerThreads = 16;
inline constexpr int kWorkerQueueDepth = 1024;
// One principal's requests run one at a time (a lane of the worker pool);
// this many more may wait behind the one running.
inline constexpr int kMaxQueuedPerPrincipal = 64;
inline constexpr std::chrono::minutes kSessionIdleTimeout{15};
inline constexpr std::chrono::hours kSessionAbsoluteTimeout{12};
inline constexpr std::chrono::hours kOneTimePasswordLifetime{7 * 24};
inline constexpr std::chrono::minutes kLoginFailureWindow{15};
inline constexpr int kMaxLoginFailuresPerAccount = 5;
inline constexpr int kMaxLoginFailuresPerAddress = 20;
inline constexpr std::chrono::seconds kRetentionSweepInterval{60};  // crypto-shredding job
inline constexpr std::chrono::seconds kCheckpointInterval{60};      // signed audit checkpoints
// How often the memory of closed connections is given back to the system.
inline constexpr std::chrono::seconds kMemoryReleaseInterval{10};
// How stale the handshake's copy of the revoked certificates may be (every
// request also checks the database).
inline constexpr std::chrono::seconds kRevocationRefreshInterval{2};

// HIPAA, CJIS and HMIS ask that unused accounts be disabled; CJIS says 90 days.
inline constexpr std::int64_t kDisableUnusedAfterUs = 90LL * 24 * 3600 * 1'000'000;

struct Limits {
  std::size_t max_frame_bytes = kMaxFrameBytes;
  std::chrono::milliseconds handshake_timeout = kHandshakeTimeout;
  std::chrono::milliseconds frame_timeout = kFrameTimeout;
  std::chrono::milliseconds idle_timeout = kIdleTimeout;
  std::chrono::milliseconds drain_timeout = kDrainTimeout;
  int max_connections = kMaxConnections;
  int max_connections_per_address = kMaxConnectionsPerAddress;
  int max_in_flight = kMaxInFlightPerConnection;
  int max_queued_writes = kMaxQueuedWritesPerConnection;
  int requests_per_second = kRequestsPerSecond;
  int request_burst = kRequestBurst;
  int worker_threads = kWorkerThreads;
  int worker_queue_depth = kWorkerQueueDepth;
  int max_queued_per_principal = kMaxQueuedPerPrincipal;
  std::chrono::milliseconds session_idle_timeout = kSessionIdleTimeout;
  std::chrono::milliseconds session_absolute_timeout = kSessionAbsoluteTimeout;
  std::chrono::milliseconds login_failure_window = kLoginFailureWindow;
  int max_login_failures_per_account = kMaxLoginFailuresPerAccount;
  int max_login_failures_per_address = kMaxLoginFailuresPerAddress;
  std::chrono::milliseconds retention_sweep_interval = kRetentionSweepInterval;
  std::chrono::milliseconds checkpoint_interval = kCheckpointInterval;
  std::chrono::milliseconds revocation_refresh_interval = kRevocationRefreshInterval;
  // The [alerts] section: when the privacy officers are alerted.
  domain::AlertRules alerts;
  // [accounts] disable_unused_after_days: an account that made no request
  // in this long (or was issued and never used) is disabled; 0: never.
  std::int64_t disable_unused_after_us = kDisableUnusedAfterUs;
};

}  // namespace hubtable::config
