#include "config/deployment_lock.h"

#include "config/private_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace hubtable::config {

absl::StatusOr<DeploymentLock> DeploymentLock::acquire(const std::filesystem::path& database) {
  // A restore onto a new machine finds no data directory yet.
  if (auto s = make_private_dir(database.parent_path()); !s.ok()) return s;
  const std::filesystem::path path = database.parent_path() / "hubtabled.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return absl::InternalError("cannot open " + path.string() + ": " +
                               std::generic_category().message(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          "another hubtabled process (the server, a restore or a rekey) is using the "
          "deployment of " +
          database.string());
    }
    return absl::InternalError("cannot lock " + path.string() + ": " +
                               std::generic_category().message(err));
  }
  return DeploymentLock(fd);
}

DeploymentLock::~DeploymentLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace hubtable::config
