#pragma once
// The revoked device certificates, held in memory so that the TLS handshake
// refuses them without touching the database (DESIGN.md: revoking takes
// effect on the next request and on the next handshake).

#include <cstddef>
#include <shared_mutex>
#include <string>
#include <unordered_set>

#include "absl/status/status.h"
#include "store/connection.h"

namespace hubtable::store {

/// Thread-safe: the handshake reads it on I/O threads, a worker refreshes
/// it. It only ever says "revoked": a certificate it has not heard of yet is
/// still checked against the database on every request.
class RevocationSet {
 public:
  /// Whether the certificate with this hex SHA-256 thumbprint is revoked.
  bool revoked(const std::string& thumbprint) const;
  /// Re-reads the revoked certificates. The server calls it at start, after
  /// revoking one itself, and every limits.revocation_refresh_interval,
  /// since `hubtabled revoke-cert` writes from another process.
  absl::Status refresh(Connection& c);
  std::size_t size() const;

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_set<std::string> revoked_;
};

}  // namespace hubtable::store
