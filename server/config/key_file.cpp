#include "config/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace hubtable::config {

namespace {

// exact: the file must hold `size` bytes; otherwise at most `size`.
absl::StatusOr<crypto::SecretBytes> load_secret(const std::filesystem::path& path,
                                                std::size_t limit, bool exact) {
  const std::string name = path.string();
  int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError("key file " + name + " is missing");
    return absl::PermissionDeniedError(
        "key file " + name + " cannot be read: " + std::generic_category().message(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError("key file " + name + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return absl::FailedPreconditionError("key file " + name +
                                         " is accessible by group or others; chmod 600 it");
  }
  const auto file_size = static_cast<std::size_t>(st.st_size);
  if (exact ? file_size != limit : (file_size > limit || file_size == 0)) {
    ::close(fd);
    return absl::FailedPreconditionError("key file " + name +
                                         (exact ? " must hold exactly " : " must hold 1 to ") +
                                         std::to_string(limit) + " bytes");
  }
  const std::size_t size = file_size;
  crypto::SecretBytes key(size);
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, key.data() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got != size) return absl::DataLossError("key file " + name + " could not be read fully");
  return key;
}

}  // namespace

absl::StatusOr<crypto::SecretBytes> load_key_file(const std::filesystem::path& path,
                                                  std::size_t size) {
  return load_secret(path, size, true);
}

absl::StatusOr<crypto::SecretBytes> load_pem_key_file(const std::filesystem::path& path) {
  constexpr std::size_t kMaxPem = std::size_t{16} * 1024;
  return load_secret(path, kMaxPem, false);
}

absl::Status write_secret_file(const std::filesystem::path& path, crypto::ByteView data) {
  const std::string name = path.string();
  int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError("cannot create " + name + ": " +
                                         std::generic_category().message(errno));
  }
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return absl::InternalError("cannot write " + name + ": " +
                                 std::generic_category().message(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return absl::InternalError("cannot sync " + name + ": " +
                               std::generic_category().message(errno));
  }
  return absl::OkStatus();
}

}  // namespace hubtable::config
