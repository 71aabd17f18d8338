#include "lib/session_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <system_error>

#include "crypto/bytes.h"
#include "crypto/hash.h"

namespace hubtable::client {

namespace fs = std::filesystem;

namespace {
// IANA zone names are far shorter; a longer one is not kept.
constexpr std::size_t kMaxZoneName = 64;

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

// The file holds the token in hex, then a newline and the time zone's name.
absl::Status save_session(const fs::path& file, const SavedSession& session) {
  ::unlink(file.c_str());
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return absl::FailedPreconditionError("cannot write " + file.string());
  std::string text = crypto::to_hex(crypto::as_bytes(session.token));
  text.append("\n").append(session.time_zone.substr(0, kMaxZoneName));
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  crypto::secure_zero(text.data(), text.size());
  if (!ok) return absl::InternalError("cannot write " + file.string());
  return absl::OkStatus();
}

absl::StatusOr<std::optional<SavedSession>> load_session(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<SavedSession>();
    return absl::FailedPreconditionError("cannot read " + file.string());
  }
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n <= 0) return std::optional<SavedSession>();
  const std::string_view text(buf, static_cast<std::size_t>(n));
  const std::size_t line = std::min(text.find('\n'), text.size());
  auto bytes = crypto::from_hex(text.substr(0, line));
  SavedSession saved;
  if (line < text.size()) saved.time_zone = std::string(text.substr(line + 1));
  crypto::secure_zero(buf, sizeof buf);
  if (!bytes) return std::optional<SavedSession>();
  saved.token.assign(bytes->begin(), bytes->end());
  return std::optional<SavedSession>(std::move(saved));
}

void forget_session(const fs::path& file) { ::unlink(file.c_str()); }

}  // namespace hubtable::client
