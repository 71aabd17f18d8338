#include "config/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace hubtable::config {

namespace fs = std::filesystem;

void make_new_files_private() { ::umask(077); }

absl::Status make_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError("cannot create " + dir.string() + ": " + ec.message());
  if (::chmod(dir.c_str(), kPrivateDirMode) != 0) {
    return absl::InternalError("cannot chmod " + dir.string() + ": " +
                               std::generic_category().message(errno));
  }
  return absl::OkStatus();
}

absl::Status write_private_file(const fs::path& path, std::string_view text) {
  const fs::path tmp = path.string() + ".tmp";
  ::unlink(tmp.c_str());
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, kPrivateFileMode);
  if (fd < 0)
    return absl::InternalError("cannot write " + tmp.string() + ": " +
                               std::generic_category().message(errno));
  bool ok = ::fchmod(fd, kPrivateFileMode) == 0;  // whatever the umask
  for (std::size_t done = 0; ok && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return absl::InternalError("cannot write " + path.string() + ": " +
                               std::generic_category().message(errno));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::Status sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return absl::InternalError("cannot open " + dir.string() + ": " +
                               std::generic_category().message(errno));
  }
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    return absl::InternalError("cannot sync " + dir.string() + ": " +
                               std::generic_category().message(errno));
  }
  return absl::OkStatus();
}

absl::Status restrict_to_owner(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return absl::OkStatus();
  if ((st.st_mode & 077) == 0) return absl::OkStatus();
  if (::chmod(path.c_str(), st.st_mode & 0700) != 0) {
    return absl::InternalError("cannot chmod " + path.string() + ": " +
                               std::generic_category().message(errno));
  }
  return absl::OkStatus();
}

}  // namespace hubtable::config
