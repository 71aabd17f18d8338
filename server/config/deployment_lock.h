#pragma once
// One process at a time may own a deployment's files outright: `serve`
// while it runs, and `restore` and `rekey`, which replace the files. An
// advisory lock (flock) on `hubtabled.lock` beside the database, released
// by the kernel when the process ends, however it ends.

#include <filesystem>

#include "absl/status/statusor.h"

namespace hubtable::config {

class DeploymentLock {
 public:
  /// Takes the lock of the deployment whose database is `database`, without
  /// waiting: FAILED_PRECONDITION when another process holds it.
  static absl::StatusOr<DeploymentLock> acquire(const std::filesystem::path& database);

  DeploymentLock(DeploymentLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DeploymentLock& operator=(DeploymentLock&&) = delete;
  DeploymentLock(const DeploymentLock&) = delete;
  DeploymentLock& operator=(const DeploymentLock&) = delete;
  ~DeploymentLock();

 private:
  explicit DeploymentLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace hubtable::config
