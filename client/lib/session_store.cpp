#include "lib/session_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

#include "crypto/bytes.h"
#include "crypto/hash.h"

namespace hubtable::client {

namespace fs = std::filesystem;

namespace {
absl::Status ensure_private_dir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError("cannot create " + dir.string() + ": " +
                                         std::generic_category().message(errno));
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() ||
      (st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(dir.string() + " is not a private directory owned by you");
  }
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<fs::path> session_file_for(const fs::path& profile_dir) {
  fs::path base;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the environment is not modified after start-up.
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg != nullptr && *xdg != '\0') {
    base = fs::path(xdg) / "hubtable";
  } else {
    base = fs::path("/tmp") / ("hubtable-" + std::to_string(::geteuid()));
  }
  if (auto s = ensure_private_dir(base); !s.ok()) return s;
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::absolute(profile_dir), ec);
  if (ec) canonical = fs::absolute(profile_dir);
  const auto digest = crypto::sha256(crypto::as_bytes(canonical.string()));
  return base / (crypto::to_hex(crypto::ByteView(digest.data(), 12)) + ".session");
}

absl::Status save_session(const fs::path& file, const std::string& token) {
  ::unlink(file.c_str());
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return absl::FailedPreconditionError("cannot write " + file.string());
  const std::string hex = crypto::to_hex(crypto::as_bytes(token));
  const bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
  ::close(fd);
  if (!ok) return absl::InternalError("cannot write " + file.string());
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> load_session(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return absl::FailedPreconditionError("cannot read " + file.string());
  }
  char buf[128];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n <= 0) return std::optional<std::string>();
  auto bytes = crypto::from_hex(std::string_view(buf, static_cast<std::size_t>(n)));
  crypto::secure_zero(buf, sizeof buf);
  if (!bytes) return std::optional<std::string>();
  return std::optional<std::string>(std::string(bytes->begin(), bytes->end()));
}

void forget_session(const fs::path& file) { ::unlink(file.c_str()); }

}  // namespace hubtable::client
